/**
 * The FCPXML export through the real ways out: a shot log file (SQLite, as
 * shotscale leaves it) with two cameras at 29.97 drop-frame across a dropped
 * minute, served by the real server (GET /api/shots?format=fcpxml) and read
 * by the real CLI (shotscale export --format fcpxml --db FILE); each read back
 * and compared with the JSON export of the same shots. Well-formedness is
 * checked by libxml2's xmllint (Debian's libxml2-utils), which must also
 * reject a deliberately broken copy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { exportShots } from '../../server/exports/export-shots.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { timecodeAtRate, timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { runCli } from '../support/cli.js';
import { readFcpxml, type FcpxmlDocument } from '../support/fcpxml-reader.js';
import { tempDir } from '../support/media.js';
import { startTestServer } from '../support/server-harness.js';

const RATE = '29.97DF';
/** 2026-11-22T00:00:00Z plus the timecode's seconds: time-of-day timecode, as jam-synced cameras give. */
const DAY_START = Date.UTC(2026, 10, 22);

function shot(cameraId: string, tcIn: string, tcOut: string, scale: CanonicalScale, extra: Partial<ShotRecord> = {}): ShotRecord {
  const rate = timecodeRate(RATE);
  const inFrame = timecodeToFrames(tcIn, rate);
  const outFrame = timecodeToFrames(tcOut, rate);
  const inMs = Math.round((inFrame / rate.fps) * 1000);
  const outMs = Math.round((outFrame / rate.fps) * 1000);
  return {
    id: 0,
    cameraId,
    status: 'closed',
    inTime: DAY_START + inMs,
    outTime: DAY_START + outMs,
    rate: RATE,
    inFrame,
    outFrame,
    tcIn,
    tcOut,
    durationS: (outMs - inMs) / 1000,
    startS: inMs / 1000,
    scale,
    scaleStart: null,
    scaleEnd: null,
    confidence: 0.74,
    probabilities: CANONICAL_SCALES.map((s) => (s === scale ? 0.74 : 0.26 / 7)),
    readouts: 9,
    subjects: { count: 2, kind: 'people', framing: 'two-shot', overTheShoulder: false },
    reason: 'two people, "hips" in & knees out',
    cutIn: 'hard',
    cutOut: 'hard',
    scene: '7',
    take: '2',
    tags: [],
    note: null,
    hasThumbnail: false,
    ...extra,
  };
}

/** Two cameras across the dropped numbers of minute 1 (00:01:00;00 and ;01 do not exist). */
const SHOTS = [
  shot('cam-a', '10:00:58;00', '10:00:59;29', 'WS', { tags: ['Anna & Ben', '<lead>'], note: 'first "take" <ok>' }),
  shot('cam-b', '10:00:58;15', '10:01:00;10', 'MCU', { tags: ["it's"] }),
  shot('cam-a', '10:00:59;29', '10:01:03;00', 'CU'),
  shot('cam-b', '10:01:00;10', '10:01:05;02', 'MS', { subjects: null, reason: null }),
  shot('cam-a', '10:01:04;00', '10:01:04;01', 'ECU'),
];

interface JsonLog {
  rate: string;
  shots: ShotRecord[];
}

/** A shot log file as shotscale leaves it, holding SHOTS. */
function shotLogFile(): string {
  const dir = tempDir('shotscale-fcpxml-');
  const file = path.join(dir, DATABASE_FILE);
  const db = openDatabase(file);
  const store = new ShotStore(db, timecodeAtRate);
  for (const s of SHOTS) store.add(s, null);
  db.close();
  return file;
}

function xmllint(file: string): { status: number | null; stderr: string } {
  const run = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  if (run.error) throw new Error(`xmllint did not run (${run.error.message}): install Debian's libxml2-utils`);
  return { status: run.status, stderr: run.stderr };
}

/** The FCPXML and the JSON export agree shot for shot: count, timecodes, lengths, rate, scale, tags. */
function assertSameShots(doc: FcpxmlDocument, json: JsonLog) {
  assert.equal(doc.sequence.rate, json.rate);
  assert.equal(doc.sequence.tcFormat, 'DF');
  assert.equal(doc.shots.length, json.shots.length);
  assert.ok(json.shots.length > 0);
  for (const s of json.shots) {
    const clip = doc.shots.find((c) => c.asset === s.cameraId && c.name.startsWith(`${s.cameraId}_${String(s.id).padStart(4, '0')} `));
    assert.ok(clip, `a clip for ${s.cameraId} shot ${s.id}`);
    assert.equal(clip.rate, s.rate);
    assert.equal(clip.startTimecode, s.tcIn, `${s.cameraId} ${s.id} in`);
    assert.equal(clip.endTimecode, s.tcOut, `${s.cameraId} ${s.id} out`);
    assert.equal(clip.inFrames, s.inFrame);
    assert.equal(clip.durationFrames, s.outFrame - s.inFrame);
    assert.equal(clip.recordTimecode, s.tcIn, 'cameras in sync: each clip at its own timecode');
    assert.equal(clip.scale, s.scale);
    for (const tag of s.tags) assert.ok(clip.keywords.includes(tag), `${tag} in ${clip.keywords.join(', ')}`);
    assert.ok(clip.marker.startsWith(`${s.scale} 0.74`), clip.marker);
    assert.equal(clip.note, s.note);
  }
}

describe('FCPXML export', () => {
  test('well-formed for libxml2 (xmllint), which rejects a broken copy', () => {
    const dir = tempDir('shotscale-fcpxml-');
    const cases = [
      { name: 'live.fcpxml', body: exportShots(SHOTS, 'fcpxml', { title: `Tom & Jerry's "<log>"` }).body },
      { name: 'file.fcpxml', body: exportShots(SHOTS, 'fcpxml', { title: 'film', mediaPath: "/media/day 1/A&B's #1 é.mov" }).body },
      { name: 'empty.fcpxml', body: exportShots([], 'fcpxml', { title: 'empty' }).body },
    ];
    for (const { name, body } of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, body);
      const lint = xmllint(file);
      assert.equal(lint.status, 0, `${name}: ${lint.stderr}`);
      assert.equal(lint.stderr, '');
    }
    const good = cases[0]!.body;
    const breakages: [string, string][] = [
      ['an unclosed element', good.replace('</spine>', '')],
      ['a bare ampersand', good.replace('&amp;', '&')],
      ['a quote inside an attribute', good.replace('&quot;', '"')],
    ];
    for (const [why, broken] of breakages) {
      assert.notEqual(broken, good, why);
      const file = path.join(dir, 'broken.fcpxml');
      writeFileSync(file, broken);
      const lint = xmllint(file);
      assert.notEqual(lint.status, 0, `xmllint accepts ${why}`);
      assert.match(lint.stderr, /broken\.fcpxml:\d+: parser error/);
    }
  });

  describe('from a shot log', () => {
    let file: string;
    let server: RunningServer;

    before(async () => {
      file = shotLogFile();
      server = await startTestServer({ shots: { dataDir: path.dirname(file) } });
    });

    after(async () => {
      await server?.close();
    });

    test('GET /api/shots?format=fcpxml: a download the reader and xmllint accept, the same shots as format=json', async () => {
      const response = await fetch(`${server.url}/api/shots?format=fcpxml`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/xml; charset=utf-8');
      assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="shotscale-shots\.fcpxml"/);
      const body = await response.text();
      const json = (await (await fetch(`${server.url}/api/shots?format=json`)).json()) as JsonLog;
      assert.equal(json.shots.length, SHOTS.length);
      const doc = readFcpxml(body);
      assertSameShots(doc, json);
      assert.equal(doc.projectName, 'shotscale all cameras');
      assert.deepEqual(
        doc.assets.map((a) => a.name),
        ['cam-a', 'cam-b'],
      );
      const lanes = new Map(doc.shots.map((c) => [c.asset, c.lane]));
      assert.deepEqual([lanes.get('cam-a'), lanes.get('cam-b')], [0, 1], 'cam-a the primary storyline, cam-b connected above it');
      const saved = path.join(path.dirname(file), 'route.fcpxml');
      writeFileSync(saved, body);
      assert.equal(xmllint(saved).status, 0);

      const filtered = await fetch(`${server.url}/api/shots?camera=cam-b&format=fcpxml`);
      assert.match(filtered.headers.get('content-disposition') ?? '', /filename="shotscale-shots-cam-b\.fcpxml"/);
      const camB = (await (await fetch(`${server.url}/api/shots?camera=cam-b&format=json`)).json()) as JsonLog;
      assertSameShots(readFcpxml(await filtered.text()), camB);
    });

    test('shotscale export --format fcpxml --db FILE: the same shots as its JSON export', async () => {
      const fcpxml = await runCli(['export', '--db', file, '--format', 'fcpxml', '--title', 'Day 1 & 2']);
      assert.equal(fcpxml.code, 0, fcpxml.stderr);
      const json = await runCli(['export', '--db', file, '--format', 'json']);
      assert.equal(json.code, 0, json.stderr);
      const doc = readFcpxml(fcpxml.stdout);
      assertSameShots(doc, JSON.parse(json.stdout) as JsonLog);
      assert.equal(doc.projectName, 'Day 1 & 2');

      const out = path.join(path.dirname(file), 'cli.fcpxml');
      const written = await runCli(['export', '--db', file, '--format', 'fcpxml', '--out', out]);
      assert.equal(written.code, 0, written.stderr);
      assert.equal(xmllint(out).status, 0);

      const unknown = await runCli(['export', '--db', file, '--format', 'fcp']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /BAD_REQUEST: --format "fcp": not known \(known: .*\bfcpxml\b/);
    });
  });
});
