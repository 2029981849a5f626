/**
 * The film report: one self-contained HTML page (no network, no script) of a
 * film's or a scene's shots, for the person who breaks a scene down shot by
 * shot. A strip of the shots coloured by scale along time (a row per camera),
 * the scale over time, the scales by time and by count, the average shot
 * length, and a row per shot with its thumbnail, timecodes, length, scale and
 * confidence, subjects and how it was cut. A shot with no picture from cut
 * to cut (a camera black) is drawn grey and counted in no scale. A scale or
 * a framing an operator set is the shot's, said to be set by the operator,
 * with what the classifier or the detector read beside it (as the exports
 * do). Light and printable; thumbnails
 * are embedded, so the file can be mailed or archived alone.
 *
 * A pure function of the shots (string out): `shotscale log` writes it beside
 * the exports, and `GET /api/report` serves it from the live log.
 */
import { computeCoverage } from '../coverage/coverage-stats.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';
import { describeNoPicture, operatorScaleText, shotWithoutPicture, type ShotBoundary, type ShotRecord } from '../shared/shots.js';
import type { Subjects } from '../shared/socket-events.js';
import { escapeMarkup } from '../shared/markup.js';
import { SCALE_COLOURS } from '../shared/scale-palette.js';

export interface FilmReportOptions {
  title: string;
  /** What the report covers, in words (e.g. "scene 12, cameras cam-1, cam-2"); optional. */
  subtitle?: string;
  /** Epoch ms written as "made at"; default now. */
  generatedAt?: number;
  /** A shot's thumbnail JPEG, or null. */
  thumbnail?: (shot: ShotRecord) => Buffer | null;
}

const CUT_WORDS: Record<ShotBoundary, string> = { start: 'start', hard: 'cut', dissolve: 'dissolve', fade: 'fade', take: 'take', restart: 'restart', end: 'end' };

/** 75.4 -> "1:15.4"; under a minute "15.4 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${s.toFixed(0).padStart(2, '0')}` : `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

function subjectsText(subjects: Subjects | null): string {
  if (!subjects || !subjects.count) return 'nobody';
  const parts: string[] = [subjects.framing !== 'none' ? subjects.framing : `${subjects.count} ${subjects.count === 1 ? 'person' : 'people'}`];
  if (subjects.overTheShoulder) parts.push('over the shoulder');
  return parts.join(', ');
}

/** The subjects cell: the operator's framing where one was set (the detector's read under it), else the detector's. */
function subjectsCell(shot: ShotRecord): string {
  if (!shot.operatorFraming) return escapeMarkup(subjectsText(shot.subjects));
  const framing = `${shot.operatorFraming}${shot.subjects?.overTheShoulder ? ', over the shoulder' : ''}`;
  return `${escapeMarkup(framing)}<div class="small by-operator">framing set by operator; the detector read ${escapeMarkup(subjectsText(shot.subjects))}</div>`;
}

/** Under an operator's scale: who set it and what the classifier read ("" for the classifier's own). */
function scaleSetBy(shot: ShotRecord): string {
  const text = operatorScaleText(shot);
  return text ? `<div class="small by-operator">${escapeMarkup(text)}</div>` : '';
}

/** Tick spacing (s) that gives about 8 ticks over `span` seconds. */
function tickStep(span: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
  return steps.find((s) => span / s <= 10) ?? 7200;
}

function timeAxis(span: number, x: (t: number) => number, y: number): string {
  const step = tickStep(span);
  const ticks: string[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) {
    ticks.push(`<line x1="${x(t).toFixed(1)}" y1="${y}" x2="${x(t).toFixed(1)}" y2="${y + 4}" class="tick"/><text x="${x(t).toFixed(1)}" y="${y + 15}" class="axis" text-anchor="middle">${escapeMarkup(formatSeconds(t).replace(' s', 's'))}</text>`);
  }
  return ticks.join('');
}

interface Layout { start: number; span: number; cameras: string[] }

function layoutOf(shots: readonly ShotRecord[]): Layout {
  const start = Math.min(...shots.map((s) => s.inTime));
  const end = Math.max(...shots.map((s) => s.outTime));
  return { start, span: Math.max((end - start) / 1000, 0.001), cameras: [...new Set(shots.map((s) => s.cameraId))].sort() };
}

/** A shot with no picture: grey, apart from every scale's colour. */
const NO_PICTURE_COLOUR = '#9aa0a6';

/** A shot's colour and its scale in words: its scale's, or grey and "no picture (black)". */
function shotLook(shot: ShotRecord): { colour: string; words: string } {
  const noPicture = shotWithoutPicture(shot);
  return noPicture ? { colour: NO_PICTURE_COLOUR, words: describeNoPicture(noPicture) } : { colour: SCALE_COLOURS[shot.scale], words: shot.scale };
}

const WIDTH = 1000;
const LEFT = 70;

/** The shots along time, a row per camera, each coloured by its scale. */
function strip(shots: readonly ShotRecord[], layout: Layout): string {
  const row = 34;
  const height = layout.cameras.length * row + 24;
  const x = (t: number): number => LEFT + (t / layout.span) * (WIDTH - LEFT - 10);
  const rects = shots.map((s) => {
    const y = layout.cameras.indexOf(s.cameraId) * row;
    const x0 = x((s.inTime - layout.start) / 1000), x1 = x((s.outTime - layout.start) / 1000);
    const look = shotLook(s);
    return `<rect x="${x0.toFixed(1)}" y="${y + 4}" width="${Math.max(x1 - x0, 0.8).toFixed(1)}" height="${row - 8}" fill="${look.colour}" class="shot"><title>#${s.id} ${escapeMarkup(look.words)} ${s.tcIn}-${s.tcOut} (${s.durationS.toFixed(1)} s)</title></rect>`;
  });
  const names = layout.cameras.map((c, i) => `<text x="${LEFT - 8}" y="${i * row + row / 2 + 4}" class="axis" text-anchor="end">${escapeMarkup(c)}</text>`);
  return `<svg viewBox="0 0 ${WIDTH} ${height}" class="chart" role="img" aria-label="shots along time, coloured by scale">${names.join('')}${rects.join('')}${timeAxis(layout.span, x, layout.cameras.length * row)}</svg>`;
}

/**
 * Scale (tight at the top) against time, a step per shot. Several cameras get
 * a chart each, on the same time axis: their lines in one chart crossed at
 * every cut and read as one camera jumping between scales.
 */
function scaleOverTime(shots: readonly ShotRecord[], layout: Layout): string {
  if (layout.cameras.length <= 1) return scaleChart(shots, layout, 22, 'scale over time');
  return layout.cameras
    .map((camera) => `<figure class="camera-scale"><figcaption>${escapeMarkup(camera)}</figcaption>${scaleChart(shots.filter((s) => s.cameraId === camera), layout, 14, `scale over time, ${camera}`)}</figure>`)
    .join('\n');
}

/** One chart of `shots` (one camera's, or a film's) on the layout's time axis; `band`: the height of a scale's row. */
function scaleChart(shots: readonly ShotRecord[], layout: Layout, band: number, label: string): string {
  const height = CANONICAL_SCALES.length * band + 24;
  const x = (t: number): number => LEFT + (t / layout.span) * (WIDTH - LEFT - 10);
  const y = (scale: CanonicalScale): number => CANONICAL_SCALES.indexOf(scale) * band + band / 2;
  const grid = CANONICAL_SCALES.map((s) => `<line x1="${LEFT}" x2="${WIDTH - 10}" y1="${y(s)}" y2="${y(s)}" class="grid"/><text x="${LEFT - 8}" y="${y(s) + 4}" class="axis" text-anchor="end">${s}</text>`);
  // A shot with no picture has no scale to plot: the line breaks there.
  const lines = runsWithPicture(shots).map((run) => {
    const points = run.flatMap((s) => [`${x((s.inTime - layout.start) / 1000).toFixed(1)},${y(s.scale)}`, `${x((s.outTime - layout.start) / 1000).toFixed(1)},${y(s.scale)}`]);
    return `<polyline points="${points.join(' ')}" class="step"/>`;
  });
  const dots = shots.filter((s) => !shotWithoutPicture(s)).map((s) => `<circle cx="${x((s.inTime - layout.start) / 1000).toFixed(1)}" cy="${y(s.scale)}" r="3" fill="${SCALE_COLOURS[s.scale]}"><title>#${s.id} ${s.scale} at ${s.tcIn}</title></circle>`);
  return `<svg viewBox="0 0 ${WIDTH} ${height}" class="chart" role="img" aria-label="${escapeMarkup(label)}">${grid.join('')}${lines.join('')}${dots.join('')}${timeAxis(layout.span, x, CANONICAL_SCALES.length * band)}</svg>`;
}

/** Time between two shots of a camera past which its line breaks (the server stopped, the camera was away). */
const LINE_GAP_MS = 1000;

/**
 * Consecutive shots with a picture, split at each shot without one and at
 * each gap in the log: a line drawn across hours with nothing logged read
 * as a slow zoom.
 */
function runsWithPicture(shots: readonly ShotRecord[]): ShotRecord[][] {
  const runs: ShotRecord[][] = [[]];
  for (const shot of shots) {
    const run = runs[runs.length - 1]!;
    const last = run.at(-1);
    if (shotWithoutPicture(shot)) runs.push([]);
    else if (last && shot.inTime - last.outTime > LINE_GAP_MS) runs.push([shot]);
    else run.push(shot);
  }
  return runs.filter((run) => run.length);
}

/** Horizontal bars per scale: `values` as shares of their largest, each labelled. */
function bars(title: string, values: number[], label: (v: number) => string): string {
  const max = Math.max(...values, 1e-9);
  const band = 24;
  const w = 480;
  const rows = CANONICAL_SCALES.map((s, i) => {
    const len = (values[i]! / max) * (w - 150);
    return `<text x="40" y="${i * band + 16}" class="axis" text-anchor="end">${s}</text><rect x="48" y="${i * band + 4}" width="${len.toFixed(1)}" height="${band - 8}" fill="${SCALE_COLOURS[s]}"/><text x="${(54 + len).toFixed(1)}" y="${i * band + 16}" class="value">${escapeMarkup(label(values[i]!))}</text>`;
  });
  return `<figure><figcaption>${escapeMarkup(title)}</figcaption><svg viewBox="0 0 ${w} ${CANONICAL_SCALES.length * band}" class="bars" role="img" aria-label="${escapeMarkup(title)}">${rows.join('')}</svg></figure>`;
}

/**
 * Under a shot: its scene and take, its tags, its note. Each tag is an item
 * of its own: joined with ", ", the tags "Smith, John" and "Anna & Ben" read
 * as three names. The note keeps its line breaks (raw in the cell, a break
 * showed as a space).
 */
function shotNotes(shot: ShotRecord): string {
  const slate = shot.scene ? `<div>${escapeMarkup(`scene ${shot.scene}${shot.take ? ` take ${shot.take}` : ''}`)}</div>` : '';
  const tags = shot.tags.length ? `<ul class="tags">${shot.tags.map((tag) => `<li>${escapeMarkup(tag)}</li>`).join(' ')}</ul>` : '';
  const note = shot.note ? `<div class="note">${escapeMarkup(shot.note).replace(/\r\n?|\n/g, '<br>')}</div>` : '';
  return `${slate}${tags}${note}`;
}

function shotRow(shot: ShotRecord, number: number, thumbnail: Buffer | null, withCamera: boolean): string {
  const noPicture = shotWithoutPicture(shot);
  // "no picture" is a camera black (as the Shots view says it): a shot with footage and no thumbnail (one a crash left open) had a picture.
  const image = thumbnail ? `<img src="data:image/jpeg;base64,${thumbnail.toString('base64')}" alt="shot ${number}" width="128">` : `<div class="noimg">${noPicture ? 'no picture' : 'no thumbnail'}</div>`;
  const moved = shot.scaleStart && shot.scaleEnd && shot.scaleStart !== shot.scaleEnd ? `<div class="small">${shot.scaleStart} to ${shot.scaleEnd}</div>` : '';
  // An operator's scale on a shot with no picture has no confidence: the classifier's was carried over with its scale.
  const scale = noPicture
    ? `<span class="chip" style="background:${NO_PICTURE_COLOUR};color:#111">${escapeMarkup(describeNoPicture(noPicture))}</span>`
    : `<span class="chip" style="background:${SCALE_COLOURS[shot.scale]};color:${CANONICAL_SCALES.indexOf(shot.scale) >= 4 ? '#111' : '#fff'}">${shot.scale}</span>${shot.noPicture ? '' : ` ${Math.round(shot.confidence * 100)}%`}${scaleSetBy(shot)}${moved}`;
  const extra = shotNotes(shot);
  return `<tr>
<td class="num">${number}</td><td>${image}</td>
<td class="tc">${escapeMarkup(shot.tcIn)}<br>${escapeMarkup(shot.tcOut)}</td>
<td class="num">${shot.durationS.toFixed(1)} s</td>
<td>${scale}<div class="small">${escapeMarkup(shot.reason ?? '')}</div></td>
<td>${subjectsCell(shot)}</td>
<td>${escapeMarkup(CUT_WORDS[shot.cutIn])}${shot.cutOut ? ` / ${escapeMarkup(CUT_WORDS[shot.cutOut])}` : ''}</td>
${withCamera ? `<td>${escapeMarkup(shot.cameraId)}${extra ? `<div class="small">${extra}</div>` : ''}</td>` : extra ? `<td class="small">${extra}</td>` : '<td></td>'}
</tr>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1e24; background: #fff; margin: 24px auto; max-width: 1080px; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 2px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dde1e6; padding-bottom: 4px; }
.meta { color: #555c66; margin: 0 0 8px; }
.figures { display: flex; flex-wrap: wrap; gap: 10px 28px; margin: 14px 0; }
.figures div { min-width: 110px; } .figures b { display: block; font-size: 22px; }
.chart { width: 100%; height: auto; display: block; }
.bars { width: 100%; height: auto; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; } figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
.axis { font-size: 11px; fill: #555c66; } .value { font-size: 11px; fill: #1b1e24; }
.tick { stroke: #8a8f98; } .grid { stroke: #eceef1; } .step { fill: none; stroke: #6b7280; stroke-width: 1.2; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 6px 0 0; font-size: 12px; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -2px; background: var(--c); border-radius: 2px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #eceef1; }
th { font-size: 12px; color: #555c66; font-weight: 600; position: sticky; top: 0; background: #fff; }
td.num { text-align: right; white-space: nowrap; } td.tc { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; font-size: 12px; }
img { display: block; border-radius: 3px; } .noimg { width: 128px; height: 72px; background: #f1f3f5; color: #8a8f98; font-size: 11px; display: flex; align-items: center; justify-content: center; }
.chip { display: inline-block; min-width: 40px; text-align: center; font-weight: 700; border-radius: 3px; padding: 1px 6px; }
.small { font-size: 12px; color: #555c66; }
.tags { list-style: none; margin: 2px 0; padding: 0; } .tags li { display: inline-block; margin: 1px 0; padding: 0 5px; border: 1px solid #c9ced6; border-radius: 3px; background: #f6f7f9; color: #1b1e24; }
.camera-scale { margin: 0 0 10px; } .camera-scale figcaption { font-size: 12px; }
footer { margin: 24px 0; font-size: 12px; color: #8a8f98; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; }
  tr, figure, svg { break-inside: avoid; } th { position: static; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}`;

export function filmReport(shots: readonly ShotRecord[], options: FilmReportOptions): string {
  const sorted = [...shots].sort((a, b) => a.inTime - b.inTime || a.cameraId.localeCompare(b.cameraId));
  const stats = computeCoverage(sorted);
  const generated = new Date(options.generatedAt ?? Date.now()).toISOString().replace('T', ' ').slice(0, 16);
  const head = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="shotscale"><title>${escapeMarkup(options.title)}: shot report</title><style>${STYLE}</style></head><body>
<h1>${escapeMarkup(options.title)}</h1>
<p class="meta">${options.subtitle ? `${escapeMarkup(options.subtitle)} · ` : ''}shot report made ${generated} UTC${sorted.length ? ` · ${sorted[0]!.rate} fps timecode` : ''}</p>`;
  if (!sorted.length) return `${head}<p>No shots match.</p></body></html>\n`;
  const layout = layoutOf(sorted);
  const cuts = new Map<string, number>();
  for (const s of sorted) if (s.cutIn !== 'start' && s.cutIn !== 'take' && s.cutIn !== 'restart') cuts.set(CUT_WORDS[s.cutIn], (cuts.get(CUT_WORDS[s.cutIn]) ?? 0) + 1);
  const mostHeld = CANONICAL_SCALES.reduce((best, s) => (stats.byScale[s].seconds > stats.byScale[best].seconds ? s : best), CANONICAL_SCALES[0]);
  const figures = [
    [sorted.length === 1 ? 'shot' : 'shots', String(sorted.length)],
    ['running time', formatSeconds(layout.span)],
    ['average shot length', `${stats.averageShotLengthS.toFixed(1)} s`],
    ['most of the time', stats.seconds > 0 ? mostHeld : 'no picture'],
    ...(stats.noPicture.count ? [['no picture', `${stats.noPicture.count} shot${stats.noPicture.count === 1 ? '' : 's'}, ${formatSeconds(stats.noPicture.seconds)}`]] : []),
    // Listed below like every shot, but left out of the average and the scales: no frame of theirs was read.
    ...(stats.unanalysed.count ? [['not analysed', `${stats.unanalysed.count} shot${stats.unanalysed.count === 1 ? '' : 's'}, ${formatSeconds(stats.unanalysed.seconds)}`]] : []),
    ['transitions', cuts.size ? [...cuts].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ') : 'none'],
  ];
  const legend = [
    ...CANONICAL_SCALES.map((s) => `<span style="--c:${SCALE_COLOURS[s]}">${s}</span>`),
    ...(stats.noPicture.count ? [`<span style="--c:${NO_PICTURE_COLOUR}">no picture</span>`] : []),
  ].join('');
  const thumbnail = options.thumbnail ?? (() => null);
  // A film (one source) needs no camera column; a scene shot on several cameras does.
  const withCamera = layout.cameras.length > 1;
  return `${head}
<div class="figures">${figures.map(([k, v]) => `<div><b>${escapeMarkup(v!)}</b>${escapeMarkup(k!)}</div>`).join('')}</div>
<h2>Shots along time</h2>
${strip(sorted, layout)}
<div class="legend">${legend}</div>
<h2>Scale over time</h2>
${scaleOverTime(sorted, layout)}
<h2>Scales</h2>
<div class="pair">
${bars('By time', CANONICAL_SCALES.map((s) => stats.byScale[s].seconds), (v) => (v > 0 ? `${formatSeconds(v)} (${Math.round((v / Math.max(stats.seconds, 1e-9)) * 100)}%)` : ''))}
${bars('By count', CANONICAL_SCALES.map((s) => stats.byScale[s].count), (v) => (v > 0 ? `${v} shot${v === 1 ? '' : 's'}` : ''))}
</div>
<h2>Shots</h2>
<table>
<thead><tr><th>#</th><th>picture</th><th>in / out</th><th>length</th><th>scale</th><th>subjects</th><th>cut in / out</th><th>${withCamera ? 'camera' : 'notes'}</th></tr></thead>
<tbody>
${sorted.map((s, i) => shotRow(s, i + 1, thumbnail(s), withCamera)).join('\n')}
</tbody></table>
<footer>shotscale · scales: ECU extreme close-up, CU close-up, MCU medium close-up, MS medium shot, MWS medium wide, FS full shot, WS wide, EWS extreme wide</footer>
</body></html>
`;
}
