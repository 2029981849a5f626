/**
 * File mode and the folder it writes to: a server's log (or one in use) in
 * --out is never replaced; a rerun replaces the earlier log whole (its
 * exports and thumbnails go with it) and a failed rerun leaves it as it was;
 * a file cut short is logged for what it holds and says so; the file's own
 * timecode decides drop-frame; `shotscale export --db` of the log alone
 * still links to the file; and a file with non-square pixels (HDV, the demo
 * reel's selfie clip) is analysed, pictured and exported as it is displayed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LogSummary } from '../../server/cli/log-summary.js';
import { lockDataDir } from '../../server/store/data-dir-lock.js';
import { openDatabase } from '../../server/store/database.js';
import { runCli } from '../support/cli.js';
import { parseAle, parseCsv, parseEdl, readOtio } from '../support/export-parsers.js';
import { readFcpxml, type FcpxmlDocument, type FcpxmlFormat } from '../support/fcpxml-reader.js';
import { makeClip, tempDir, trimClip } from '../support/media.js';

const LOG_TIMEOUT = { timeoutMs: 120_000 };
const DEMO = fileURLToPath(new URL('../../media/demo/', import.meta.url));

/** Two patterns cut together at `cutS` (two shots), H.264 at `rate`, with extra ffmpeg output options. */
function cutClip(dir: string, name: string, cutS: number, seconds: number, rate = '25', extra: string[] = []): string {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${rate}:duration=${cutS}`,
    '-f', 'lavfi', '-i', `mandelbrot=size=320x180:rate=${rate}`,
    '-filter_complex', `[1:v]trim=duration=${seconds - cutS},setpts=PTS-STARTPTS[b];[0:v][b]concat=n=2:v=1[v]`,
    '-map', '[v]', ...extra, '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/** A shot log as a server leaves it: shots of its cameras. */
function serverLog(dir: string): string {
  const file = path.join(dir, 'shotscale.sqlite');
  const db = openDatabase(file);
  db.prepare(
    `INSERT INTO shots (camera_id, status, in_time, out_time, rate, in_frame, out_frame, start_s, scale, confidence, probabilities, readouts, cut_in)
     VALUES ('cam-1', 'closed', 1000, 5000, '25', 0, 100, 0, 'MS', 0.9, '[0,0,0,1,0,0,0,0]', 4, 'start')`,
  ).run();
  db.close();
  return file;
}

describe('shotscale log: the folder it writes to', () => {
  test("a server's log in --out is refused, not replaced; so is a folder another shotscale holds", async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4', 1);
    const data = path.join(dir, 'data');
    const file = serverLog(data);
    const before = readFileSync(file);
    const res = await runCli(['log', clip, '--out', data], LOG_TIMEOUT);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, new RegExp(`^error OUTPUT_UNWRITABLE: --out ${data}: its shotscale\\.sqlite is a server's shot log \\(shots of camera cam-1\\)`));
    assert.deepEqual(readFileSync(file), before, 'the server log is as it was');
    assert.deepEqual(readdirSync(data).sort(), ['shotscale.sqlite'], 'nothing else written there, and no lock file left');

    // A running server holds its data directory's lock: the log is refused before the folder is touched.
    const live = path.join(dir, 'live');
    const lock = lockDataDir(live);
    try {
      const locked = await runCli(['log', clip, '--out', live], LOG_TIMEOUT);
      assert.equal(locked.code, 1, locked.stderr);
      assert.match(locked.stderr, /^error DATABASE_LOCKED: the data directory .*live is in use by another shotscale/);
    } finally {
      lock.release();
    }
  });

  test('a rerun replaces the earlier log whole; a failed rerun leaves it as it was', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    const first = cutClip(dir, 'film.mp4', 1.5, 3);
    const run1 = await runCli(['log', first, '--out', out, '--fps', '2'], LOG_TIMEOUT);
    assert.equal(run1.code, 0, run1.stderr);
    const thumbnails1 = readdirSync(path.join(out, 'thumbnails'));
    assert.equal(thumbnails1.length, 2, `two shots: ${thumbnails1.join(', ')}`);
    assert.ok(!existsSync(path.join(out, 'shotscale.lock')), 'the lock file goes with the lock');
    const files1 = readdirSync(out).sort();
    const database1 = readFileSync(path.join(out, 'shotscale.sqlite'));

    // One frame cannot be logged: the run fails after the earlier log was found, and nothing of it is touched.
    const one = path.join(dir, 'one', 'film.mp4');
    mkdirSync(path.dirname(one));
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-frames:v', '1', '-pix_fmt', 'yuv420p', one]);
    const failed = await runCli(['log', one, '--out', out], LOG_TIMEOUT);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /error INPUT_UNREADABLE: .*film\.mp4: too short to log: 1 frame \(0\.04 s\), less than one frame to analyse at 3 fps/);
    assert.doesNotMatch(failed.stderr, /exit 0/);
    assert.deepEqual(readdirSync(out).sort(), files1, 'no work folder or lock file left behind');
    assert.deepEqual(readFileSync(path.join(out, 'shotscale.sqlite')), database1, 'the earlier log is as it was');

    // A shorter film of the same name, one shot, CSV only: the earlier thumbnails and exports go.
    const second = makeClip(path.join(dir, 'one'), 'film.mp4', 2);
    const run2 = await runCli(['log', second, '--out', out, '--fps', '2', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(run2.code, 0, run2.stderr);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as LogSummary;
    assert.equal(summary.shots, 1);
    assert.equal(readdirSync(path.join(out, 'thumbnails')).length, 1, 'no thumbnail of the earlier run left');
    assert.deepEqual(readdirSync(out).sort(), ['film.csv', 'report.html', 'shotscale.sqlite', 'summary.json', 'thumbnails']);
    assert.equal(parseCsv(readFileSync(path.join(out, 'film.csv'), 'utf8')).length, 1);
  });

  test('a file cut short: logged for what it holds, a warning naming ffmpeg’s complaint, exit status 3', async () => {
    const dir = tempDir();
    const film = cutClip(dir, 'short.mp4', 2, 12, '25', ['-movflags', '+faststart', '-g', '25']);
    // The index (moov) first, so the file still opens; its last two thirds are gone.
    truncateSync(film, Math.round(statSync(film).size / 3));
    const out = path.join(dir, 'out');
    const res = await runCli(['log', film, '--out', out, '--fps', '1', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(res.code, 3, res.stderr);
    const warning = /warning: .*short\.mp4: decoded (\d+\.\d) s of 12\.0 s: the file ends early.*; ffmpeg: .+; the log covers the \1 s decoded/.exec(res.stderr);
    assert.ok(warning, res.stderr);
    const decoded = Number(warning[1]);
    assert.ok(decoded > 1 && decoded < 10, `decoded ${decoded} s`);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as LogSummary;
    assert.ok(Math.abs(summary.durationS - decoded) < 0.1, `the summary's length is what was decoded: ${summary.durationS}`);
    assert.match(res.stdout, new RegExp(`in ${decoded.toFixed(1)} s`));

    // A whole file whose sound runs on past its picture: no complaint from ffmpeg, so no truncation.
    const longSound = path.join(dir, 'sound.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=6',
      '-pix_fmt', 'yuv420p', '-c:a', 'aac', longSound,
    ]);
    const whole = await runCli(['log', longSound, '--out', path.join(dir, 'sound'), '--fps', '1', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stderr, /note: .*sound\.mp4: the picture ends at 2\.0 s of the file's 6\.0 s/);
    const wholeSummary = JSON.parse(readFileSync(path.join(dir, 'sound', 'summary.json'), 'utf8')) as LogSummary;
    assert.equal(wholeSummary.durationS, 2);
  });

  test("a file at a lower rate than the timecode's ends where the file does: the last shot's out point is the file's length", async () => {
    const dir = tempDir();
    // Two shots, 12 frames a second for 4 s, logged at 25 and at 29.97 drop-frame: 100 and 120 timecode frames.
    const film = cutClip(dir, 'film12.mp4', 2, 4, '12');
    for (const [rate, fps, frames, tcOut] of [['25', 25, 100, '00:00:04:00'], ['29.97DF', 30000 / 1001, 120, '00:00:04;00']] as const) {
      const out = path.join(dir, `out-${rate}`);
      const res = await runCli(['log', film, '--out', out, '--fps', '2', '--rate', rate, '--formats', 'csv,edl'], LOG_TIMEOUT);
      assert.equal(res.code, 0, res.stderr);
      const rows = parseCsv(readFileSync(path.join(out, 'film12.csv'), 'utf8'));
      const endS = Number(rows.at(-1)!.end_s);
      assert.ok(Math.abs(endS - 4) < 0.5 / fps, `${rate}: the last shot ends at 4 s, within half a frame (${endS})`);
      assert.equal(rows.reduce((sum, row) => sum + Number(row.frames), 0), frames, `${rate}: the shots hold the file's ${frames} frames`);
      assert.equal(rows.at(-1)!.tc_out, tcOut);
      const edl = parseEdl(readFileSync(path.join(out, 'film12.edl'), 'utf8'));
      assert.equal(edl.events.at(-1)!.recOut, tcOut, `${rate}: the EDL ends with the file`);
    }
  });

  test("a 29.97 file's non-drop-frame timecode is followed, and export --db of the log links to the file as the log's own exports do", async () => {
    const dir = tempDir();
    const film = cutClip(dir, 'ndf film.mp4', 1.5, 3, '30000/1001', ['-timecode', '00:00:50:00']);
    const out = path.join(dir, 'out');
    const res = await runCli(['log', film, '--out', out, '--fps', '2', '--formats', 'csv,edl'], LOG_TIMEOUT);
    assert.equal(res.code, 0, res.stderr);
    const rows = parseCsv(readFileSync(path.join(out, 'ndf film.csv'), 'utf8'));
    assert.equal(rows[0]!.rate, '29.97');
    assert.equal(rows[0]!.tc_in, '00:00:50:00');
    assert.equal(parseEdl(readFileSync(path.join(out, 'ndf film.edl'), 'utf8')).fcm, 'NON-DROP FRAME');

    const db = path.join(out, 'shotscale.sqlite');
    const exported = async (format: string) => {
      const run = await runCli(['export', '--db', db, '--format', format]);
      assert.equal(run.code, 0, run.stderr);
      return run.stdout;
    };
    const edl = parseEdl(await exported('edl'));
    assert.equal(edl.fcm, 'NON-DROP FRAME');
    assert.equal(edl.title, 'ndf film.mp4', "the file's name is the title, as in the log's own exports");
    const ale = parseAle(await exported('ale'));
    assert.ok(ale.rows.length >= 1);
    for (const row of ale.rows) assert.equal(row['Source File'], 'ndf film.mp4');
    const otio = readOtio(await exported('otio'));
    const clips = otio.tracks[0]!.items.filter((item) => item.schema.startsWith('Clip'));
    assert.ok(clips.length >= 1);
    const fcpxml = await exported('fcpxml');
    const src = /<media-rep kind="original-media" src="([^"]+)"/.exec(fcpxml)?.[1];
    assert.equal(src && fileURLToPath(src), film);
    assert.match(fcpxml, /<format id="r1" frameDuration="1001\/30000s" width="320" height="180"\/>/, 'the file’s own picture size');
    const otioText = await exported('otio');
    assert.ok(otioText.includes('"OTIO_SCHEMA": "ExternalReference.1"'), 'OTIO links to the file');
    assert.ok(!otioText.includes('MissingReference'));
  });

  test('non-square pixels: thumbnails show the picture as displayed, and the FCPXML, ALE and export --db size it so', async () => {
    const dir = tempDir();
    // HDV: 1440x1080 stored, pixels 4:3 wide: a 16:9 picture. The demo reel's selfie: 288x512 at 64:27, a 4:3 picture.
    const hdv = path.join(dir, 'hdv.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1440x1080:rate=25', '-t', '2', '-vf', 'setsar=4/3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', hdv]);
    const selfie = trimClip(path.join(DEMO, 'selfie.mp4'), dir, 1, 2);

    /** The log's first thumbnail as RGB, decoded by ffmpeg: its size and the mean level of a band of it. */
    const thumbnail = (out: string) => {
      const file = path.join(out, 'thumbnails', readdirSync(path.join(out, 'thumbnails')).sort()[0]!);
      // ffmpeg -i names the picture's size (and, without an output, exits 1).
      const info = /Video: .*?, (\d+)x(\d+)/.exec(spawnSync('ffmpeg', ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr);
      assert.ok(info, 'the thumbnail is a picture ffmpeg reads');
      const [width, height] = [Number(info[1]), Number(info[2])];
      const rgb = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
      const mean = (x0: number, x1: number, y0: number, y1: number) => {
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) sum += rgb[(y * width + x) * 3 + c]!;
        return sum / ((x1 - x0) * (y1 - y0) * 3);
      };
      return { width, height, mean };
    };
    const formatOf = (doc: FcpxmlDocument, id: string): FcpxmlFormat => doc.formats.find((f) => f.id === id)!;
    const sizes = (doc: FcpxmlDocument) => {
      const sequence = formatOf(doc, doc.sequence.formatId);
      const asset = formatOf(doc, doc.assets[0]!.formatId);
      return { sequence: [sequence.name, sequence.width, sequence.height, sequence.pixelAspect], asset: [asset.width, asset.height, asset.pixelAspect] };
    };

    const hdvOut = path.join(dir, 'hdv-log');
    const hdvRun = await runCli(['log', hdv, '--out', hdvOut, '--fps', '2', '--formats', 'fcpxml,ale'], LOG_TIMEOUT);
    assert.equal(hdvRun.code, 0, hdvRun.stderr);
    // 16:9 in the analysis frame: bars above and below, the picture edge to edge (a 4:3 one would have bars at the sides).
    const hdvThumb = thumbnail(hdvOut);
    const bar = Math.floor((hdvThumb.height - Math.round((hdvThumb.width * 9) / 16)) / 2);
    assert.ok(bar >= 4, `a 16:9 picture leaves bars in a ${hdvThumb.width}x${hdvThumb.height} frame`);
    assert.ok(hdvThumb.mean(0, hdvThumb.width, 0, bar - 2) < 12, 'black above the picture');
    assert.ok(hdvThumb.mean(0, hdvThumb.width, hdvThumb.height - bar + 2, hdvThumb.height) < 12, 'black below the picture');
    assert.ok(hdvThumb.mean(0, 8, bar + 4, hdvThumb.height - bar - 4) > 40, 'the picture reaches the left edge');
    assert.ok(hdvThumb.mean(hdvThumb.width - 8, hdvThumb.width, bar + 4, hdvThumb.height - bar - 4) > 40, 'and the right edge');
    // Final Cut: a 1080p25 sequence, the asset its stored raster with 4:3 pixels; Avid: a 1080 project.
    const expected = { sequence: ['FFVideoFormat1080p25', 1920, 1080, null], asset: [1440, 1080, { h: 4, v: 3 }] };
    assert.deepEqual(sizes(readFcpxml(readFileSync(path.join(hdvOut, 'hdv.fcpxml'), 'utf8'))), expected);
    assert.equal(parseAle(readFileSync(path.join(hdvOut, 'hdv.ale'), 'utf8')).heading.VIDEO_FORMAT, '1080');
    // The log alone exports the same picture format.
    const again = await runCli(['export', '--db', path.join(hdvOut, 'shotscale.sqlite'), '--format', 'fcpxml']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(sizes(readFcpxml(again.stdout)), expected);

    const selfieOut = path.join(dir, 'selfie-log');
    const selfieRun = await runCli(['log', selfie, '--out', selfieOut, '--fps', '2', '--formats', 'fcpxml'], LOG_TIMEOUT);
    assert.equal(selfieRun.code, 0, selfieRun.stderr);
    // 4:3 in the analysis frame: the picture is 4/3 as wide as the frame is high, centred; as a 288x512 strip it would be 0.56.
    const selfieThumb = thumbnail(selfieOut);
    const pictureWidth = Math.round((selfieThumb.height * 4) / 3);
    const side = Math.floor((selfieThumb.width - pictureWidth) / 2);
    assert.ok(selfieThumb.mean(side + 2, side + 12, 0, selfieThumb.height) > 40, 'the picture starts where a 4:3 picture does');
    assert.ok(selfieThumb.mean(side + pictureWidth - 12, side + pictureWidth - 2, 0, selfieThumb.height) > 40, 'and ends there');
    if (side > 4) assert.ok(selfieThumb.mean(0, side - 2, 0, selfieThumb.height) < 12, 'black beside it');
    assert.deepEqual(sizes(readFcpxml(readFileSync(path.join(selfieOut, 'selfie.fcpxml'), 'utf8'))), { sequence: ['', 682, 512, null], asset: [288, 512, { h: 64, v: 27 }] });
  });
});
