import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPORT_FORMATS, exportShots, isExportFormat, type ExportOptions } from '../../server/exports/export-shots.js';
import { CANONICAL_SCALES, SCALE_NAMES, type CanonicalScale } from '../../server/shared/scale.js';
import type { ShotRecord, TimecodeRateName } from '../../server/shared/shots.js';
import { timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';
import { isShotscaleError } from '../../server/errors.js';
import { DAY_START, NOBODY, shot, TWO } from '../support/timecoded-shots.js';
import { parseAle, parseCsv, parseEdl, readOtio, type EdlEvent, type OtioItem } from '../support/export-parsers.js';

// ------------------------------------------------------------------ fixtures


const AWKWARD_NOTE = 'Anna, "the lead"\nenters\tleft, then\r\nexits';

/** One feed at 25 fps, with a gap, a one-frame shot and every kind of awkward text. */
const FEED_25 = [
  shot({ camera: 'cam-1', id: 11, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:04:12', scale: 'MCU', extra: { note: AWKWARD_NOTE, tags: ['anna', 'ben, jr'], reason: 'shoulders in, hips out; "MCU"' } }),
  shot({ camera: 'cam-1', id: 12, rate: '25', tcIn: '10:00:04:12', tcOut: '10:00:10:00', scale: 'WS', extra: { note: '=HYPERLINK("http://x")', tags: ['+cast', '@crew'], subjects: TWO, scene: '-4', take: '=1+1' } }),
  shot({ camera: 'cam-1', id: 13, rate: '25', tcIn: '10:00:12:00', tcOut: '10:00:12:01', scale: 'ECU', extra: { subjects: null, reason: null, scene: null, take: null, cutOut: null } }),
  shot({ camera: 'cam-1', id: 14, rate: '25', tcIn: '10:00:12:01', tcOut: '10:01:00:00', scale: 'EWS', extra: { subjects: NOBODY, note: 'tab\there' } }),
];

/** 23.976 across the hour. */
const FEED_23976 = [
  shot({ camera: 'cam-a', id: 1, rate: '23.976', tcIn: '00:59:59:00', tcOut: '01:00:01:00', scale: 'CU' }),
  shot({ camera: 'cam-a', id: 2, rate: '23.976', tcIn: '01:00:01:00', tcOut: '01:00:30:12', scale: 'MS' }),
  shot({ camera: 'cam-a', id: 3, rate: '23.976', tcIn: '01:00:30:12', tcOut: '01:00:30:23', scale: 'FS' }),
];

/** 29.97 drop-frame: across a dropped minute, the tenth minute (not dropped) and the eleventh. */
const FEED_2997DF = [
  shot({ camera: 'programme', id: 21, rate: '29.97DF', tcIn: '00:00:50;00', tcOut: '00:00:59;28', scale: 'CU' }),
  shot({ camera: 'programme', id: 22, rate: '29.97DF', tcIn: '00:00:59;28', tcOut: '00:01:00;04', scale: 'MS' }),
  shot({ camera: 'programme', id: 23, rate: '29.97DF', tcIn: '00:01:00;04', tcOut: '00:09:59;20', scale: 'FS' }),
  shot({ camera: 'programme', id: 24, rate: '29.97DF', tcIn: '00:09:59;20', tcOut: '00:10:00;10', scale: 'EWS' }),
  shot({ camera: 'programme', id: 25, rate: '29.97DF', tcIn: '00:10:59;25', tcOut: '00:11:00;03', scale: 'MWS' }),
  shot({ camera: 'programme', id: 26, rate: '29.97DF', tcIn: '00:11:00;03', tcOut: '01:00:00;00', scale: 'MCU' }),
];

/** 59.94 drop-frame: four numbers dropped per minute. */
const FEED_5994DF = [
  shot({ camera: 'cam-1', id: 31, rate: '59.94DF', tcIn: '00:00:59;50', tcOut: '00:01:00;10', scale: 'MS' }),
  shot({ camera: 'cam-1', id: 32, rate: '59.94DF', tcIn: '00:01:00;10', tcOut: '00:01:10;00', scale: 'CU' }),
  shot({ camera: 'cam-1', id: 33, rate: '59.94DF', tcIn: '00:09:59;58', tcOut: '00:10:00;02', scale: 'WS' }),
];

/** Five cameras shooting at once (time-of-day timecode), two of whose ids collide when cut to 8 characters and one of which collides by character. */
const MULTI_CAMERA = [
  shot({ camera: 'cam-1', id: 41, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:05:00', scale: 'MCU' }),
  shot({ camera: 'cam-2', id: 42, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:07:00', scale: 'WS' }),
  shot({ camera: 'camera-left-wide', id: 43, rate: '25', tcIn: '10:00:02:00', tcOut: '10:00:06:00', scale: 'FS' }),
  shot({ camera: 'camera-left-wide-2', id: 44, rate: '25', tcIn: '10:00:03:00', tcOut: '10:00:04:00', scale: 'EWS' }),
  shot({ camera: 'cam-1', id: 45, rate: '25', tcIn: '10:00:05:00', tcOut: '10:00:09:00', scale: 'CU' }),
  shot({ camera: 'cam-2', id: 46, rate: '25', tcIn: '10:00:07:00', tcOut: '10:00:09:00', scale: 'MS' }),
  shot({ camera: 'cam 1', id: 47, rate: '25', tcIn: '10:00:08:00', tcOut: '10:00:09:00', scale: 'ECU' }),
];

interface Fixture {
  name: string;
  shots: ShotRecord[];
  rate: TimecodeRateName;
  multiCamera: boolean;
}

const FIXTURES: Fixture[] = [
  { name: '25 fps, one feed, awkward text', shots: FEED_25, rate: '25', multiCamera: false },
  { name: '23.976, one feed', shots: FEED_23976, rate: '23.976', multiCamera: false },
  { name: '29.97DF, one feed', shots: FEED_2997DF, rate: '29.97DF', multiCamera: false },
  { name: '59.94DF, one feed', shots: FEED_5994DF, rate: '59.94DF', multiCamera: false },
  { name: '25 fps, five cameras', shots: MULTI_CAMERA, rate: '25', multiCamera: true },
];

// ------------------------------------------------------------------ helpers

const byTime = (shots: readonly ShotRecord[]) => [...shots].sort((a, b) => a.inTime - b.inTime || (a.cameraId < b.cameraId ? -1 : 1));
/** The exporters must sort: give them the shots backwards. */
const shuffled = (shots: readonly ShotRecord[]) => [...shots].reverse();
const options = (extra: Partial<ExportOptions> = {}): ExportOptions => ({ title: 'shotscale test log', generatedAt: DAY_START, ...extra });
const run = (shots: readonly ShotRecord[], format: (typeof EXPORT_FORMATS)[number], extra: Partial<ExportOptions> = {}) =>
  exportShots(shuffled(shots), format, options(extra)).body;

const frames = (tc: string, rate: TimecodeRateName) => timecodeToFrames(tc, timecodeRate(rate));
const length = (s: ShotRecord) => s.outFrame - s.inFrame;
const separatorOk = (tc: string, rate: TimecodeRateName) => (timecodeRate(rate).dropFrame ? /;\d\d$/ : /:\d\d$/).test(tc);
const FROM_CLIP = /^FROM CLIP NAME: (.*) shot (\d+)$/;

const RESOLVE_COLOURS = new Set(
  ['Blue', 'Cyan', 'Green', 'Yellow', 'Red', 'Pink', 'Purple', 'Fuchsia', 'Rose', 'Lavender', 'Sky', 'Mint', 'Lemon', 'Sand', 'Cocoa', 'Cream'].map((c) => `ResolveColor${c}`),
);
const AVID_COLOURS = new Set(['RED', 'GREEN', 'BLUE', 'CYAN', 'MAGENTA', 'YELLOW', 'BLACK', 'WHITE']);
const OTIO_COLOURS = new Set(['PINK', 'RED', 'ORANGE', 'YELLOW', 'GREEN', 'CYAN', 'BLUE', 'PURPLE', 'MAGENTA', 'BLACK', 'WHITE']);

/** One colour per scale, each scale its own colour. */
function assertColourPerScale(pairs: [CanonicalScale, string][], palette: Set<string>) {
  const colourOf = new Map<CanonicalScale, string>();
  for (const [scale, colour] of pairs) {
    assert.ok(palette.has(colour), `${colour} is not a known colour`);
    assert.equal(colourOf.get(scale) ?? colour, colour, `${scale} has one colour`);
    colourOf.set(scale, colour);
  }
  const colours = [...colourOf.values()];
  assert.equal(new Set(colours).size, colours.length, 'different scales, different colours');
}

/** Record times: one feed = source timecode; several cameras = end to end from 01:00:00:00. */
function assertRecordTimes(events: readonly EdlEvent[], fixture: Fixture) {
  const { rate } = fixture;
  let expectedIn = frames('01:00:00:00', rate);
  for (const e of events) {
    const recIn = frames(e.recIn, rate);
    const recOut = frames(e.recOut, rate);
    if (fixture.multiCamera) {
      assert.equal(recIn, expectedIn, `event ${e.number} starts where the last ended`);
      expectedIn = recOut;
    } else {
      assert.equal(e.recIn, e.srcIn);
      assert.equal(e.recOut, e.srcOut);
    }
    assert.equal(recOut - recIn, frames(e.srcOut, rate) - frames(e.srcIn, rate), 'record and source durations match');
  }
}

// ------------------------------------------------------------------ round trips per fixture

for (const fixture of FIXTURES) {
  const expected = byTime(fixture.shots);
  const { rate } = fixture;

  describe(`exports: ${fixture.name}`, () => {
    test('CSV: one row per shot, in time order, every field back', () => {
      const rows = parseCsv(run(fixture.shots, 'csv'));
      assert.equal(rows.length, expected.length);
      rows.forEach((row, i) => {
        const s = expected[i]!;
        assert.equal(row.id, String(s.id));
        assert.equal(row.camera, s.cameraId);
        assert.equal(row.tc_in, s.tcIn);
        assert.equal(row.tc_out, s.tcOut);
        assert.equal(frames(row.tc_in!, row.rate as TimecodeRateName), s.inFrame);
        assert.equal(frames(row.tc_out!, row.rate as TimecodeRateName), s.outFrame);
        assert.equal(row.rate, s.rate);
        assert.equal(Number(row.frames), length(s));
        assert.ok(Math.abs(Number(row.duration_s) - s.durationS) < 0.0006);
        assert.ok(Math.abs(Number(row.start_s) - s.startS) < 0.0006);
        assert.ok(Math.abs(Number(row.end_s) - (s.startS + s.durationS)) < 0.0006);
        assert.equal(row.scale, s.scale);
        assert.equal(row.scale_name, SCALE_NAMES[s.scale]);
        assert.equal(Number(row.confidence), s.confidence);
        assert.equal(row.people, s.subjects ? String(s.subjects.count) : '');
        assert.equal(row.framing, s.subjects?.framing ?? '');
        assert.equal(row.in_time, new Date(s.inTime).toISOString());
        assert.equal(row.out_time, new Date(s.outTime).toISOString());
        assert.equal(row.cut_out, s.cutOut ?? '');
        CANONICAL_SCALES.forEach((scale, k) => assert.ok(Math.abs(Number(row[`p_${scale}`]) - s.probabilities[k]!) < 0.00006));
      });
    });

    test('JSON: every ShotRecord with its scale name, and the summary', () => {
      const doc = JSON.parse(run(fixture.shots, 'json')) as Record<string, unknown> & { shots: Record<string, unknown>[]; summary: Record<string, number> };
      assert.equal(doc.format, 'shotscale-shot-log');
      assert.equal(doc.version, 1);
      assert.equal(doc.title, 'shotscale test log');
      assert.equal(doc.rate, rate);
      assert.equal(doc.generatedAt, new Date(DAY_START).toISOString());
      assert.deepEqual(
        doc.shots,
        expected.map((s) => ({ ...s, scaleName: SCALE_NAMES[s.scale] })),
      );
      const seconds = expected.reduce((sum, s) => sum + s.durationS, 0);
      assert.equal(doc.summary.shots, expected.length);
      assert.ok(Math.abs(doc.summary.seconds! - seconds) < 1e-9);
      assert.ok(Math.abs(doc.summary.averageShotLengthS! - seconds / expected.length) < 1e-9);
    });

    test('CMX3600 EDL: header, one event per shot, reels, timecodes, record layout, comments, locators', () => {
      const edl = parseEdl(run(fixture.shots, 'edl'));
      assert.equal(edl.title, 'shotscale test log');
      assert.equal(edl.fcm, timecodeRate(rate).dropFrame ? 'DROP FRAME' : 'NON-DROP FRAME');
      assert.equal(edl.events.length, expected.length);
      const reelOf = new Map<string, string>();
      edl.events.forEach((e, i) => {
        const s = expected[i]!;
        assert.equal(e.number, i + 1);
        assert.equal(e.track, 'V');
        assert.equal(e.transition, 'C');
        for (const tc of [e.srcIn, e.srcOut, e.recIn, e.recOut]) assert.ok(separatorOk(tc, rate), `${tc} separator at ${rate}`);
        assert.equal(frames(e.srcIn, rate), s.inFrame, `event ${i + 1} source in`);
        assert.equal(frames(e.srcOut, rate), s.outFrame, `event ${i + 1} source out`);
        assert.equal(e.srcIn, s.tcIn);
        assert.equal(e.srcOut, s.tcOut);
        const from = e.comments.map((c) => FROM_CLIP.exec(c)).find((m) => m);
        assert.ok(from, 'a FROM CLIP NAME comment');
        assert.equal(from[1], s.cameraId);
        assert.equal(Number(from[2]), s.id);
        assert.ok(e.comments.some((c) => c.startsWith(`COMMENT: ${s.scale} 0.82`)), e.comments.join(' | '));
        assert.ok(e.comments.every((c) => !/[\t\r\n]/.test(c)));
        assert.equal(e.markers.length, 1);
        assert.equal(e.markers[0]!.tc, e.recIn, 'the locator sits at the record in');
        assert.equal(e.markers[0]!.name, s.scale);
        assert.match(e.reel, /^[A-Z0-9_]{1,8}$/);
        assert.equal(reelOf.get(s.cameraId) ?? e.reel, e.reel, 'one reel per camera');
        reelOf.set(s.cameraId, e.reel);
      });
      assert.equal(new Set(reelOf.values()).size, reelOf.size, 'different cameras, different reels');
      assertColourPerScale(
        edl.events.map((e, i) => [expected[i]!.scale, e.markers[0]!.color]),
        AVID_COLOURS,
      );
      assertRecordTimes(edl.events, fixture);
    });

    test('marker EDL: one Resolve marker per shot at its record in, spanning the shot', () => {
      const edl = parseEdl(run(fixture.shots, 'markers'));
      assert.equal(edl.fcm, timecodeRate(rate).dropFrame ? 'DROP FRAME' : 'NON-DROP FRAME');
      assert.equal(edl.events.length, expected.length);
      const cmx = parseEdl(run(fixture.shots, 'edl'));
      edl.events.forEach((e, i) => {
        const s = expected[i]!;
        assert.equal(e.number, i + 1);
        assert.equal(e.srcIn, e.recIn);
        assert.equal(frames(e.recOut, rate) - frames(e.recIn, rate), 1, 'one-frame event');
        assert.equal(e.recIn, cmx.events[i]!.recIn, 'same record time as the CMX3600 export');
        if (!fixture.multiCamera) assert.equal(frames(e.recIn, rate), s.inFrame);
        assert.ok(separatorOk(e.recIn, rate));
        assert.equal(e.markers.length, 1);
        const marker = e.markers[0]!;
        assert.equal(marker.tc, e.recIn);
        assert.equal(marker.duration, length(s));
        assert.ok(marker.name.startsWith(`${s.scale} ${s.cameraId}`), marker.name);
      });
      assertColourPerScale(
        edl.events.map((e, i) => [expected[i]!.scale, e.markers[0]!.color]),
        RESOLVE_COLOURS,
      );
    });

    test('ALE: heading, columns, one clip per shot with its timecodes and tape', () => {
      const ale = parseAle(run(fixture.shots, 'ale'));
      // Avid's log specification spells 23.976 "23.98"; drop-frame shows in the timecodes, not in FPS.
      assert.equal(ale.heading.FPS, rate === '23.976' ? '23.98' : rate.replace('DF', ''));
      assert.equal(ale.heading.VIDEO_FORMAT, '1080');
      assert.equal(ale.heading.AUDIO_FORMAT, '48khz');
      for (const column of ['Name', 'Tracks', 'Start', 'End', 'Tape', 'Source File', 'Scale', 'Confidence', 'Framing', 'Scene', 'Take', 'Camera', 'Comments']) {
        assert.ok(ale.columns.includes(column), column);
      }
      assert.equal(ale.rows.length, expected.length);
      const reels = new Map(parseEdl(run(fixture.shots, 'edl')).events.map((e, i) => [expected[i]!.cameraId, e.reel]));
      ale.rows.forEach((row, i) => {
        const s = expected[i]!;
        assert.ok(separatorOk(row.Start!, rate) && separatorOk(row.End!, rate));
        assert.equal(frames(row.Start!, rate), s.inFrame);
        assert.equal(frames(row.End!, rate), s.outFrame, 'End is exclusive');
        assert.equal(row.Tape, reels.get(s.cameraId), 'the tape is the EDL reel');
        assert.equal(row.Camera, s.cameraId);
        assert.equal(row.Scale, s.scale);
        assert.equal(row.Scene, s.scene ?? '');
        assert.equal(row.Tracks, 'V');
        assert.equal(row['Source File'], '');
      });
      assert.equal(new Set(ale.rows.map((r) => r.Name)).size, ale.rows.length, 'clip names are unique');
    });

    test('OTIO: a track per camera, clips at their timecode, gaps between them, markers', () => {
      const otio = readOtio(run(fixture.shots, 'otio'));
      const fps = timecodeRate(rate).fps;
      assert.equal(otio.name, 'shotscale test log');
      assert.equal(otio.globalStart.rate, fps);
      const globalStart = Math.min(...expected.map((s) => s.inFrame));
      assert.equal(otio.globalStart.value, globalStart);
      const cameras = [...new Set(expected.map((s) => s.cameraId))];
      assert.deepEqual(otio.tracks.map((t) => t.name).sort(), [...cameras].sort());
      for (const track of otio.tracks) {
        assert.equal(track.kind, 'Video');
        const shots = expected.filter((s) => s.cameraId === track.name);
        const clips: (OtioItem & { at: number })[] = [];
        let position = 0;
        for (const item of track.items) {
          assert.equal(item.rate, fps, 'exact rate');
          assert.ok(Number.isInteger(item.startFrame) && Number.isInteger(item.durationFrames));
          if (item.schema === 'Gap.1') {
            assert.ok(item.durationFrames > 0, 'no empty gaps');
            assert.equal(item.startFrame, 0);
          } else {
            assert.equal(item.schema, 'Clip.2');
            clips.push({ ...item, at: position });
          }
          position += item.durationFrames;
        }
        assert.equal(clips.length, shots.length);
        clips.forEach((clip, i) => {
          const s = shots[i]!;
          assert.equal(clip.startFrame, s.inFrame);
          assert.equal(clip.durationFrames, length(s));
          assert.equal(clip.at, s.inFrame - globalStart, 'the clip sits at its timecode on the timeline');
          assert.equal(clip.mediaUrl, null, 'a live log has no media');
          const meta = clip.metadata.shotscale as Record<string, unknown>;
          assert.equal(meta.scale, s.scale);
          assert.equal(meta.note, s.note);
          assert.deepEqual(meta.tags, s.tags);
          assert.deepEqual(meta.probabilities, s.probabilities);
          assert.equal(meta.inTime, new Date(s.inTime).toISOString());
          assert.equal(clip.markers.length, 1);
          const marker = clip.markers[0]!;
          assert.equal(marker.name, s.scale);
          assert.equal(marker.startFrame, clip.startFrame, 'marker at the clip start, in source time');
          assert.ok(marker.durationFrames >= 1 && marker.durationFrames <= clip.durationFrames);
          assert.ok(marker.comment.startsWith(s.scale));
          assert.ok(OTIO_COLOURS.has(marker.color));
        });
      }
    });
  });
}

// ------------------------------------------------------------------ format details

describe('exports: details', () => {
  test('format names', () => {
    assert.deepEqual([...EXPORT_FORMATS], ['csv', 'json', 'edl', 'ale', 'otio', 'markers', 'fcpxml']);
    for (const format of EXPORT_FORMATS) assert.ok(isExportFormat(format));
    assert.equal(isExportFormat('xml'), false);
    assert.equal(isExportFormat('toString'), false);
    const extensions = EXPORT_FORMATS.map((f) => exportShots(FEED_25, f, options()).extension);
    assert.deepEqual(extensions, ['.csv', '.json', '.edl', '.ale', '.otio', '.markers.edl', '.fcpxml']);
    for (const f of EXPORT_FORMATS) assert.match(exportShots(FEED_25, f, options()).contentType, /charset=utf-8/);
  });

  test('CSV: RFC 4180 quoting, CRLF, formula guard on user text, tags joined by ";"', () => {
    const text = run(FEED_25, 'csv');
    assert.equal(text.slice(0, text.indexOf('\r\n')), '\ufeffid,camera,scene,take,take_mark,start_s,end_s,duration_s,tc_in,tc_out,rate,frames,scale,scale_name,scale_start,scale_end,scale_set_by,classifier_scale,confidence,framing,framing_set_by,detector_framing,people,over_the_shoulder,reason,cut_in,cut_out,in_time,out_time,tags,note,no_picture,no_picture_s,p_ECU,p_CU,p_MCU,p_MS,p_MWS,p_FS,p_WS,p_EWS', 'the BOM, then the header row');
    assert.ok(text.endsWith('\r\n'));
    assert.ok(text.includes('"Anna, ""the lead""\nenters\tleft, then\r\nexits"'), 'quoted, quotes doubled, breaks kept');
    const rows = parseCsv(text);
    assert.equal(rows[0]!.note, AWKWARD_NOTE);
    assert.equal(rows[0]!.tags, 'anna;ben, jr');
    assert.equal(rows[0]!.reason, 'shoulders in, hips out; "MCU"');
    assert.equal(rows[1]!.note, `'=HYPERLINK("http://x")`);
    assert.equal(rows[1]!.tags, "'+cast;@crew");
    assert.equal(rows[1]!.scene, "'-4");
    assert.equal(rows[1]!.take, "'=1+1");
    assert.equal(rows[1]!.over_the_shoulder, 'true');
    assert.equal(rows[2]!.note, '');
    assert.equal(rows[2]!.scene, '');
    assert.equal(rows[2]!.people, '');
  });

  test('CSV: a UTF-8 byte-order mark first, so Excel reads non-ASCII names as written', () => {
    const shots = [shot({ camera: 'Kamera Süd', id: 5, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:02:00', scale: 'CU', extra: { scene: '場面 4', tags: ['Zoë'] } })];
    const body = run(shots, 'csv');
    assert.deepEqual([...Buffer.from(body, 'utf8').subarray(0, 3)], [0xef, 0xbb, 0xbf], 'EF BB BF, the UTF-8 BOM');
    assert.equal(body.indexOf('\ufeff', 1), -1, 'once, at the start only');
    // Read back as a spreadsheet or a BOM-aware script reads it: the first column is "id", the text as written.
    const [row] = parseCsv(body);
    assert.deepEqual([row!.id, row!.camera, row!.scene, row!.tags], ['5', 'Kamera Süd', '場面 4', 'Zoë']);
    assert.equal(exportShots([], 'csv', options()).body, `\ufeff${body.slice(1).split('\r\n')[0]}\r\n`, 'an empty log: the mark and the header row');
  });

  test('ALE: a comma inside a tag never splits it: tags are ", " apart, a comma within one becomes ";"', () => {
    const shots = [
      shot({ camera: 'cam-1', id: 1, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:02:00', scale: 'CU', extra: { tags: ['anna', 'ben, jr', ' ', 'x,y,z'] } }),
    ];
    const [row] = parseAle(run(shots, 'ale')).rows;
    assert.equal(row!.Tags, 'anna, ben; jr, x;y;z');
    assert.deepEqual(row!.Tags!.split(', '), ['anna', 'ben; jr', 'x;y;z'], 'three tags read back as three');
  });

  test("ALE: file mode writes the source's picture format, sample rate and audio tracks; a live feed is 1080 picture only", () => {
    const mediaPath = '/media/day 1/A001.mov';
    const heading = (media: ExportOptions['media'], path: string | null = mediaPath) => {
      const ale = parseAle(run(FEED_25, 'ale', { mediaPath: path, media }));
      return [ale.heading.VIDEO_FORMAT, ale.heading.AUDIO_FORMAT, ...new Set(ale.rows.map((r) => r.Tracks))];
    };
    assert.deepEqual(heading(null, null), ['1080', '48khz', 'V'], 'live: 1080, no sound (MOS)');
    assert.deepEqual(heading({ width: 1920, height: 1080, audio: { channels: 2, sampleRate: 48000 } }), ['1080', '48khz', 'VA1A2']);
    assert.deepEqual(heading({ width: 1280, height: 720, audio: { channels: 1, sampleRate: 44100 } }), ['720', '44khz', 'VA1']);
    // Media Composer refuses an ALE whose VIDEO_FORMAT is not the project's: UHD and DCI 2K are CUSTOM, not 1080.
    assert.deepEqual(heading({ width: 3840, height: 2160, audio: { channels: 4, sampleRate: 48000 } }), ['CUSTOM', '48khz', 'VA1A2A3A4']);
    assert.deepEqual(heading({ width: 2048, height: 1080, audio: null }), ['CUSTOM', '48khz', 'V']);
    assert.deepEqual(heading({ width: 720, height: 576, audio: null }), ['PAL', '48khz', 'V']);
    assert.deepEqual(heading({ width: 720, height: 486, audio: null }), ['NTSC', '48khz', 'V']);
    assert.deepEqual(heading({ width: 640, height: 360, audio: null }), ['1080', '48khz', 'V'], 'a small picture goes into an HD project');
    // The probe is only for the file a log was made from: a live log given a format keeps the live headings.
    assert.deepEqual(heading({ width: 1280, height: 720, audio: { channels: 2, sampleRate: 48000 } }, null), ['1080', '48khz', 'V']);
  });

  test('ALE: VIDEO_FORMAT is the project the picture is cut in, as displayed: non-square pixels widen it; SD rasters stay PAL and NTSC', () => {
    const format = (media: ExportOptions['media']) => parseAle(run(FEED_25, 'ale', { mediaPath: '/media/A001.mov', media })).heading.VIDEO_FORMAT;
    // DVCPRO HD 960x720 at 4:3 is shown 1280x720: a 720 project, not 1080.
    assert.equal(format({ width: 960, height: 720, pixelAspect: { h: 4, v: 3 }, audio: null }), '720');
    // HDV 1440x1080 at 4:3 and DVCPRO HD 1280x1080 at 3:2 are 1920x1080.
    assert.equal(format({ width: 1440, height: 1080, pixelAspect: { h: 4, v: 3 }, audio: null }), '1080');
    assert.equal(format({ width: 1280, height: 1080, pixelAspect: { h: 3, v: 2 }, audio: null }), '1080');
    // An anamorphic 1920x1080 at 4:3 is shown 2560x1080: wider than HD.
    assert.equal(format({ width: 1920, height: 1080, pixelAspect: { h: 4, v: 3 }, audio: null }), 'CUSTOM');
    // 16:9 PAL and NTSC are SD projects with a 16:9 picture.
    assert.equal(format({ width: 720, height: 576, pixelAspect: { h: 64, v: 45 }, audio: null }), 'PAL');
    assert.equal(format({ width: 720, height: 480, pixelAspect: { h: 32, v: 27 }, audio: null }), 'NTSC');
  });

  test('OTIO: 29.97 non-drop keeps its frames at the exact rate 30000/1001, as OTIO reads ":" timecode; the DF mark stays in metadata', () => {
    // 29.97 non-drop counts 30 frame numbers in every timecode second, none skipped: 01:00:00:00 is frame 108000.
    const ndf = [
      shot({ camera: 'cam-1', id: 1, rate: '29.97', tcIn: '01:00:00:00', tcOut: '01:00:59:29', scale: 'CU' }),
      shot({ camera: 'cam-1', id: 2, rate: '29.97', tcIn: '01:00:59:29', tcOut: '01:01:00:02', scale: 'MS' }),
    ];
    const text = run(ndf, 'otio');
    const otio = readOtio(text);
    assert.equal(otio.globalStart.rate, 30000 / 1001);
    assert.equal(otio.globalStart.value, 108000, "01:00:00:00 non-drop, as OpenTimelineIO's from_timecode reads it");
    const clips = otio.tracks[0]!.items.filter((i) => i.schema === 'Clip.2');
    assert.deepEqual(clips.map((c) => [c.rate, c.startFrame, c.durationFrames]), [
      [30000 / 1001, 108000, 59 * 30 + 29],
      [30000 / 1001, 108000 + 59 * 30 + 29, 3],
    ]);
    // Drop-frame counts the same frames (every frame kept) and only numbers them differently: same values, the mark in metadata.
    const df = readOtio(run(ndf, 'otio', { rate: '29.97DF' }));
    assert.deepEqual(df.tracks[0]!.items.map((i) => [i.rate, i.startFrame, i.durationFrames]), clips.map((c) => [c.rate, c.startFrame, c.durationFrames]));
    const rateOf = (body: string) => (JSON.parse(body) as { metadata: { shotscale: { rate: string } } }).metadata.shotscale.rate;
    assert.deepEqual([rateOf(text), rateOf(run(ndf, 'otio', { rate: '29.97DF' }))], ['29.97', '29.97DF']);
    assert.match(text, /"rate": 29\.97002997002997,/, 'the rate written as the double 30000/1001, which OTIO reads back exactly');
  });

  test('ALE: tabs and line breaks never reach a cell; notes land in Comments; CRLF', () => {
    const text = run(FEED_25, 'ale', { mediaPath: '/media/day 1/A001.mov' });
    assert.ok(text.startsWith('Heading\r\nFIELD_DELIM\tTABS\r\n'));
    assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
    const ale = parseAle(text);
    assert.equal(ale.rows[0]!.Comments, 'Anna, "the lead" enters left, then exits');
    assert.equal(ale.rows[3]!.Comments, 'tab here');
    assert.equal(ale.rows[0]!['Source File'], 'A001.mov');
    assert.equal(ale.rows[0]!.Name, 'cam-1_0011');
  });

  test("ALE: clip names stay within the 32 characters of Avid's log specification, shot number whole, each unique", () => {
    const long = 'camera-on-the-left-balcony-wide-angle';
    const shots = [
      shot({ camera: long, id: 12, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:02:00', scale: 'CU' }),
      shot({ camera: `${long}-2`, id: 12, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:02:00', scale: 'WS' }),
      shot({ camera: 'Kamera 🎬 Grüße', id: 3, rate: '25', tcIn: '10:00:02:00', tcOut: '10:00:03:00', scale: 'MS' }),
      shot({ camera: 'cam-1', id: 4, rate: '25', tcIn: '10:00:03:00', tcOut: '10:00:04:00', scale: 'MS' }),
    ];
    const rows = parseAle(run(shots, 'ale')).rows;
    const names = rows.map((row) => row.Name!);
    for (const name of names) assert.ok(Array.from(name).length <= 32, `${name} has ${Array.from(name).length} characters`);
    assert.deepEqual(names, ['camera-on-the-left-balcony_0012', 'camera-on-the-left-balcon_0012_2', 'Kamera 🎬 Grüße_0003', 'cam-1_0004']);
    assert.equal(new Set(names).size, names.length);
    assert.equal(rows[0]!.Camera, long, 'the Camera column keeps the whole id');
  });

  test('EDL: exact CMX3600 columns, CRLF, comments on one line, title cut to 70 characters', () => {
    const long = `A very long title\nwith a line break ${'x'.repeat(100)}`;
    const text = exportShots(FEED_25, 'edl', options({ title: long })).body;
    const lines = text.split('\r\n');
    assert.equal(lines[0]!.length <= 'TITLE: '.length + 70, true);
    assert.ok(lines[0]!.startsWith('TITLE: A very long title with a line break x'));
    assert.equal(lines[1], 'FCM: NON-DROP FRAME');
    assert.ok(lines.includes('001  CAM_1    V     C        10:00:00:00 10:00:04:12 10:00:00:00 10:00:04:12'));
    assert.ok(lines.includes('* FROM CLIP NAME: cam-1 shot 11'));
    assert.ok(lines.includes('* COMMENT: MCU 0.82 single person (shoulders in, hips out; "MCU")'));
    assert.ok(lines.includes('* COMMENT: scene 12; take 3; tags: anna, ben, jr; note: Anna, "the lead" enters left, then exits'));
    assert.ok(lines.some((l) => /^\* LOC: 10:00:00:00 \S+ +MCU$/.test(l)));
    assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
  });

  test('EDL: file mode names every clip after the source file, as Premiere writes it, and keeps the shot in a comment', () => {
    const events = parseEdl(run(FEED_25, 'edl', { mediaPath: '/media/day 1/A001 Grüße.mov' })).events;
    assert.equal(events.length, FEED_25.length);
    for (const [i, event] of events.entries()) {
      assert.equal(event.comments[0], 'FROM CLIP NAME: A001 Grusse.mov', 'one clip name for all events, in ASCII');
      assert.equal(event.comments[1], 'SOURCE FILE: A001 Grüße.mov', 'the name as written, which no ASCII spelling gives');
      assert.equal(event.comments[2], `COMMENT: cam-1 shot ${FEED_25[i]!.id}`);
    }
    const ascii = parseEdl(run(FEED_25, 'edl', { mediaPath: '/media/day 1/A001.mov' })).events[0]!.comments;
    assert.deepEqual(ascii.slice(0, 2), ['FROM CLIP NAME: A001.mov', 'COMMENT: cam-1 shot 11'], 'an ASCII name is exact on FROM CLIP NAME alone');
    assert.equal(parseEdl(run(FEED_25, 'edl')).events[0]!.comments[0], 'FROM CLIP NAME: cam-1 shot 11', 'a live feed has no file: the shot names the clip');
  });

  test('marker EDL: the Resolve marker line', () => {
    const lines = exportShots(FEED_2997DF, 'markers', options()).body.split('\r\n');
    assert.equal(lines[1], 'FCM: DROP FRAME');
    assert.ok(lines.includes('002  001      V     C        00:00:59;28 00:00:59;29 00:00:59;28 00:00:59;29  '));
    const marker = lines[lines.indexOf('002  001      V     C        00:00:59;28 00:00:59;29 00:00:59;28 00:00:59;29  ') + 1]!;
    assert.match(marker, /^ \|C:ResolveColor\w+ \|M:MS programme single \|D:4$/);
  });

  test('reel names: upper-case, 8 characters, unique, stable for a set of cameras', () => {
    const reels = new Map(parseEdl(run(MULTI_CAMERA, 'edl')).events.map((e) => [FROM_CLIP.exec(e.comments[0]!)![1]!, e.reel]));
    assert.equal(reels.get('cam-2'), 'CAM_2');
    assert.equal(new Set(reels.values()).size, 5);
    // "cam-1" and "cam 1" both clean to CAM_1 (the later in id order gets a tail); a longer id keeps 4 characters and a hash of the whole id.
    assert.ok(['cam-1', 'cam 1'].every((c) => reels.get(c)!.startsWith('CAM_1')));
    assert.ok(['camera-left-wide', 'camera-left-wide-2'].every((c) => /^CAME[A-Z0-9]{4}$/.test(reels.get(c)!)));
    const again = new Map(parseEdl(exportShots(MULTI_CAMERA, 'edl', options()).body).events.map((e) => [FROM_CLIP.exec(e.comments[0]!)![1]!, e.reel]));
    assert.deepEqual(again, reels, 'input order does not change the names');
    const reserved = parseEdl(run([shot({ camera: 'ax', id: 1, rate: '25', tcIn: '00:00:00:00', tcOut: '00:00:01:00', scale: 'MS' })], 'edl'));
    assert.notEqual(reserved.events[0]!.reel, 'AX', 'AX means auxiliary source in CMX3600');
    // EDL readers take BL and BLACK for black, BARS for colour bars (OpenTimelineIO makes generators of them): never a camera's reel.
    const special = ['black', 'Bars', 'bl'].map((camera, i) => shot({ camera, id: i + 1, rate: '25', tcIn: `00:00:0${i}:00`, tcOut: `00:00:0${i + 1}:00`, scale: 'MS' }));
    const specialReels = parseEdl(run(special, 'edl')).events.map((e) => e.reel);
    assert.deepEqual(specialReels, ['BLACK1', 'BARS1', 'BL1']);
    assert.deepEqual(parseAle(run(special, 'ale')).rows.map((r) => r.Tape), specialReels, 'the ALE tape is the same reel');
  });

  test('EDL: at most 999 events; a longer list is refused (400) saying how many and how to narrow it, never numbered 001 again', () => {
    const many = (count: number) =>
      Array.from({ length: count }, (_, i) => {
        const at = 25 * i;
        const tc = (f: number) => `00:${String(Math.floor(f / 1500)).padStart(2, '0')}:${String(Math.floor(f / 25) % 60).padStart(2, '0')}:${String(f % 25).padStart(2, '0')}`;
        return shot({ camera: 'cam-1', id: i + 1, rate: '25', tcIn: tc(at), tcOut: tc(at + 25), scale: CANONICAL_SCALES[i % 8]! });
      });
    for (const format of ['edl', 'markers'] as const) {
      const edl = parseEdl(run(many(999), format));
      assert.equal(edl.events.length, 999);
      assert.deepEqual(edl.events.slice(997).map((e) => e.number), [998, 999]);
      assert.throws(
        () => run(many(1001), format),
        (error: unknown) =>
          isShotscaleError(error, 'BAD_REQUEST') &&
          error.message.startsWith(`${format}: 1001 events are more than the 999`) &&
          /one camera, scene, take, or a from\/to range/.test(error.message) &&
          /use otio, fcpxml or ale/.test(error.message),
      );
    }
    for (const format of ['otio', 'fcpxml', 'ale', 'csv', 'json'] as const) assert.ok(run(many(1001), format).length > 0, format);
  });

  test('EDL: shots laid end to end past the end of the timecode day are refused with what to do; other formats take them', () => {
    const day = (hours: number) =>
      ['cam-1', 'cam-2', 'cam-3', 'cam-4'].flatMap((camera, c) =>
        Array.from({ length: hours }, (_, h) => {
          const tc = (hour: number) => `${String(8 + hour).padStart(2, '0')}:00:00:00`;
          return shot({ camera, id: c * 100 + h + 1, rate: '25', tcIn: tc(h), tcOut: tc(h + 1), scale: CANONICAL_SCALES[h % 8]! });
        }),
      );
    // Four cameras of five hours: 20 hours from 01:00:00:00 end at 21:00:00:00.
    for (const format of ['edl', 'markers'] as const) assert.equal(parseEdl(run(day(5), format)).events.length, 20);
    // Four of six: 24 hours would run to 01:00:00:00 the next day, over the first events.
    for (const format of ['edl', 'markers'] as const) {
      assert.throws(
        () => run(day(6), format),
        (error: unknown) =>
          isShotscaleError(error) && error.code === 'BAD_REQUEST' && /event 24 \(cam-4 shot 306\)/.test(error.message) && /record timecode cannot pass the end of the day/.test(error.message) && /use otio, fcpxml or ale/.test(error.message),
      );
    }
    for (const format of ['otio', 'fcpxml', 'ale', 'csv'] as const) assert.ok(run(day(6), format).length > 0, format);
  });

  test('timeline rate: EDL and ALE refuse shots at several rates; OTIO places them through their seconds at the project rate', () => {
    const mixed = [
      shot({ camera: 'cam-1', id: 1, rate: '25', tcIn: '00:00:58:00', tcOut: '00:00:59:00', scale: 'WS' }),
      ...FEED_2997DF.slice(1, 3),
    ];
    for (const format of ['edl', 'ale'] as const) {
      assert.throws(
        () => run(mixed, format),
        (error: unknown) =>
          isShotscaleError(error) && error.code === 'BAD_REQUEST' && error.message.includes('several timecode rates (cam-1 25, programme 29.97DF)') && error.message.includes('camera=cam-1, camera=programme'),
      );
      // One camera alone is at its own rate, whatever the project's.
      assert.ok(run(mixed.slice(1), format, { projectRate: '25' }).includes('00:00:59;28'), format);
    }
    assert.throws(() => run(mixed.slice(1), 'edl', { rate: '25' }), /the shots are at programme 29\.97DF, not the timeline's 25/);

    // The timeline rate of shots at several rates is the project's, not the first shot's: the same whatever comes first.
    const fps25 = timecodeRate('25').fps;
    const at25 = (f: number, from: ShotRecord) => Math.round((f / timecodeRate(from.rate).fps) * fps25);
    const otio = readOtio(run(mixed, 'otio', { projectRate: '29.97DF' }));
    assert.ok(otio.tracks.every((t) => t.items.every((item) => item.rate === 30000 / 1001)));
    assert.ok(readOtio(run(mixed.slice(1), 'otio', { projectRate: '25' })).tracks.every((t) => t.items.every((item) => item.rate === 30000 / 1001)), "one camera: its own rate");
    const at25Otio = readOtio(run(mixed, 'otio', { projectRate: '25' }));
    const clips = at25Otio.tracks.flatMap((t) => t.items.filter((i) => i.schema === 'Clip.2'));
    assert.deepEqual(clips.map((c) => c.startFrame).sort((a, b) => a - b), byTime(mixed).map((s) => at25(s.inFrame, s)).sort((a, b) => a - b));
    assert.equal(parseAle(run([], 'ale', { projectRate: '23.976' })).heading.FPS, '23.98', "no shots: the project's rate, in Avid's spelling");
  });

  test('timeline rate: 29.97DF and 29.97 cameras count the same frames, so the EDL and ALE take them together, each source in its camera\'s numbering', () => {
    // Ten minutes in, the two numberings are 18 frames apart: b-cam's 00:10:00:00 is 00:10:00;18 drop-frame.
    const log = [
      shot({ camera: 'a-cam', id: 1, rate: '29.97DF', tcIn: '00:10:00;00', tcOut: '00:10:05;00', scale: 'WS' }),
      shot({ camera: 'b-cam', id: 2, rate: '29.97', tcIn: '00:10:00:00', tcOut: '00:10:04:00', scale: 'CU' }),
      shot({ camera: 'a-cam', id: 3, rate: '29.97DF', tcIn: '00:10:05;00', tcOut: '00:10:08;00', scale: 'MS' }),
      shot({ camera: 'b-cam', id: 4, rate: '29.97', tcIn: '00:10:06:00', tcOut: '00:10:09:00', scale: 'MCU' }),
    ];
    const own = log.map((s) => [s.tcIn, s.tcOut]);
    /** The FCM in force for each event's source: the header's, then each FCM line before an event. */
    const sourceModes = (text: string) => {
      const lines = text.split('\r\n');
      let mode = lines[1]!;
      const modes: string[] = [];
      for (const line of lines.slice(2)) {
        if (line.startsWith('FCM: ')) mode = line;
        else if (/^\d{3} {2}/.test(line)) modes.push(mode);
      }
      return { header: lines[1], modes, switches: lines.filter((l) => l.startsWith('FCM: ')).length - 1 };
    };
    const DF = 'FCM: DROP FRAME';
    const NDF = 'FCM: NON-DROP FRAME';
    for (const projectRate of ['29.97DF', '29.97', '25', undefined] as const) {
      const text = run(log, 'edl', projectRate ? { projectRate } : {});
      const edl = parseEdl(text);
      assert.deepEqual(edl.events.map((e) => [e.srcIn, e.srcOut]), own, `project ${projectRate}: every source timecode is its camera's own`);
      // The record is the timeline's: the project's numbering when it counts these frames, else drop-frame.
      const recordDf = projectRate !== '29.97';
      const { header, modes, switches } = sourceModes(text);
      assert.equal(header, recordDf ? DF : NDF, `project ${projectRate}`);
      assert.deepEqual(modes, [DF, NDF, DF, NDF], `project ${projectRate}: the FCM in force is each event's source mode`);
      assert.equal(switches, recordDf ? 3 : 4, 'an FCM line only where the mode changes');
      assert.ok(edl.events.every((e) => separatorOk(e.recIn, recordDf ? '29.97DF' : '29.97') && separatorOk(e.recOut, recordDf ? '29.97DF' : '29.97')), 'record timecodes in the timeline numbering');
      assert.deepEqual(edl.events.map((e) => e.recIn), recordDf ? ['01:00:00;00', '01:00:05;00', '01:00:09;00', '01:00:12;00'] : ['01:00:00:00', '01:00:05:00', '01:00:09:00', '01:00:12:00']);
      assert.ok(edl.events.every((e) => e.markers.every((m) => m.tc === e.recIn)), 'each locator at its record in');

      const ale = parseAle(run(log, 'ale', projectRate ? { projectRate } : {}));
      assert.equal(ale.heading.FPS, '29.97');
      assert.deepEqual(ale.rows.map((r) => [r.Start, r.End]), own, `project ${projectRate}: each row in its camera's numbering`);
    }
    // 59.94 and 59.94DF alike.
    const fast = [
      shot({ camera: 'a-cam', id: 5, rate: '59.94DF', tcIn: '00:10:00;00', tcOut: '00:10:01;00', scale: 'WS' }),
      shot({ camera: 'b-cam', id: 6, rate: '59.94', tcIn: '00:10:00:00', tcOut: '00:10:01:00', scale: 'CU' }),
    ];
    assert.deepEqual(parseAle(run(fast, 'ale', { projectRate: '59.94DF' })).rows.map((r) => r.Start), ['00:10:00;00', '00:10:00:00']);
    assert.deepEqual(parseEdl(run(fast, 'edl', { projectRate: '59.94DF' })).events.map((e) => e.srcIn), ['00:10:00;00', '00:10:00:00']);

    // Another frame rate in the mix is still refused, as is a timeline asked for at another frame rate.
    const with25 = [...log, shot({ camera: 'c-cam', id: 7, rate: '25', tcIn: '00:10:00:00', tcOut: '00:10:01:00', scale: 'FS' })];
    for (const format of ['edl', 'ale'] as const) {
      assert.throws(() => run(with25, format, { projectRate: '29.97DF' }), (error: unknown) => isShotscaleError(error) && error.code === 'BAD_REQUEST' && error.message.includes('several timecode rates (a-cam 29.97DF, b-cam 29.97, c-cam 25)'));
      assert.throws(() => run(log, format, { rate: '25' }), /the shots are at a-cam 29\.97DF, b-cam 29\.97, not the timeline's 25/);
    }
  });

  test("a non-drop camera across its own midnight on a drop-frame timeline is split at its midnight, not the timeline's", () => {
    // 29.97 non-drop counts 2,592,000 frames a day, drop-frame 2,589,408: the split is where b-cam's timecode wraps.
    const day = 24 * 3600 * 30;
    const across = { ...shot({ camera: 'b-cam', id: 2, rate: '29.97', tcIn: '23:59:58:00', tcOut: '23:59:59:29', scale: 'CU' }), outFrame: day + 30, tcOut: '00:00:01:00' };
    const log = [shot({ camera: 'a-cam', id: 1, rate: '29.97DF', tcIn: '23:59:50;00', tcOut: '23:59:52;00', scale: 'WS' }), across];
    const edl = parseEdl(run(log, 'edl', { projectRate: '29.97DF' })).events;
    assert.deepEqual(
      edl.map((e) => [e.srcIn, e.srcOut]),
      [
        ['23:59:50;00', '23:59:52;00'],
        ['23:59:58:00', '24:00:00:00'],
        ['00:00:00:00', '00:00:01:00'],
      ],
    );
    assert.deepEqual(edl.map((e) => e.recIn), ['01:00:00;00', '01:00:02;00', '01:00:04;00']);
    const ale = parseAle(run(log, 'ale', { projectRate: '29.97DF' }));
    assert.deepEqual(ale.rows.map((r) => [r.Start, r.End, r['Shot ID']]), [
      ['23:59:50;00', '23:59:52;00', '1'],
      ['23:59:58:00', '24:00:00:00', '2'],
      ['00:00:00:00', '00:00:01:00', '2'],
    ]);
  });

  test('record time: overlapping shots of one camera, or a log across midnight, go end to end', () => {
    const midnight = [
      shot({ camera: 'cam-1', id: 1, rate: '25', tcIn: '23:59:50:00', tcOut: '23:59:59:00', scale: 'WS' }),
      { ...shot({ camera: 'cam-1', id: 2, rate: '25', tcIn: '00:00:00:00', tcOut: '00:00:05:00', scale: 'CU' }), inTime: DAY_START + 86_400_000 },
    ];
    const events = parseEdl(run(midnight, 'edl')).events;
    assert.deepEqual(events.map((e) => e.recIn), ['01:00:00:00', '01:00:09:00']);
    assert.deepEqual(events.map((e) => e.srcIn), ['23:59:50:00', '00:00:00:00']);
    const otio = readOtio(run(midnight, 'otio'));
    const [first, second] = otio.tracks[0]!.items.filter((i) => i.schema === 'Clip.2');
    assert.equal(second!.startFrame, 0, 'the clip keeps its source timecode');
    assert.ok(first && second, 'both clips are on the track, one after the other');
  });

  test('a file logged across midnight: the shot over it is split there in the EDL and the ALE, never ending before it begins', () => {
    // As file mode stores it: the frame count runs on past the end of the day (25 fps: 2,160,000 frames a day).
    const day = 24 * 3600 * 25;
    const before = shot({ camera: 'file', id: 2, rate: '25', tcIn: '23:59:55:00', tcOut: '23:59:57:18', scale: 'WS' });
    const across = { ...shot({ camera: 'file', id: 3, rate: '25', tcIn: '23:59:57:18', tcOut: '23:59:59:24', scale: 'CU' }), outFrame: day + 68, tcOut: '00:00:02:18' };
    const after = { ...shot({ camera: 'file', id: 4, rate: '25', tcIn: '00:00:02:18', tcOut: '00:00:05:00', scale: 'MS' }), inFrame: day + 68, outFrame: day + 125, inTime: across.inTime + 5000 };
    const log = [before, across, after];

    const edl = parseEdl(run(log, 'edl')).events;
    assert.deepEqual(
      edl.map((e) => [e.srcIn, e.srcOut, e.recIn, e.recOut]),
      [
        ['23:59:55:00', '23:59:57:18', '01:00:00:00', '01:00:02:18'],
        ['23:59:57:18', '24:00:00:00', '01:00:02:18', '01:00:05:00'],
        ['00:00:00:00', '00:00:02:18', '01:00:05:00', '01:00:07:18'],
        ['00:00:02:18', '00:00:05:00', '01:00:07:18', '01:00:10:00'],
      ],
    );
    const outFrames = (tc: string) => (tc === '24:00:00:00' ? day : frames(tc, '25'));
    for (const e of edl) assert.ok(outFrames(e.srcOut) > frames(e.srcIn, '25'), `${e.srcIn} to ${e.srcOut}`);

    const ale = parseAle(run(log, 'ale'));
    assert.deepEqual(
      ale.rows.map((r) => [r.Start, r.End, r['Shot ID']]),
      [
        ['23:59:55:00', '23:59:57:18', '2'],
        ['23:59:57:18', '24:00:00:00', '3'],
        ['00:00:00:00', '00:00:02:18', '3'],
        ['00:00:02:18', '00:00:05:00', '4'],
      ],
    );
    assert.equal(new Set(ale.rows.map((r) => r.Name)).size, 4, 'each row a clip name of its own');

    // OTIO and FCPXML count frames without a day: one clip per shot, the shot's whole length.
    const otio = readOtio(run(log, 'otio'));
    assert.deepEqual(
      otio.tracks[0]!.items.filter((i) => i.schema === 'Clip.2').map((i) => i.durationFrames),
      [68, 125, 57],
    );
    const markers = parseEdl(run(log, 'markers')).events;
    assert.deepEqual(markers.map((e) => e.recIn), ['01:00:00:00', '01:00:02:18', '01:00:07:18'], 'a marker per shot, at its record in');
  });

  test('OTIO: a camera that reconnects after midnight does not open the timeline a day early', () => {
    // Time-of-day timecode starts again near 00:00:00:00 after midnight; the earliest in point is then the later shot.
    const midnight = [
      shot({ camera: 'cam-1', id: 1, rate: '25', tcIn: '23:59:50:00', tcOut: '23:59:59:00', scale: 'WS' }),
      shot({ camera: 'cam-2', id: 2, rate: '25', tcIn: '23:59:52:00', tcOut: '23:59:58:00', scale: 'MS' }),
      { ...shot({ camera: 'cam-1', id: 3, rate: '25', tcIn: '00:00:00:00', tcOut: '00:00:05:00', scale: 'CU' }), inTime: DAY_START + 86_400_000 },
    ];
    const otio = readOtio(run(midnight, 'otio'));
    assert.equal(otio.globalStart.value, frames('23:59:50:00', '25'), 'the timeline starts at the first shot in time');
    const track = (name: string) => otio.tracks.find((t) => t.name === name)!.items.map((i) => [i.schema, i.durationFrames]);
    assert.deepEqual(track('cam-1'), [['Clip.2', 9 * 25], ['Clip.2', 5 * 25]], 'no day-long gap; the shot after midnight follows');
    assert.deepEqual(track('cam-2'), [['Gap.1', 2 * 25], ['Clip.2', 6 * 25]], 'the other camera stays in sync');
  });

  test('EDL: the title is cut to 70 characters after it is made ASCII, an emoji one "?"', () => {
    const title = `${'x'.repeat(69)}\u{1F3AC} day 2.mp4`;
    const first = exportShots(FEED_25, 'edl', options({ title })).body.split('\r\n')[0]!;
    assert.equal(first, `TITLE: ${'x'.repeat(69)}?`);
    assert.equal(exportShots(FEED_25, 'markers', options({ title: 'Grüße “Tag 2” – 日本' })).body.split('\r\n')[0], 'TITLE: Grusse "Tag 2" - ?');
  });

  test('EDL: every line is ASCII, as CMX3600 is; the ALE, OTIO and FCPXML keep the text as written', () => {
    const camera = 'Cam A — Grüße 日本';
    const shots = [
      shot({ camera, id: 7, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:02:00', scale: 'CU', extra: { note: 'Jörg says “go” 🎬', tags: ['Zoë'], scene: 'Straße', reason: 'face ½ of height' } }),
    ];
    const text = run(shots, 'edl');
    assert.match(text, /^[\x00-\x7f]*$/, 'no byte past ASCII');
    const lines = text.split('\r\n');
    assert.ok(lines.includes('* FROM CLIP NAME: Cam A - Grusse ? shot 7'), lines.join('\n'));
    assert.ok(lines.includes('* COMMENT: CU 0.82 single person (face 1/2 of height)'));
    assert.ok(lines.includes('* COMMENT: scene Strasse; take 3; tags: Zoe; note: Jorg says "go" ?'));
    assert.equal(parseAle(run(shots, 'ale')).rows[0]!.Camera, camera);
    assert.ok(run(shots, 'otio').includes(JSON.stringify(camera)));
    assert.ok(run(shots, 'fcpxml').includes(`value="${camera}"`));
  });

  test('a shot shorter than a frame is no edit event, but stays in CSV and JSON', () => {
    const open = { ...shot({ camera: 'cam-1', id: 99, rate: '25', tcIn: '10:01:00:00', tcOut: '10:01:00:00', scale: 'MS' }), status: 'open' as const, cutOut: null };
    const shots = [...FEED_25, open];
    assert.equal(parseEdl(run(shots, 'edl')).events.length, FEED_25.length);
    assert.equal(parseEdl(run(shots, 'markers')).events.length, FEED_25.length);
    assert.equal(parseAle(run(shots, 'ale')).rows.length, FEED_25.length);
    assert.equal(readOtio(run(shots, 'otio')).tracks[0]!.items.filter((i) => i.schema === 'Clip.2').length, FEED_25.length);
    assert.equal(parseCsv(run(shots, 'csv')).length, FEED_25.length + 1);
  });

  test('OTIO: file mode points the clips at the source video', () => {
    const otio = readOtio(run(FEED_25, 'otio', { mediaPath: '/media/day 1/A001.mov' }));
    const clips = otio.tracks[0]!.items.filter((i) => i.schema === 'Clip.2');
    assert.ok(clips.every((c) => c.mediaUrl === 'file:///media/day%201/A001.mov'));
    const gaps = otio.tracks[0]!.items.filter((i) => i.schema === 'Gap.1');
    assert.deepEqual(gaps.map((g) => g.durationFrames), [2 * 25], 'the two seconds between 10:00:10:00 and 10:00:12:00');
  });

  test('OTIO: five cameras in sync, each on its own track', () => {
    const otio = readOtio(run(MULTI_CAMERA, 'otio'));
    assert.deepEqual(otio.tracks.map((t) => t.name), ['cam 1', 'cam-1', 'cam-2', 'camera-left-wide', 'camera-left-wide-2']);
    const leftWide2 = otio.tracks.find((t) => t.name === 'camera-left-wide-2')!;
    assert.deepEqual(leftWide2.items.map((i) => [i.schema, i.durationFrames]), [['Gap.1', 75], ['Clip.2', 25]]);
  });

  test('a shot with no picture from cut to cut is marked as such in every format, never by the scale it carried over', () => {
    const black = { noPicture: 'black' as const, readouts: 0, confidence: 0.41, reason: 'no picture (black) throughout', subjects: null };
    const feed = [
      shot({ camera: 'cam-1', id: 61, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:04:00', scale: 'MCU' }),
      shot({ camera: 'cam-1', id: 62, rate: '25', tcIn: '10:00:04:00', tcOut: '10:00:10:00', scale: 'MCU', extra: black }),
      // An operator gave this one a scale: they saw a picture the flat check did not. The classifier read none.
      shot({ camera: 'cam-1', id: 63, rate: '25', tcIn: '10:00:10:00', tcOut: '10:00:12:00', scale: 'WS', extra: { ...black, classifierScale: null } }),
    ];
    const csv = parseCsv(run(feed, 'csv'));
    assert.deepEqual(csv.map((r) => [r.scale, r.scale_name, r.scale_set_by, r.classifier_scale, r.no_picture, r.no_picture_s]), [
      ['MCU', SCALE_NAMES.MCU, 'classifier', 'MCU', '', '0'],
      ['', '', 'classifier', '', 'black', '6'],
      ['WS', SCALE_NAMES.WS, 'operator', '', '', '0'],
    ]);
    // The confidence and probabilities of a shot the classifier read no picture of are the shot before's: left empty.
    assert.deepEqual(csv.map((r) => [r.confidence !== '', r.p_MCU !== '']), [[true, true], [false, false], [false, false]]);
    const json = JSON.parse(run(feed, 'json')) as { shots: { noPicture?: string; scaleName: string | null; scale: string }[]; summary: { noPicture: { shots: number; seconds: number } } };
    assert.deepEqual(json.shots.map((s) => [s.scale, s.scaleName, s.noPicture ?? null]), [['MCU', SCALE_NAMES.MCU, null], ['MCU', null, 'black'], ['WS', SCALE_NAMES.WS, 'black']]);
    assert.deepEqual(json.summary.noPicture, { shots: 1, seconds: 6 });
    const edl = parseEdl(run(feed, 'edl'));
    assert.deepEqual(edl.events.map((e) => e.markers.map((m) => [m.color, m.name])), [[['CYAN', 'MCU']], [['BLACK', 'BLACK']], [['WHITE', 'WS']]]);
    assert.ok(edl.events[1]!.comments.includes('COMMENT: no picture (black) throughout'), edl.events[1]!.comments.join(' | '));
    const markers = exportShots(feed, 'markers', options()).body;
    assert.match(markers, / \|C:ResolveColorCocoa \|M:BLACK cam-1 \|D:150\r\n/);
    const ale = parseAle(run(feed, 'ale'));
    assert.deepEqual(ale.rows.map((r) => [r.Scale, r['Scale Name'], r['Shot Info']]), [
      ['MCU', SCALE_NAMES.MCU, 'MCU 0.82 single person (MCU by framing)'],
      ['BLACK', 'no picture (black)', 'no picture (black) throughout'],
      ['WS', SCALE_NAMES.WS, 'WS (set by operator; no picture for the classifier) (no picture (black) throughout)'],
    ]);
    const otio = readOtio(run(feed, 'otio'));
    const clips = otio.tracks[0]!.items.filter((i) => i.schema === 'Clip.2');
    assert.deepEqual(clips.map((c) => [c.markers[0]!.name, c.markers[0]!.color]), [['MCU', 'CYAN'], ['BLACK', 'BLACK'], ['WS', 'RED']]);
    assert.equal((clips[1]!.metadata.shotscale as { noPicture?: string }).noPicture, 'black');
    const fcpxml = run(feed, 'fcpxml');
    assert.match(fcpxml, /name="cam-1_0062 BLACK"/);
    assert.match(fcpxml, /<keyword [^>]*value="BLACK"/);
  });

  test('a shot no frame of which was analysed keeps the carried scale and says so in every format, with no confidence', () => {
    // The sliver a cut leaves at a file's end: no analysed frame, the scale and probabilities the shot before's, confidence halved.
    const carried = { readouts: 0, confidence: 0.41, reason: null, subjects: null };
    const feed = [
      shot({ camera: 'cam-1', id: 71, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:04:00', scale: 'CU' }),
      shot({ camera: 'cam-1', id: 72, rate: '25', tcIn: '10:00:04:00', tcOut: '10:00:04:08', scale: 'CU', extra: carried }),
      // Still running: its first frame may yet be analysed, so nothing is said of it.
      shot({ camera: 'cam-1', id: 73, rate: '25', tcIn: '10:00:04:08', tcOut: '10:00:05:00', scale: 'CU', extra: { ...carried, status: 'open' } }),
    ];
    const notAnalysed = 'not analysed (scale carried over from the shot before)';
    const csv = parseCsv(run(feed, 'csv'));
    assert.deepEqual(csv.map((r) => [r.scale, r.confidence !== '', r.p_CU !== '', r.reason]), [
      ['CU', true, true, 'CU by framing'],
      ['CU', false, false, notAnalysed],
      ['CU', true, true, ''],
    ]);
    const edl = parseEdl(run(feed, 'edl'));
    assert.ok(edl.events[1]!.comments.includes(`COMMENT: CU ${notAnalysed}`), edl.events[1]!.comments.join(' | '));
    assert.ok(edl.events[0]!.comments.includes('COMMENT: CU 0.82 single person (CU by framing)'), edl.events[0]!.comments.join(' | '));
    const ale = parseAle(run(feed, 'ale'));
    assert.deepEqual(ale.rows.slice(0, 2).map((r) => [r.Scale, r.Confidence, r['Shot Info']]), [
      ['CU', '0.82', 'CU 0.82 single person (CU by framing)'],
      ['CU', '', `CU ${notAnalysed}`],
    ]);
    const otio = readOtio(run(feed, 'otio'));
    const clips = otio.tracks[0]!.items.filter((i) => i.schema === 'Clip.2');
    assert.deepEqual(clips.map((c) => (c.metadata.shotscale as { notAnalysed?: boolean }).notAnalysed ?? false), [false, true, false]);
    assert.equal(clips[1]!.markers[0]!.comment, `CU ${notAnalysed}`);
    assert.equal(clips[1]!.markers[0]!.name, 'CU');
    const fcpxml = run(feed, 'fcpxml');
    const clipOf = (id: string) => new RegExp(`<asset-clip [^>]*name="cam-1_${id} CU"[\\s\\S]*?</asset-clip>`).exec(fcpxml)?.[0] ?? '';
    assert.match(clipOf('0072'), /<keyword [^>]*value="not analysed"/);
    assert.match(clipOf('0072'), new RegExp(`<marker [^>]*value="CU ${notAnalysed.replace(/[()]/g, '\\$&')}"`));
    assert.doesNotMatch(clipOf('0071'), /not analysed/);
    assert.ok(clipOf('0071') !== '' && clipOf('0073') !== '', 'both clips are in the FCPXML');
    assert.doesNotMatch(clipOf('0073'), /not analysed/);
  });

  test('empty logs export cleanly', () => {
    for (const format of EXPORT_FORMATS) assert.ok(exportShots([], format, options()).body.length > 0, format);
    assert.deepEqual(parseCsv(exportShots([], 'csv', options()).body), []);
    assert.equal(parseEdl(exportShots([], 'edl', options()).body).events.length, 0);
    assert.equal(parseAle(exportShots([], 'ale', options()).body).rows.length, 0);
    assert.equal(readOtio(exportShots([], 'otio', options()).body).tracks.length, 0);
    const json = JSON.parse(exportShots([], 'json', options()).body) as { summary: { averageShotLengthS: number } };
    assert.equal(json.summary.averageShotLengthS, 0);
  });
});

// ------------------------------------------------------------------ the parsers themselves

describe('export parsers reject malformed input', () => {
  test('CSV', () => {
    assert.throws(() => parseCsv('a,b\n1,"open\n'), /not closed/);
    assert.throws(() => parseCsv('a,b\n1,2,3\n'), /3 fields/);
    assert.throws(() => parseCsv('a,b\n1,x"y"\n'), /quote inside/);
    assert.deepEqual(parseCsv('\ufeffa,b\r\n"1\r\n2",""""\r\n'), [{ a: '1\r\n2', b: '"' }]);
  });

  test('EDL', () => {
    const good = 'TITLE: t\r\nFCM: NON-DROP FRAME\r\n\r\n001  AX       V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\r\n';
    assert.equal(parseEdl(good).events.length, 1);
    assert.throws(() => parseEdl(good.replace('001  AX      ', '001 AX       ')), /event number/);
    assert.throws(() => parseEdl(good.replace('V     C', 'V    C ')), /column/);
    assert.throws(() => parseEdl(good.replace('FCM: NON-DROP FRAME\r\n', '')), /FCM/);
    assert.throws(() => parseEdl(`${good}garbage\r\n`), /not an event/);
  });

  test('ALE', () => {
    const good = 'Heading\nFIELD_DELIM\tTABS\nFPS\t25\n\nColumn\nName\tStart\n\nData\na\t00:00:00:00\n';
    assert.equal(parseAle(good).rows.length, 1);
    assert.throws(() => parseAle(`${good}b\t00:00:00:00\textra\n`), /3 cells for 2 columns/);
    assert.throws(() => parseAle(good.replace('\n\nData', '\nData')), /blank line/);
    assert.throws(() => parseAle(good.replace('TABS', 'COMMAS')), /FIELD_DELIM/);
  });

  test('OTIO', () => {
    const rt = (value: number) => ({ OTIO_SCHEMA: 'RationalTime.1', rate: 25, value });
    const timeline = (item: unknown) => ({
      OTIO_SCHEMA: 'Timeline.1',
      name: 't',
      global_start_time: rt(0),
      tracks: { OTIO_SCHEMA: 'Stack.1', children: [{ OTIO_SCHEMA: 'Track.1', name: 'v', kind: 'Video', children: [item] }] },
    });
    const gap = { OTIO_SCHEMA: 'Gap.1', name: '', source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: rt(0), duration: rt(5) } };
    assert.equal(readOtio(timeline(gap)).tracks[0]!.items[0]!.durationFrames, 5);
    assert.throws(() => readOtio(timeline({ ...gap, OTIO_SCHEMA: 'Gap' })), /OTIO_SCHEMA/);
    assert.throws(() => readOtio(timeline({ ...gap, source_range: { ...gap.source_range, duration: { rate: 25, value: 5 } } })), /OTIO_SCHEMA/);
    assert.throws(() => readOtio(timeline({ ...gap, source_range: { ...gap.source_range, duration: { ...rt(5), rate: '25' } } })), /rate/);
    assert.throws(() => readOtio(timeline({ ...gap, source_range: { ...gap.source_range, duration: { ...rt(5), seconds: 1 } } })), /keys/);
    assert.throws(() => readOtio({ ...timeline(gap), OTIO_SCHEMA: 'Timeline.2' }), /Timeline/);
  });
});
