import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { exportShots, type ExportOptions } from '../../server/exports/export-shots.js';
import type { ShotRecord, TimecodeRateName } from '../../server/shared/shots.js';
import { framesToTimecode, timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';
import { DAY_START, NOBODY, shot, TWO } from '../support/timecoded-shots.js';
import { parseEdl, readOtio, type EdlEvent } from '../support/export-parsers.js';
import { parseXml, readFcpxml, type FcpxmlDocument, type FcpxmlShot } from '../support/fcpxml-reader.js';

// ------------------------------------------------------------------ fixtures


const AWKWARD_TAGS = ['a<b', '"quoted"', 'x & y', "it's", 'ben, jr', '</keyword>'];
const AWKWARD_NOTE = 'Anna & "Ben" <enter>\nleft\tthen ]]> exits\u0001';

/** 24 fps, one feed with a gap between shots, and every XML special character in tags and notes. */
const FEED_24 = [
  shot({ camera: 'cam-1', id: 1, rate: '24', tcIn: '10:00:00:00', tcOut: '10:00:03:12', scale: 'MCU', extra: { tags: AWKWARD_TAGS, note: AWKWARD_NOTE, reason: 'hips < frame & "knees" out' } }),
  shot({ camera: 'cam-1', id: 2, rate: '24', tcIn: '10:00:03:12', tcOut: '10:00:09:00', scale: 'WS', extra: { subjects: TWO, scene: '<4>', take: '&1' } }),
  shot({ camera: 'cam-1', id: 3, rate: '24', tcIn: '10:00:12:00', tcOut: '10:00:12:01', scale: 'ECU', extra: { subjects: null, reason: null, scene: null, take: null } }),
  shot({ camera: 'cam-1', id: 4, rate: '24', tcIn: '10:00:12:01', tcOut: '10:01:00:00', scale: 'EWS', extra: { subjects: NOBODY } }),
];

const FEED_25 = [
  shot({ camera: 'programme', id: 11, rate: '25', tcIn: '09:59:58:00', tcOut: '10:00:04:12', scale: 'MS', extra: { tags: ['anna'] } }),
  shot({ camera: 'programme', id: 12, rate: '25', tcIn: '10:00:04:12', tcOut: '10:00:10:24', scale: 'FS' }),
];

/** 23.976 across the hour. */
const FEED_23976 = [
  shot({ camera: 'cam-a', id: 21, rate: '23.976', tcIn: '00:59:59:00', tcOut: '01:00:01:00', scale: 'CU' }),
  shot({ camera: 'cam-a', id: 22, rate: '23.976', tcIn: '01:00:01:00', tcOut: '01:00:30:12', scale: 'MS' }),
  shot({ camera: 'cam-a', id: 23, rate: '23.976', tcIn: '01:00:30:12', tcOut: '01:00:30:23', scale: 'FS' }),
];

/** 29.97 drop-frame: across a dropped minute, the tenth minute (not dropped) and the eleventh. */
const FEED_2997DF = [
  shot({ camera: 'programme', id: 31, rate: '29.97DF', tcIn: '00:00:50;00', tcOut: '00:00:59;28', scale: 'CU' }),
  shot({ camera: 'programme', id: 32, rate: '29.97DF', tcIn: '00:00:59;28', tcOut: '00:01:00;04', scale: 'MS' }),
  shot({ camera: 'programme', id: 33, rate: '29.97DF', tcIn: '00:01:00;04', tcOut: '00:09:59;20', scale: 'FS' }),
  shot({ camera: 'programme', id: 34, rate: '29.97DF', tcIn: '00:09:59;20', tcOut: '00:10:00;10', scale: 'EWS' }),
  shot({ camera: 'programme', id: 35, rate: '29.97DF', tcIn: '00:10:59;25', tcOut: '00:11:00;03', scale: 'MWS' }),
  shot({ camera: 'programme', id: 36, rate: '29.97DF', tcIn: '00:11:00;03', tcOut: '01:00:00;00', scale: 'MCU' }),
];

/** 59.94 drop-frame: four numbers dropped per minute. */
const FEED_5994DF = [
  shot({ camera: 'cam-1', id: 41, rate: '59.94DF', tcIn: '00:00:59;50', tcOut: '00:01:00;10', scale: 'MS' }),
  shot({ camera: 'cam-1', id: 42, rate: '59.94DF', tcIn: '00:01:00;10', tcOut: '00:01:10;00', scale: 'CU' }),
];

/** Four cameras shooting at once (time-of-day timecode); cam-2 starts before the first camera and ends after it. */
const MULTI_CAMERA = [
  shot({ camera: 'cam-1', id: 51, rate: '25', tcIn: '10:00:01:00', tcOut: '10:00:05:00', scale: 'MCU' }),
  shot({ camera: 'cam-2', id: 52, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:07:00', scale: 'WS', extra: { tags: ['wide & "safe"'] } }),
  shot({ camera: 'cam-10', id: 53, rate: '25', tcIn: '10:00:02:00', tcOut: '10:00:06:00', scale: 'FS' }),
  shot({ camera: 'cam-10', id: 54, rate: '25', tcIn: '10:00:06:00', tcOut: '10:00:06:01', scale: 'EWS' }),
  shot({ camera: 'cam-1', id: 55, rate: '25', tcIn: '10:00:05:00', tcOut: '10:00:09:00', scale: 'CU' }),
  shot({ camera: 'cam-2', id: 56, rate: '25', tcIn: '10:00:07:00', tcOut: '10:00:12:00', scale: 'MS' }),
  shot({ camera: 'cam 3 <left>', id: 57, rate: '25', tcIn: '10:00:08:00', tcOut: '10:00:09:00', scale: 'ECU' }),
];

interface Fixture {
  name: string;
  shots: ShotRecord[];
  rate: TimecodeRateName;
  multiCamera: boolean;
}

const FIXTURES: Fixture[] = [
  { name: '24 fps, one feed, XML special characters', shots: FEED_24, rate: '24', multiCamera: false },
  { name: '25 fps, one feed', shots: FEED_25, rate: '25', multiCamera: false },
  { name: '23.976, one feed', shots: FEED_23976, rate: '23.976', multiCamera: false },
  { name: '29.97DF, one feed', shots: FEED_2997DF, rate: '29.97DF', multiCamera: false },
  { name: '59.94DF, one feed', shots: FEED_5994DF, rate: '59.94DF', multiCamera: false },
  { name: '25 fps, four cameras', shots: MULTI_CAMERA, rate: '25', multiCamera: true },
];

/** The frame duration of each rate as exact seconds (numerator, denominator), written out here independently of the exporter. */
const FRAME_SECONDS: Record<TimecodeRateName, [number, number]> = {
  '23.976': [1001, 24000],
  '24': [1, 24],
  '25': [1, 25],
  '29.97': [1001, 30000],
  '29.97DF': [1001, 30000],
  '30': [1, 30],
  '50': [1, 50],
  '59.94': [1001, 60000],
  '59.94DF': [1001, 60000],
  '60': [1, 60],
};

// ------------------------------------------------------------------ helpers

const TITLE = 'shotscale test log';
const options = (extra: Partial<ExportOptions> = {}): ExportOptions => ({ title: TITLE, generatedAt: DAY_START, ...extra });
/** The exporters must sort: give them the shots backwards. */
const run = (shots: readonly ShotRecord[], format: 'fcpxml' | 'edl' | 'otio', extra: Partial<ExportOptions> = {}) => exportShots([...shots].reverse(), format, options(extra)).body;
const frames = (tc: string, rate: TimecodeRateName) => timecodeToFrames(tc, timecodeRate(rate));
const FROM_CLIP = /^FROM CLIP NAME: (.*) shot (\d+)$/;

/** "camera shot-id" of an FCPXML clip: the asset is the camera, the name "<camera>_<id> <scale>". */
function fcpKey(clip: FcpxmlShot): string {
  const id = /_(\d+) [A-Z]+$/.exec(clip.name);
  assert.ok(id, `clip name ${clip.name}`);
  return `${clip.asset} ${Number(id[1])}`;
}

function edlKey(event: EdlEvent): string {
  const from = event.comments.map((c) => FROM_CLIP.exec(c)).find((m) => m);
  assert.ok(from, 'a FROM CLIP NAME comment');
  return `${from[1]} ${Number(from[2])}`;
}

/** Every time attribute of the document, as written. */
function timeAttributes(xml: string): string[] {
  return [...xml.matchAll(/\s(offset|start|duration|tcStart|frameDuration)="([^"]*)"/g)].map((m) => m[2]!);
}

/** A time written as an integer over the frame denominator (or "0s"), and a whole number of frames. */
function assertExactTime(value: string, rate: TimecodeRateName) {
  const [frameNum, frameDen] = FRAME_SECONDS[rate];
  if (value === '0s') return;
  const match = /^(\d+)\/(\d+)s$/.exec(value);
  assert.ok(match, `${value} is an integer over an integer, in seconds`);
  const [num, den] = [BigInt(match[1]!), BigInt(match[2]!)];
  // value / frame duration = num * frameDen / (den * frameNum) must be whole.
  assert.equal((num * BigInt(frameDen)) % (den * BigInt(frameNum)), 0n, `${value} falls on a ${frameNum}/${frameDen} s frame`);
  assert.equal(den % BigInt(frameDen / gcdNumber(frameDen, frameNum)), 0n, `${value} is over the frame denominator`);
}

function gcdNumber(a: number, b: number): number {
  return b === 0 ? a : gcdNumber(b, a % b);
}

/** Clips of each camera never overlap, each camera keeps one lane, the first camera (in camera-id order) is the primary storyline. */
function assertLanes(doc: FcpxmlDocument) {
  const laneOf = new Map<string, number>();
  for (const clip of doc.shots) {
    assert.equal(laneOf.get(clip.asset) ?? clip.lane, clip.lane, `${clip.asset} stays on one lane`);
    laneOf.set(clip.asset, clip.lane);
  }
  assert.equal(new Set(laneOf.values()).size, laneOf.size, 'a lane per camera');
  const cameras = [...laneOf.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  assert.deepEqual(
    cameras.map((c) => laneOf.get(c)),
    cameras.map((_, i) => i),
    'lanes 0, 1, 2... in camera-id order',
  );
  for (const camera of cameras) {
    const row = doc.shots.filter((s) => s.asset === camera).sort((a, b) => a.timelineFrames - b.timelineFrames);
    row.slice(1).forEach((clip, i) => assert.ok(clip.timelineFrames >= row[i]!.timelineFrames + row[i]!.durationFrames, `${camera}: clips do not overlap`));
  }
}

// ------------------------------------------------------------------ round trips per fixture

for (const fixture of FIXTURES) {
  const { rate } = fixture;

  describe(`FCPXML export: ${fixture.name}`, () => {
    const xml = run(fixture.shots, 'fcpxml');
    const doc = readFcpxml(xml);
    const edl = parseEdl(run(fixture.shots, 'edl'));

    test('an FCPXML 1.10 document at the timeline rate, with its frame duration and timecode format', () => {
      assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n<fcpxml version="1.10">'));
      assert.equal(doc.version, '1.10');
      assert.equal(doc.doctype, 'fcpxml');
      assert.equal(doc.sequence.rate, rate);
      assert.equal(doc.sequence.tcFormat, timecodeRate(rate).dropFrame ? 'DF' : 'NDF');
      assert.equal(doc.formats.length, 1, 'every time is at the timeline rate: one format');
      const [num, den] = FRAME_SECONDS[rate];
      const { frameDuration } = doc.formats[0]!;
      assert.equal(frameDuration.num * BigInt(den), frameDuration.den * BigInt(num), `frame duration ${frameDuration.num}/${frameDuration.den}s`);
      assert.deepEqual([doc.formats[0]!.width, doc.formats[0]!.height], [1920, 1080]);
      assert.equal(doc.projectName, TITLE);
      assert.equal(doc.eventName, TITLE);
      const cameras = new Set(fixture.shots.map((s) => s.cameraId));
      assert.deepEqual(new Set(doc.assets.map((a) => a.name)), cameras, 'an asset per camera');
      for (const asset of doc.assets) assert.equal(fileURLToPath(asset.src), `/shotscale/live/${asset.name}.mov`, 'a live camera: a placeholder file named after it');
    });

    test('one clip per shot, with the EDL\'s source timecodes, lengths and the shot\'s scale', () => {
      assert.equal(doc.shots.length, fixture.shots.length);
      assert.equal(doc.shots.length, edl.events.length);
      const byKey = new Map(doc.shots.map((clip) => [fcpKey(clip), clip]));
      assert.equal(byKey.size, doc.shots.length, 'clip names are unique');
      const shotOf = new Map(fixture.shots.map((s) => [`${s.cameraId} ${s.id}`, s]));
      for (const event of edl.events) {
        const key = edlKey(event);
        const clip = byKey.get(key);
        const s = shotOf.get(key)!;
        assert.ok(clip, `a clip for ${key}`);
        assert.equal(clip.startTimecode, event.srcIn, `${key} in`);
        assert.equal(clip.endTimecode, event.srcOut, `${key} out`);
        assert.equal(clip.startTimecode, s.tcIn);
        assert.equal(clip.endTimecode, s.tcOut);
        assert.equal(clip.inFrames, frames(event.srcIn, rate));
        assert.equal(clip.durationFrames, frames(event.srcOut, rate) - frames(event.srcIn, rate));
        assert.equal(clip.durationFrames, s.outFrame - s.inFrame);
        assert.equal(clip.rate, rate);
        assert.equal(clip.tcFormat, doc.sequence.tcFormat);
        assert.equal(clip.scale, s.scale, 'the scale keyword');
        assert.ok(clip.name.endsWith(` ${s.scale}`), clip.name);
        assert.equal(clip.keywords[0], s.scale);
        if (s.subjects) assert.ok(clip.keywords.includes(s.subjects.framing === 'none' ? 'empty' : s.subjects.framing), clip.keywords.join(', '));
        else assert.equal(clip.keywords.length, s.tags.length + 1, 'no framing keyword when the subjects are unknown');
        assert.equal(clip.markers.length, 1);
        assert.ok(clip.marker.startsWith(`${s.scale} 0.82`), clip.marker);
        assert.equal(clip.markers[0]!.startFrames, clip.inFrames, 'the marker sits on the first frame, in source time');
        assert.equal(clip.markers[0]!.durationFrames, 1);
        assert.equal(clip.metadata['com.apple.proapps.studio.scene'], s.scene ?? undefined);
        assert.equal(clip.metadata['com.apple.proapps.studio.shot'], s.take ?? undefined);
        assert.equal(clip.metadata['com.apple.proapps.studio.reel'], event.reel, 'the reel is the EDL\'s');
      }
    });

    test('clips sit at their source timecode: record = source for one feed, cameras in sync as in the OTIO export', () => {
      const otio = readOtio(run(fixture.shots, 'otio'));
      assert.equal(doc.sequence.tcStartFrames, otio.globalStart.value, 'the sequence starts at the earliest in point');
      for (const clip of doc.shots) {
        if (!fixture.multiCamera) {
          const event = edl.events.find((e) => edlKey(e) === fcpKey(clip))!;
          assert.equal(clip.recordTimecode, event.recIn, 'the EDL\'s record in');
          assert.equal(clip.lane, 0, 'one feed: the primary storyline');
        }
        const track = otio.tracks.find((t) => t.name === clip.asset)!;
        let at = otio.globalStart.value;
        const item = track.items.find((i) => {
          const here = at;
          at += i.durationFrames;
          return i.schema === 'Clip.2' && here === clip.timelineFrames;
        });
        assert.ok(item, `the OTIO track ${clip.asset} has a clip at frame ${clip.timelineFrames}`);
        assert.equal(item.startFrame, clip.inFrames);
        assert.equal(item.durationFrames, clip.durationFrames);
      }
      assertLanes(doc);
      const end = Math.max(...doc.shots.map((s) => s.timelineFrames + s.durationFrames));
      assert.equal(doc.sequence.tcStartFrames + doc.sequence.durationFrames, end, 'the sequence ends with the last shot of any camera');
    });

    test('every time is an exact rational on the frame grid', () => {
      const times = timeAttributes(xml);
      assert.ok(times.length > 5 * fixture.shots.length);
      for (const value of times) assertExactTime(value, rate);
    });
  });
}

// ------------------------------------------------------------------ details

describe('FCPXML export: details', () => {
  test('XML special characters in titles, tags, notes, reasons and scenes come back as written', () => {
    const title = `Tom & Jerry's "<cut>"\nday 2`;
    const xml = run(FEED_24, 'fcpxml', { title });
    const doc = readFcpxml(xml);
    assert.equal(doc.projectName, `Tom & Jerry's "<cut>" day 2`, 'on one line');
    const first = doc.shots.find((s) => s.name.startsWith('cam-1_0001'))!;
    // A comma would split a keyword in Final Cut (the value is a comma-separated list).
    assert.deepEqual(first.keywords, ['MCU', 'single', 'a<b', '"quoted"', 'x & y', "it's", 'ben; jr', '</keyword>']);
    assert.equal(first.note, 'Anna & "Ben" <enter>\nleft\tthen ]]> exits', 'line breaks kept, the control character dropped');
    assert.ok(first.marker.includes('(hips < frame & "knees" out)'), first.marker);
    const second = doc.shots.find((s) => s.name.startsWith('cam-1_0002'))!;
    assert.equal(second.metadata['com.apple.proapps.studio.scene'], '<4>');
    assert.equal(second.metadata['com.apple.proapps.studio.shot'], '&1');
    assert.ok(second.keywords.includes('two-shot') && second.keywords.includes('over the shoulder'), second.keywords.join(', '));
    assert.ok(!xml.includes('\u0001'));
  });

  test('file mode: the asset is the source video (URL-encoded file URL) from its first frame', () => {
    const mediaPath = '/media/day 1/A&B #1 é 100%.mov';
    const xml = run(FEED_25, 'fcpxml', { mediaPath });
    const doc = readFcpxml(xml);
    assert.equal(doc.assets.length, 1);
    const [asset] = doc.assets;
    assert.equal(asset!.name, 'A&B #1 é 100%.mov');
    assert.match(asset!.src, /^file:\/\/\//);
    assert.doesNotMatch(asset!.src, /[ #é]|%(?![0-9A-F]{2})/, 'spaces, # and % are percent-encoded');
    assert.equal(fileURLToPath(asset!.src), mediaPath);
    // startS is seconds into the file: the file's first frame is the first shot's in less its startS.
    const first = FEED_25[0]!;
    assert.equal(asset!.startFrames, first.inFrame - Math.round(first.startS * 25));
    assert.ok(doc.shots.every((s) => s.mediaUrl === asset!.src));
  });

  test("file mode: the format is the file's picture size, and its sound comes in with it", () => {
    const mediaPath = '/media/clip.mov';
    // A size FCP has a preset for is named by it; any other is a custom format of that size.
    const preset = readFcpxml(run(FEED_25, 'fcpxml', { mediaPath, media: { width: 1280, height: 720, audio: null } }));
    assert.deepEqual([preset.formats[0]!.name, preset.formats[0]!.width, preset.formats[0]!.height], ['FFVideoFormat720p25', 1280, 720]);
    const xml = run(FEED_25, 'fcpxml', { mediaPath, media: { width: 640, height: 360, audio: { channels: 2, sampleRate: 48000 } } });
    const doc = readFcpxml(xml);
    assert.deepEqual([doc.formats[0]!.name, doc.formats[0]!.width, doc.formats[0]!.height], ['', 640, 360]);
    const asset = parseXml(xml).root.children.find((e) => e.name === 'resources')!.children.find((e) => e.name === 'asset')!;
    assert.deepEqual(
      [asset.attributes.hasAudio, asset.attributes.audioSources, asset.attributes.audioChannels, asset.attributes.audioRate],
      ['1', '1', '2', '48000'],
    );
    assert.match(xml, /<sequence [^>]*audioLayout="stereo" audioRate="48k"/);
    // Without sound, no audio attribute at all; a live feed keeps its 1080p placeholder whatever is given.
    const silent = run(FEED_25, 'fcpxml', { mediaPath, media: { width: 640, height: 360, audio: null } });
    assert.doesNotMatch(silent, /audio|hasAudio/);
    const live = readFcpxml(run(FEED_25, 'fcpxml', { media: { width: 640, height: 360, audio: { channels: 1, sampleRate: 44100 } } }));
    assert.deepEqual([live.formats[0]!.width, live.formats[0]!.height], [1920, 1080]);
  });

  test('file mode, non-square pixels: the sequence is the picture as displayed, the asset the stored raster with its pixel aspect', () => {
    const mediaPath = '/media/hdv.m2t';
    const formatOf = (doc: FcpxmlDocument, id: string) => doc.formats.find((f) => f.id === id)!;
    // HDV: 1440x1080 stored, pixels 4:3 wide, shown 1920x1080: a 1080p project by FCP's preset name.
    const hdv = readFcpxml(run(FEED_25, 'fcpxml', { mediaPath, media: { width: 1440, height: 1080, pixelAspect: { h: 4, v: 3 }, audio: null } }));
    const sequence = formatOf(hdv, hdv.sequence.formatId);
    assert.deepEqual([sequence.name, sequence.width, sequence.height, sequence.pixelAspect], ['FFVideoFormat1080p25', 1920, 1080, null]);
    assert.equal(hdv.assets.length, 1);
    const raster = formatOf(hdv, hdv.assets[0]!.formatId);
    assert.notEqual(raster.id, sequence.id);
    assert.deepEqual([raster.width, raster.height, raster.pixelAspect], [1440, 1080, { h: 4, v: 3 }]);
    assert.deepEqual(raster.frameDuration, sequence.frameDuration, 'one rate: the clips\' times mean the same in both');
    const ids = [...hdv.formats.map((f) => f.id), ...hdv.assets.map((a) => a.id)];
    assert.equal(new Set(ids).size, ids.length, `resource ids are unique: ${ids.join(' ')}`);
    // Anamorphic PAL: 720x576 at 64:45 is a 1024x576 custom sequence; the demo reel's selfie clip (288x512 at 64:27) is 4:3 landscape.
    const pal = readFcpxml(run(FEED_25, 'fcpxml', { mediaPath, media: { width: 720, height: 576, pixelAspect: { h: 64, v: 45 }, audio: null } }));
    assert.deepEqual([formatOf(pal, pal.sequence.formatId).width, formatOf(pal, pal.sequence.formatId).height], [1024, 576]);
    assert.deepEqual(formatOf(pal, pal.assets[0]!.formatId).pixelAspect, { h: 64, v: 45 });
    const selfie = readFcpxml(run(FEED_25, 'fcpxml', { mediaPath, media: { width: 288, height: 512, pixelAspect: { h: 64, v: 27 }, audio: null } }));
    assert.deepEqual([formatOf(selfie, selfie.sequence.formatId).width, formatOf(selfie, selfie.sequence.formatId).height], [682, 512]);
    // Square pixels (or none stated): one format, as before; a live feed ignores a probe.
    for (const pixelAspect of [null, undefined, { h: 1, v: 1 }]) {
      const square = readFcpxml(run(FEED_25, 'fcpxml', { mediaPath, media: { width: 1440, height: 1080, pixelAspect, audio: null } }));
      assert.deepEqual(square.formats.map((f) => [f.width, f.height, f.pixelAspect]), [[1440, 1080, null]]);
    }
    const live = readFcpxml(run(FEED_25, 'fcpxml', { media: { width: 1440, height: 1080, pixelAspect: { h: 4, v: 3 }, audio: null } }));
    assert.deepEqual(live.formats.map((f) => [f.width, f.height, f.pixelAspect]), [[1920, 1080, null]]);
  });

  test('shots at another rate are converted to the timeline rate through their seconds (the EDL refuses them)', () => {
    const mixed = [shot({ camera: 'cam-1', id: 1, rate: '25', tcIn: '00:00:58:00', tcOut: '00:00:59:00', scale: 'WS' }), ...FEED_2997DF.slice(1, 3)];
    for (const rate of ['25', '29.97DF', '23.976'] as const) {
      const doc = readFcpxml(run(mixed, 'fcpxml', { rate }));
      assert.equal(doc.sequence.rate, rate);
      assert.equal(doc.shots.length, mixed.length);
      const byKey = new Map(doc.shots.map((c) => [fcpKey(c), c]));
      const at = (frames: number, from: ShotRecord) => framesToTimecode(Math.round((frames / timecodeRate(from.rate).fps) * timecodeRate(rate).fps), timecodeRate(rate));
      for (const s of mixed) {
        const clip = byKey.get(`${s.cameraId} ${s.id}`)!;
        assert.deepEqual([clip.startTimecode, clip.endTimecode], [at(s.inFrame, s), at(s.outFrame, s)], `${s.cameraId} ${s.id} at ${rate}`);
      }
      for (const value of timeAttributes(run(mixed, 'fcpxml', { rate }))) assertExactTime(value, rate);
    }
  });

  test('several cameras: the first is the primary storyline with gaps, the others connected clips in lanes', () => {
    const doc = readFcpxml(run(MULTI_CAMERA, 'fcpxml'));
    const lanes = new Map(doc.shots.map((s) => [s.asset, s.lane]));
    assert.deepEqual([...lanes.entries()].sort((a, b) => a[1] - b[1]), [
      ['cam 3 <left>', 0],
      ['cam-1', 1],
      ['cam-2', 2],
      ['cam-10', 3],
    ]);
    // cam 3 has one shot at 10:00:08:00; cam-2 starts at 10:00:00:00 and ends at 10:00:12:00.
    assert.deepEqual(
      doc.gaps.map((g) => [g.timelineFrames - doc.sequence.tcStartFrames, g.durationFrames]),
      [
        [0, 8 * 25],
        [9 * 25, 3 * 25],
      ],
    );
    assert.equal(doc.sequence.tcStart, '10:00:00:00');
    assert.equal(doc.sequence.durationFrames, 12 * 25);
  });

  test('a connected clip keeps its place when the storyline clip under it was moved (offsets in the parent\'s time)', () => {
    // cam-a's second shot overlaps its first (a broken log), so it follows it at 10:00:05:00 though its source starts at 10:00:03:00.
    const shots = [
      shot({ camera: 'cam-a', id: 1, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:05:00', scale: 'WS' }),
      shot({ camera: 'cam-a', id: 2, rate: '25', tcIn: '10:00:03:00', tcOut: '10:00:08:00', scale: 'MS' }),
      shot({ camera: 'cam-b', id: 3, rate: '25', tcIn: '10:00:06:00', tcOut: '10:00:07:00', scale: 'CU' }),
    ];
    const doc = readFcpxml(run(shots, 'fcpxml'));
    const at = (id: number) => doc.shots.find((s) => s.name.includes(`_000${id} `))!;
    assert.equal(at(2).recordTimecode, '10:00:05:00');
    assert.equal(at(2).startTimecode, '10:00:03:00');
    assert.equal(at(3).lane, 1);
    assert.equal(at(3).recordTimecode, '10:00:06:00', 'cam-b stays in sync');
  });

  test('a log across midnight: the next shot follows directly', () => {
    const midnight = [
      shot({ camera: 'cam-1', id: 1, rate: '25', tcIn: '23:59:50:00', tcOut: '23:59:59:00', scale: 'WS' }),
      { ...shot({ camera: 'cam-1', id: 2, rate: '25', tcIn: '00:00:00:00', tcOut: '00:00:05:00', scale: 'CU' }), inTime: DAY_START + 86_400_000 },
    ];
    const doc = readFcpxml(run(midnight, 'fcpxml'));
    assert.deepEqual(
      doc.shots.map((s) => [s.startTimecode, s.recordTimecode]),
      [
        ['23:59:50:00', '23:59:50:00'],
        ['00:00:00:00', '23:59:59:00'],
      ],
    );
    assert.equal(doc.sequence.durationFrames, 14 * 25);
  });

  test('a shot shorter than a frame is left out; an empty log is an empty project', () => {
    const open = { ...shot({ camera: 'cam-1', id: 99, rate: '25', tcIn: '10:01:00:00', tcOut: '10:01:00:00', scale: 'MS' }), status: 'open' as const, cutOut: null };
    assert.equal(readFcpxml(run([...FEED_25, open], 'fcpxml')).shots.length, FEED_25.length);
    const empty = exportShots([], 'fcpxml', options());
    assert.equal(empty.extension, '.fcpxml');
    assert.equal(empty.contentType, 'application/xml; charset=utf-8');
    const doc = readFcpxml(empty.body);
    assert.equal(doc.shots.length, 0);
    assert.equal(doc.assets.length, 0);
    assert.equal(doc.sequence.durationFrames, 0);
  });
});

// ------------------------------------------------------------------ the reader itself

describe('the FCPXML reader rejects what Final Cut would', () => {
  const good = run(MULTI_CAMERA, 'fcpxml');

  test('XML that is not well-formed', () => {
    assert.equal(parseXml('<a x="1"><b>&amp;&#x41;&#66;</b></a>').root.children[0]!.text, '&AB');
    assert.equal(parseXml('<a x="1&#10;2\n3"/>').root.attributes.x, '1\n2 3', 'attribute-value normalisation');
    assert.throws(() => parseXml('<a><b></a></b>'), /closes/);
    assert.throws(() => parseXml('<a>fish & chips</a>'), /entity/);
    assert.throws(() => parseXml('<a>&nbsp;</a>'), /entity/);
    assert.throws(() => parseXml('<a x="1" x="2"/>'), /repeated/);
    assert.throws(() => parseXml('<a x=1/>'), /quoted/);
    assert.throws(() => parseXml('<a x="<"/>'), /</);
    assert.throws(() => parseXml('<a/><b/>'), /after the root/);
    assert.throws(() => parseXml('<a>\u0001</a>'), /not allowed/);
  });

  test('an exported document read back, then broken one way at a time', () => {
    assert.equal(readFcpxml(good).shots.length, MULTI_CAMERA.length);
    const breakOnce = (from: RegExp, to: (...groups: string[]) => string) => {
      const broken = good.replace(from, (...match: string[]) => to(...match));
      assert.notEqual(broken, good, `${String(from)} matched`);
      return broken;
    };
    assert.throws(() => readFcpxml(breakOnce(/duration="(\d+)\/2500s"/, (_, n) => `duration="${n}1/2500s"`)), /not on the/, 'a time between frames');
    assert.throws(() => readFcpxml(breakOnce(/(<gap[^>]*duration=")(\d+)\//, (_, head, n) => `${head}${Number(n) + 100}/`)), /hole or an overlap/, 'a spine with an overlap');
    assert.throws(() => readFcpxml(breakOnce(/ lane="1"/, () => '')), /lane/, 'a connected clip without a lane');
    assert.throws(() => readFcpxml(breakOnce(/(<asset id="r2"[^>]*duration=")\d+\//, (_, head) => `${head}100/`)), /outside its asset/, 'a clip outside its asset');
    assert.throws(() => readFcpxml(breakOnce(/<keyword/, () => '<metadata/><keyword')), /out of order/, 'children out of the DTD order');
    assert.throws(() => readFcpxml(breakOnce(/frameDuration="100\/2500s"/, () => 'frameDuration="100/2400s"')), /frame grid/, 'a different frame grid');
    assert.throws(() => readFcpxml(breakOnce(/ref="r3"/, () => 'ref="r99"')), /no asset/);
  });
});
