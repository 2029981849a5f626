/**
 * Test clips for the cut detector whose cuts are known to the frame: shots of
 * real footage (the clips in ../shared/fixtures/clips, each of them one shot
 * over the stretch taken) and a few lavfi patterns, resampled to 25 fps,
 * trimmed to exact frame counts and joined with ffmpeg's concat (hard cut) or
 * xfade (dissolve, dip to black, dip to white). Flashes brighten a few frames
 * of one shot and leave its picture otherwise unchanged.
 * Built with the Debian ffmpeg on PATH (5.1: xfade, gradients).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './media.js';

const run = promisify(execFile);

export const CLIPS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures', 'clips');
export const CLIP_FPS = 25;
const WIDTH = 320;
const HEIGHT = 180;

/** A stretch of one source: a file from CLIPS_DIR, or a lavfi pattern. */
interface Shot {
  file?: string;
  lavfi?: string;
  startS?: number;
  frames: number;
  /** Play slower by this factor (frames repeat, as in slow motion from a 25 fps camera). */
  slow?: number;
  /** Hold the first frame for the whole shot. */
  still?: boolean;
  /** Flashes: frames (counted inside this shot) brightened, the luma expression as lutyuv takes it. */
  flashes?: { from: number; to: number; luma: string }[];
}

type Join = { kind: 'hard' } | { kind: 'dissolve' | 'fadeblack' | 'fadewhite'; frames: number };

export interface KnownTransition {
  kind: 'dissolve' | 'fade';
  /** First and last frame that mix the two shots (or either with black/white). */
  startFrame: number;
  endFrame: number;
}

export interface CutClipTruth {
  /** First frame of each new shot joined by a hard cut. */
  hardCuts: number[];
  transitions: KnownTransition[];
  /** Brightened frames (inclusive ranges): not cuts. */
  flashes: { startFrame: number; endFrame: number }[];
  frames: number;
}

export interface CutClip extends CutClipTruth {
  name: string;
  path: string;
  fps: number;
  description: string;
}

export interface ClipSpec {
  name: string;
  description: string;
  shots: Shot[];
  /** joins[i] joins shots[i] and shots[i + 1]. */
  joins: Join[];
}

const clip = (file: string) => path.join(CLIPS_DIR, file);
const TOS = clip('tos_zwm_clip01_10s.mp4');
const RUNNERS = clip('openmpf_runners_9s.mp4');
const HIKERS = clip('openmpf_video_02_hikers_17s.mp4');
const GROUP = clip('openmpf_video_01_group_3s.mp4');
const SELFIE = clip('openmpf_new_face_video-90_17s.mp4');
const MARATHON = clip('openmpf_five_second_marathon_5s.mkv');
const NASA = clip('nasa_apollo15_feather_hammer_47s.mp4');
const INTEL = clip('intel_one_by_one_person_detection_2m19s.mp4');

// A camera flash washes the picture out towards white; a softer one lifts it.
const WASHED_OUT = 'min(255,200+val*0.25)';
const LIFTED = 'min(255,val*0.6+110)';

export const CUT_CLIP_SPECS: readonly ClipSpec[] = [
  {
    name: 'hard-cuts',
    description: 'seven real shots joined by hard cuts, two of them from the same (hikers) clip ten seconds apart',
    shots: [
      { file: TOS, startS: 3.2, frames: 30 },
      { file: RUNNERS, startS: 1, frames: 28 },
      { file: HIKERS, startS: 2, frames: 26 },
      { file: HIKERS, startS: 12, frames: 30 },
      { file: GROUP, startS: 0.5, frames: 24 },
      { file: MARATHON, startS: 1, frames: 30 },
      { file: SELFIE, startS: 3, frames: 30 },
    ],
    joins: [{ kind: 'hard' }, { kind: 'hard' }, { kind: 'hard' }, { kind: 'hard' }, { kind: 'hard' }, { kind: 'hard' }],
  },
  {
    name: 'dissolves',
    description: 'cross-dissolves (xfade=fade) of 15, 25 and 8 frames between four real shots',
    shots: [
      { file: MARATHON, startS: 1, frames: 45 },
      { file: TOS, startS: 3.2, frames: 70 },
      { file: GROUP, startS: 0, frames: 50 },
      { file: NASA, startS: 12, frames: 40 },
    ],
    joins: [
      { kind: 'dissolve', frames: 15 },
      { kind: 'dissolve', frames: 25 },
      { kind: 'dissolve', frames: 8 },
    ],
  },
  {
    name: 'fades',
    description: 'a 20-frame dip to black, then a 12-frame dip to white (a flash dissolve), between real shots',
    shots: [
      { file: HIKERS, startS: 2, frames: 45 },
      { file: NASA, startS: 12, frames: 60 },
      { file: INTEL, startS: 30, frames: 45 },
    ],
    joins: [
      { kind: 'fadeblack', frames: 20 },
      { kind: 'fadewhite', frames: 12 },
    ],
  },
  {
    name: 'flashes',
    description: 'camera flashes inside two shots (2 washed-out frames, 1 lifted frame, 3 lifted frames) and one hard cut',
    shots: [
      {
        file: MARATHON,
        startS: 1,
        frames: 60,
        flashes: [
          { from: 20, to: 21, luma: WASHED_OUT },
          { from: 45, to: 45, luma: LIFTED },
        ],
      },
      { file: TOS, startS: 3.2, frames: 50, flashes: [{ from: 20, to: 22, luma: LIFTED }] },
    ],
    joins: [{ kind: 'hard' }],
  },
  {
    name: 'static-slow',
    description: 'a still picture, then 4x slow motion (each frame shown four times), then a pan; hard cuts between',
    shots: [
      { file: GROUP, startS: 1, frames: 50, still: true },
      { file: HIKERS, startS: 5, frames: 60, slow: 4 },
      { file: RUNNERS, startS: 4, frames: 40 },
    ],
    joins: [{ kind: 'hard' }, { kind: 'hard' }],
  },
  {
    name: 'patterns',
    description: 'ffmpeg lavfi patterns (testsrc2, smptebars, mandelbrot, gradients, testsrc) joined by hard cuts',
    shots: [
      { lavfi: 'testsrc2', frames: 25 },
      { lavfi: 'smptebars', frames: 25 },
      { lavfi: 'mandelbrot', frames: 30 },
      { lavfi: 'gradients=speed=0.02', frames: 25 },
      { lavfi: 'testsrc', frames: 25 },
    ],
    joins: [{ kind: 'hard' }, { kind: 'hard' }, { kind: 'hard' }, { kind: 'hard' }],
  },
];

/** The exact frames of a clip built from spec, worked out from the joins. */
export function truthOf(spec: ClipSpec): CutClipTruth {
  const truth: CutClipTruth = { hardCuts: [], transitions: [], flashes: [], frames: 0 };
  spec.shots.forEach((shot, i) => {
    const join = i === 0 ? null : spec.joins[i - 1]!;
    // xfade overlaps the end of the output so far with the start of this shot.
    const overlap = join && join.kind !== 'hard' ? join.frames : 0;
    const start = truth.frames - overlap;
    if (join?.kind === 'hard') truth.hardCuts.push(start);
    else if (join) truth.transitions.push({ kind: join.kind === 'dissolve' ? 'dissolve' : 'fade', startFrame: start, endFrame: start + overlap - 1 });
    for (const f of shot.flashes ?? []) truth.flashes.push({ startFrame: start + f.from, endFrame: start + f.to });
    truth.frames = start + shot.frames;
  });
  return truth;
}

function inputArgs(shot: Shot): string[] {
  // Enough source for the frames wanted, plus a margin for the resampling.
  const seconds = ((shot.still ? 1 : shot.frames / (shot.slow ?? 1)) / CLIP_FPS + 1).toFixed(2);
  if (shot.lavfi) return ['-f', 'lavfi', '-t', seconds, '-i', `${shot.lavfi.includes('=') ? shot.lavfi + ':' : shot.lavfi + '='}size=${WIDTH}x${HEIGHT}:rate=${CLIP_FPS}`];
  if (!shot.file) throw new Error('a shot needs a file or a lavfi pattern');
  return ['-ss', String(shot.startS ?? 0), '-t', seconds, '-i', shot.file];
}

function shotFilter(shot: Shot, input: number): string {
  const steps = ['setpts=PTS-STARTPTS'];
  if (shot.slow) steps.push(`setpts=${shot.slow}*PTS`);
  steps.push(`fps=${CLIP_FPS}`, `scale=${WIDTH}:${HEIGHT}`, 'setsar=1', 'format=yuv420p');
  if (shot.still) steps.push('trim=end_frame=1', `loop=loop=${shot.frames - 1}:size=1:start=0`);
  else steps.push(`trim=end_frame=${shot.frames}`);
  steps.push(`setpts=N/(${CLIP_FPS}*TB)`, `settb=1/${CLIP_FPS}`);
  for (const f of shot.flashes ?? []) steps.push(`lutyuv=y='${f.luma}':enable='between(n,${f.from},${f.to})'`);
  return `[${input}:v]${steps.join(',')}[s${input}]`;
}

const XFADE: Record<Exclude<Join['kind'], 'hard'>, string> = { dissolve: 'fade', fadeblack: 'fadeblack', fadewhite: 'fadewhite' };

/** The ffmpeg arguments that build spec into out. */
export function buildArgs(spec: ClipSpec, out: string): string[] {
  const filters = spec.shots.map((shot, i) => shotFilter(shot, i));
  let current = 's0';
  let frames = spec.shots[0]!.frames;
  spec.joins.forEach((join, j) => {
    const next = `s${j + 1}`;
    const label = `j${j + 1}`;
    if (join.kind === 'hard') {
      filters.push(`[${current}][${next}]concat=n=2:v=1:a=0,settb=1/${CLIP_FPS}[${label}]`);
    } else {
      const offset = (frames - join.frames) / CLIP_FPS;
      filters.push(`[${current}][${next}]xfade=transition=${XFADE[join.kind]}:duration=${join.frames / CLIP_FPS}:offset=${offset},settb=1/${CLIP_FPS}[${label}]`);
    }
    frames += spec.shots[j + 1]!.frames - (join.kind === 'hard' ? 0 : join.frames);
    current = label;
  });
  return [
    '-hide_banner', '-loglevel', 'error', '-y',
    ...spec.shots.flatMap(inputArgs),
    '-filter_complex', filters.join(';'),
    '-map', `[${current}]`,
    '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-r', String(CLIP_FPS),
    out,
  ];
}

/** Builds one clip (by name) into dir. */
export async function makeCutClip(name: string, dir: string = tempDir('shotscale-cuts-')): Promise<CutClip> {
  const spec = CUT_CLIP_SPECS.find((s) => s.name === name);
  if (!spec) throw new Error(`no cut clip named ${name}`);
  const out = path.join(dir, `${spec.name}.mp4`);
  await run('ffmpeg', buildArgs(spec, out));
  return { name: spec.name, description: spec.description, path: out, fps: CLIP_FPS, ...truthOf(spec) };
}

/** Builds every clip into dir, in parallel. */
export async function makeCutClips(dir: string = tempDir('shotscale-cuts-')): Promise<CutClip[]> {
  return Promise.all(CUT_CLIP_SPECS.map((spec) => makeCutClip(spec.name, dir)));
}

/** The montage in CLIPS_DIR and what its README and CSV files say about it. */
export interface MontageTruth {
  path: string;
  fps: number;
  frames: number;
  /** montage_cuts.csv: the first frame of each new shot (all hard cuts). */
  hardCuts: number[];
  /** README: a VFX flicker inside segment 0, not a cut. */
  flicker: { startFrame: number; endFrame: number };
  /**
   * README: segment 4 (the riot clip) holds a white-flash dissolve to another
   * view; montage_cuts.csv lists hard cuts only, so it is not among them. Its
   * frames are not given: the segment's inside, without its cut frames.
   */
  flashDissolveSegment: { startFrame: number; endFrame: number };
}

function csvRows(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

export function montageTruth(): MontageTruth {
  const cuts = csvRows(path.join(CLIPS_DIR, 'montage_cuts.csv'));
  const segments = csvRows(path.join(CLIPS_DIR, 'montage_truth.csv'));
  const riot = segments.find((s) => s.source === 'openmpf_scene_change_riot_4s');
  if (!riot) throw new Error('montage_truth.csv: no riot segment');
  const riotStart = Number(riot.start_frame);
  const last = segments.at(-1)!;
  return {
    path: path.join(CLIPS_DIR, 'montage_cc_pd_segments_640x360.mp4'),
    fps: 24,
    frames: Number(last.start_frame) + Number(last.frames),
    hardCuts: cuts.filter((c) => c.kind === 'hard').map((c) => Number(c.frame)),
    flicker: { startFrame: 192, endFrame: 204 },
    flashDissolveSegment: { startFrame: riotStart + 3, endFrame: riotStart + Number(riot.frames) - 3 },
  };
}
