/**
 * `shotscale export --db` of logs `shotscale log` made of real files: a film
 * whose timecode crosses midnight (23.976 and 29.97 drop-frame), where
 * --from/--to timecodes after midnight are the next day's, as its EDL counts
 * them; and --camera of a camera the log does not have, refused as the API
 * refuses it (CAMERA_NOT_FOUND), with no file written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli, writeServeConfig } from '../support/cli.js';
import { parseCsv, parseEdl } from '../support/export-parsers.js';
import { tempDir } from '../support/media.js';
import { CLIPS_DIR } from '../support/cut-clips.js';

const MONTAGE = path.join(CLIPS_DIR, 'montage_cc_pd_segments_640x360.mp4');
/** Seconds of `frames` at 23.976. */
const at23976 = (frames: number) => frames / (24000 / 1001);

/** 12 s of the montage (5 shots) re-timed to `rate` with a timecode track from `timecode`, logged by `shotscale log`: the log's file. */
async function midnightLog(rate: string, timecode: string): Promise<string> {
  const dir = tempDir();
  const video = path.join(dir, 'midnight.mov');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', MONTAGE, '-t', '12', '-vf', `setpts=N/(${rate})/TB`, '-r', rate, '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-timecode', timecode, video]);
  const run = await runCli(['log', video, '--out', path.join(dir, 'out')], { timeoutMs: 180_000 });
  assert.equal(run.code, 0, run.stderr);
  return path.join(dir, 'out', 'shotscale.sqlite');
}

async function csvIds(db: string, ...filter: string[]): Promise<string[]> {
  const run = await runCli(['export', '--db', db, '--format', 'csv', ...filter]);
  assert.equal(run.code, 0, run.stderr);
  return parseCsv(run.stdout).map((row) => row.id!);
}

/** The ids of the shots that end after `fromS` and start before `toS` seconds into the film, from the log's full CSV. */
async function idsBetween(db: string, fromS: number, toS: number): Promise<string[]> {
  const rows = parseCsv((await runCli(['export', '--db', db, '--format', 'csv'])).stdout);
  return rows.filter((row) => Number(row.start_s) + Number(row.duration_s) > fromS && Number(row.start_s) < toS).map((row) => row.id!);
}

describe('shotscale export --from/--to of a film that crosses midnight', () => {
  let db: string;

  before(async () => {
    db = await midnightLog('24000/1001', '23:59:55:00');
  });

  test('the log runs from 23:59:55:00 past midnight (5 shots)', async () => {
    const rows = parseCsv((await runCli(['export', '--db', db, '--format', 'csv'])).stdout);
    assert.equal(rows.length, 5);
    assert.equal(rows[0]!.tc_in, '23:59:55:00');
    assert.equal(rows.at(-1)!.tc_out, '00:00:07:00');
  });

  test('a timecode after midnight is the next day, 6 s or 8 s into the film, not a day before it', async () => {
    // 00:00:01:00 is 6 s in: shot 3 (2.7 s to 7.7 s) ends after it, shots 1 and 2 do not.
    assert.deepEqual(await csvIds(db, '--from', '00:00:01:00'), ['3', '4', '5']);
    assert.deepEqual(await csvIds(db, '--from', '00:00:01:00'), await idsBetween(db, at23976(6 * 24), Infinity));
    const edl = await runCli(['export', '--db', db, '--format', 'edl', '--to', '00:00:03:00']);
    assert.equal(edl.code, 0, edl.stderr);
    assert.doesNotMatch(edl.stderr, /no shots match/);
    // Shots 1 to 4 start before 8 s (shot 3 is two events, split at midnight).
    const shotsOfEvents = parseEdl(edl.stdout).events.map((event) => /file shot (\d+)/.exec(event.comments.join('\n'))?.[1]);
    assert.deepEqual([...new Set(shotsOfEvents)], ['1', '2', '3', '4']);
    assert.deepEqual([...new Set(shotsOfEvents)], await idsBetween(db, -Infinity, at23976(8 * 24)));
    const across = await runCli(['export', '--db', db, '--format', 'csv', '--from', '23:59:58:00', '--to', '00:00:03:00']);
    assert.equal(across.code, 0, across.stderr);
    assert.deepEqual(parseCsv(across.stdout).map((row) => row.id), ['3', '4']);
  });

  test('a timecode before the film starts is the next day: after every shot', async () => {
    const later = await runCli(['export', '--db', db, '--format', 'csv', '--from', '23:59:50:00']);
    assert.equal(later.code, 0, later.stderr);
    assert.equal(parseCsv(later.stdout).length, 0);
    assert.match(later.stderr, /^shotscale export: no shots match --from 23:59:50:00; the log of midnight\.mov holds 5 shots/);
    assert.equal((await csvIds(db, '--to', '23:59:50:00')).length, 5);
  });

  test('at 29.97 drop-frame too', async () => {
    const dropFrame = await midnightLog('30000/1001', '23:59:55;00');
    const rows = parseCsv((await runCli(['export', '--db', dropFrame, '--format', 'csv'])).stdout);
    assert.equal(rows[0]!.tc_in, '23:59:55;00');
    // 23:59:55;00 to 00:00:01;00 is 180 frames (no frame number is skipped at 00:00): 6.006 s.
    const fromS = 180 / (30000 / 1001);
    const expected = await idsBetween(dropFrame, fromS, Infinity);
    assert.ok(expected.length > 0 && expected.length < rows.length, `some shots, not all: ${expected.join(', ')}`);
    assert.deepEqual(await csvIds(dropFrame, '--from', '00:00:01;00'), expected);
    assert.deepEqual(await csvIds(dropFrame, '--from', '23:59:58;00', '--to', '00:00:01;00'), await idsBetween(dropFrame, 3 * 30 / (30000 / 1001), fromS));
  });
});

describe('shotscale export of a film at 10:00:00:00: --from/--to before its start, and --camera of a camera the log does not have', () => {
  let db: string;

  before(async () => {
    db = await midnightLog('24000/1001', '10:00:00:00');
  });

  test('a film that does not run past midnight: a timecode before its start is before it, not the next day', async () => {
    assert.equal((await csvIds(db, '--from', '00:00:00:00', '--to', '10:00:05:00')).join(','), (await idsBetween(db, -Infinity, 5 * 24 / (24000 / 1001))).join(','));
    assert.equal((await csvIds(db, '--from', '09:00:00:00')).length, 5, 'every shot ends after 09:00');
    const before = await runCli(['export', '--db', db, '--format', 'csv', '--to', '09:00:00:00']);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(parseCsv(before.stdout).length, 0, 'no shot starts before 09:00');
  });

  test('--db: refused CAMERA_NOT_FOUND naming the cameras the log has, exit 1, no file written', async () => {
    for (const camera of ['cam-9', 'file,cam-9']) {
      const out = path.join(tempDir(), 'typo.edl');
      const run = await runCli(['export', '--format', 'edl', '--db', db, '--camera', camera, '--out', out]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^error CAMERA_NOT_FOUND: --camera "cam-9": no camera of that id in the shot log, so there is nothing to export as edl \(the log has shots of camera file\)/);
      assert.ok(!existsSync(out), `${camera}: no file written`);
    }
    const stdout = await runCli(['export', '--format', 'csv', '--db', db, '--camera', 'cam-9']);
    assert.equal(stdout.code, 1);
    assert.equal(stdout.stdout, '', 'nothing on standard output');
    assert.equal((await csvIds(db, '--camera', 'file')).length, 5, 'a camera of the log still exports');
  });

  test("--config: a camera of the server's config with no shots exports empty; one of neither is refused", async () => {
    const dir = tempDir();
    const config = writeServeConfig(path.join(dir, 'config.yaml'), path.dirname(db), ['{ id: cam-a, source: { kind: testsrc } }']);
    const configured = await runCli(['export', '--format', 'csv', '--config', config, '--camera', 'cam-a']);
    assert.equal(configured.code, 0, configured.stderr);
    assert.equal(parseCsv(configured.stdout).length, 0);
    const out = path.join(dir, 'typo.edl');
    const typo = await runCli(['export', '--format', 'edl', '--config', config, '--camera', 'cam-9', '--out', out]);
    assert.equal(typo.code, 1, typo.stderr);
    assert.match(typo.stderr, /^error CAMERA_NOT_FOUND: --camera "cam-9": no camera of that id in the shot log or the config, .*\(the log has shots of camera file; configured: cam-a\)/);
    assert.ok(!existsSync(out), 'no file written');
  });
});
