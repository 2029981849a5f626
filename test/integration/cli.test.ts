/**
 * The command line as a user meets it: bad config and bad models stop with a
 * clear error and a non-zero exit (the first start: first-start.test.ts);
 * classify prints one JSON line per image or sampled frame.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import { openDatabase } from '../../server/store/database.js';
import { MediaSourceStore } from '../../server/store/media-source-store.js';
import { MIGRATIONS } from '../../server/store/migrations.js';
import { runCli } from '../support/cli.js';
import { parseCsv as parseCsvRows } from '../support/export-parsers.js';
import { makeClip, tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

const FIXTURE_ONNX = path.join(SHARED_DIR, 'fixtures', 'movieshots-mobilenetv3-small-random.onnx');

function writeConfig(dir: string, yaml: string): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** A manifest in `dir` for the fixture model, with `change` applied. */
function writeManifest(dir: string, change: (m: Record<string, unknown>) => void): string {
  const manifest = JSON.parse(readFileSync(FIXTURE_MANIFEST, 'utf8')) as Record<string, unknown>;
  manifest.file = FIXTURE_ONNX;
  change(manifest);
  const file = path.join(dir, 'model.manifest.json');
  writeFileSync(file, JSON.stringify(manifest));
  return file;
}

describe('shotscale serve: refusing to start', () => {
  test('an unknown key: the file, the line and the key path', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, 'server:\n  port: 0\npipeline:\n  batch:\n    maxSize: 4\n    windw: 10\n');
    const res = await runCli(['serve', '--config', file]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /error CONFIG_INVALID/);
    assert.ok(res.stderr.includes(`${file}:6: pipeline.batch.windw: unknown key "windw"`), res.stderr);
  });

  test('a wrong type and an unknown source kind are both reported', async () => {
    const file = writeConfig(tempDir(), 'server:\n  port: "eighty"\ncameras:\n  - id: a\n    source: { kind: firewire }\n');
    const res = await runCli(['serve', '--config', file]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /:2: server\.port: .*number/);
    assert.match(res.stderr, /:5: cameras\[0\]\.source\.kind: .*'rtsp' \| 'webcam'/);
  });

  test('a missing config file', async () => {
    const res = await runCli(['serve', '--config', '/nonexistent/shotscale.yaml']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /CONFIG_NOT_FOUND.*\/nonexistent\/shotscale\.yaml/);
  });

  test('a missing model manifest, and a manifest whose model file is missing', async () => {
    const dir = tempDir();
    const noManifest = await runCli(['serve', '--config', writeConfig(dir, `server: { port: 0 }\nmodel: { manifest: ./absent.manifest.json }\n`)]);
    assert.equal(noManifest.code, 1);
    assert.match(noManifest.stderr, /MODEL_MANIFEST_NOT_FOUND.*absent\.manifest\.json/);

    const manifest = writeManifest(dir, (m) => (m.file = './absent.onnx'));
    const noModel = await runCli(['serve', '--config', writeConfig(dir, `server: { port: 0 }\nmodel: { manifest: ${manifest}, executionProviders: [cpu] }\n`)]);
    assert.equal(noModel.code, 1);
    assert.match(noModel.stderr, /MODEL_FILE_NOT_FOUND.*absent\.onnx/);
  });

  test('a model that does not match its manifest: size, labels, names', async () => {
    const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      ['input size', (m) => Object.assign(m.input as object, { width: 256, height: 256 }), /input axis 2 is 224, manifest implies 256/],
      ['label count', (m) => {
        m.labels = ['A', 'B', 'C', 'D', 'E', 'F'];
        m.canonicalMapping = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F'].map((l) => [l, { MS: 1 }]));
      }, /output has 5 classes, manifest lists 6 labels/],
      ['input name', (m) => Object.assign(m.input as object, { name: 'image' }), /input "image" not in model/],
      ['layout', (m) => Object.assign(m.input as object, { layout: 'NHWC' }), /input axis 1 is 3, manifest implies 224/],
    ];
    for (const [what, change, expected] of cases) {
      const dir = tempDir();
      const manifest = writeManifest(dir, change);
      const res = await runCli(['serve', '--config', writeConfig(dir, `server: { port: 0 }\nmodel: { manifest: ${manifest}, executionProviders: [cpu] }\n`)]);
      assert.equal(res.code, 1, what);
      assert.match(res.stderr, /MODEL_MISMATCH/, what);
      assert.match(res.stderr, expected, what);
    }
  });

  test('a file that is not an ONNX model', async () => {
    const dir = tempDir();
    const bogus = path.join(dir, 'bogus.onnx');
    writeFileSync(bogus, 'not a model');
    const manifest = writeManifest(dir, (m) => (m.file = bogus));
    const res = await runCli(['serve', '--config', writeConfig(dir, `server: { port: 0 }\nmodel: { manifest: ${manifest}, executionProviders: [cpu] }\n`)]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /MODEL_LOAD_FAILED/);
  });

  test('binding beyond loopback without an access token', async () => {
    const res = await runCli(['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /INSECURE_BIND/);
  });

  test('an unknown command prints usage with exit 2', async () => {
    const res = await runCli(['frobnicate']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /usage: shotscale/);
  });

  test('a command with --help or -h prints its own usage with exit 0; after "--" it is an argument', async () => {
    const log = await runCli(['log', '--help']);
    assert.equal(log.code, 0, log.stderr);
    assert.match(log.stdout, /^usage: shotscale log VIDEO --out DIR/);
    assert.doesNotMatch(log.stdout, /shotscale eval/, 'that command alone');
    const samples = await runCli(['samples', '-h']);
    assert.equal(samples.code, 0);
    assert.match(samples.stdout, /shotscale samples export[\s\S]*shotscale samples import/);
    const file = await runCli(['classify', '--', '--help']);
    assert.equal(file.code, 1, 'a file named --help is classified (and is missing)');
    assert.doesNotMatch(file.stdout, /usage:/);
  });
});

describe('shotscale classify', () => {
  const config = () => {
    const dir = tempDir();
    return writeConfig(dir, `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu] }\n`);
  };

  test('images and a video: one JSON line each image / sampled frame, progress on stderr', async () => {
    const dir = tempDir();
    const images = ['cn_0001.jpg', 'cn_0002.jpg'].map((f) => path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img', f));
    const clip = makeClip(dir, 'clip.mp4', 3);
    const res = await runCli(['classify', '--config', config(), '--fps', '2', ...images, clip]);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; frame: number; timeS: number; label: string; confidence: number; probabilities: Record<string, number> });
    assert.equal(lines.filter((l) => l.file === images[0]).length, 1);
    assert.equal(lines.filter((l) => l.file === images[1]).length, 1);
    const frames = lines.filter((l) => l.file === clip);
    assert.equal(frames.length, 6, '3 s sampled at 2 fps');
    assert.deepEqual(frames.map((f) => f.timeS), [0, 0.5, 1, 1.5, 2, 2.5]);
    for (const line of lines) {
      assert.ok(CANONICAL_SCALES.includes(line.label as never));
      assert.deepEqual(Object.keys(line.probabilities), [...CANONICAL_SCALES]);
      assert.equal(line.confidence, line.probabilities[line.label]);
    }
    assert.match(res.stderr, /3 of 3 files classified/);
  });

  test('an unreadable file is reported and skipped; the rest are classified; exit 1', async () => {
    const dir = tempDir();
    const broken = path.join(dir, 'broken.jpg');
    writeFileSync(broken, 'not an image');
    const good = path.join(dir, 'good.jpg');
    copyFileSync(path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img', 'cn_0003.jpg'), good);
    const res = await runCli(['classify', '--config', config(), broken, good]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /skipped INPUT_UNREADABLE: .*broken\.jpg is not a picture or video ffmpeg can read \(invalid data\)/);
    const lines = res.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0]!) as { file: string }).file, good);
  });
});

describe('bad paths and options: a coded error, never a stack trace, and nothing earlier lost', () => {
  const config = () => writeConfig(tempDir(), `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu] }\n`);
  const noStack = (stderr: string) => assert.doesNotMatch(stderr, /^\s+at /m, stderr);

  test('log: a bad --start-tc is refused before an earlier log in DIR is replaced', async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4', 1);
    const out = path.join(dir, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'shotscale.sqlite'), 'the earlier run');
    const res = await runCli(['log', clip, '--out', out, '--config', config(), '--start-tc', '25:99']);
    assert.equal(res.code, 2, 'a mistake on the command line, as for every command');
    assert.match(res.stderr, /error BAD_REQUEST: --start-tc: timecode "25:99"/);
    assert.equal(readFileSync(path.join(out, 'shotscale.sqlite'), 'utf8'), 'the earlier run');
  });

  test('log: --out naming a file, and a pipe as the video (read twice, it would wait for ever)', async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4', 1);
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const out = await runCli(['log', clip, '--out', file, '--config', config()]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /error OUTPUT_UNWRITABLE: --out .*a-file: cannot be written/);
    noStack(out.stderr);
    const fifo = path.join(dir, 'pipe.mp4');
    execFileSync('mkfifo', [fifo]);
    const pipe = await runCli(['log', fifo, '--out', path.join(dir, 'out'), '--config', config()], { timeoutMs: 30_000 });
    assert.equal(pipe.code, 1);
    assert.match(pipe.stderr, /error INPUT_UNREADABLE: .*pipe\.mp4: not a video file/);
  });

  test('eval: an output path that cannot be written is refused before the images are classified', async () => {
    const dir = tempDir();
    const labels = path.join(dir, 'labels.csv');
    writeFileSync(labels, 'file,label\ncn_0001.jpg,CU\ncn_0002.jpg,MS\n');
    const res = await runCli(['eval', '--labels', labels, '--images', path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img'), '--config', config(), '--json', dir]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /error OUTPUT_UNWRITABLE: --json .*: cannot be written \(it is a folder; name a file\)/);
    assert.doesNotMatch(res.stderr, /images classified/);
    noStack(res.stderr);
  });

  test('calibrate: a --samples file that is missing or not JSON', async () => {
    const dir = tempDir();
    const broken = path.join(dir, 'samples.json');
    writeFileSync(broken, '{"model": "cut sh');
    for (const [file, expected] of [[broken, /not JSON/], [path.join(dir, 'absent.json'), /no such file/]] as const) {
      const res = await runCli(['calibrate', '--samples', file, '--out', path.join(dir, 'head.json')]);
      assert.equal(res.code, 1);
      assert.match(res.stderr, /error INPUT_UNREADABLE: --samples /);
      assert.match(res.stderr, expected);
      noStack(res.stderr);
    }
  });

  test('export: --out naming a folder, and --db naming a folder', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'shotscale.sqlite');
    openDatabase(db).close();
    const out = await runCli(['export', '--format', 'csv', '--db', db, '--out', dir]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /error OUTPUT_UNWRITABLE: --out /);
    noStack(out.stderr);
    const folder = path.join(dir, 'folder.sqlite');
    mkdirSync(folder);
    const notFile = await runCli(['export', '--format', 'csv', '--db', folder]);
    assert.equal(notFile.code, 1);
    assert.match(notFile.stderr, /error INPUT_UNREADABLE: .*folder\.sqlite: not a file/);
  });

  test('serve: --config naming a folder', async () => {
    const res = await runCli(['serve', '--port', '0', '--config', tempDir()]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /error INPUT_UNREADABLE: config file .* cannot be read: it is a folder/);
    noStack(res.stderr);
  });

  test('classify: --batch 0 and -1 are refused, as eval and log refuse them', async () => {
    for (const batch of ['0', '-1']) {
      const res = await runCli(['classify', `--batch=${batch}`, path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img', 'cn_0001.jpg')]);
      assert.equal(res.code, 2, batch);
      assert.match(res.stderr, new RegExp(`^error BAD_REQUEST: --batch "${batch}": a whole number from 1 to 64`));
      assert.match(res.stderr, /usage: shotscale classify FILE\|FOLDER/);
    }
  });

  test('classify: --fps above 60 is refused, as log refuses it (1e9 sampled a 4 s clip for ever)', async () => {
    const clip = makeClip(tempDir(), 'clip.mp4', 1);
    for (const fps of ['1e9', '61', 'NaN', '0']) {
      const res = await runCli(['classify', '--fps', fps, clip], { timeoutMs: 30_000 });
      assert.equal(res.code, 2, fps);
      assert.match(res.stderr, new RegExp(`^error BAD_REQUEST: --fps "${fps}": frames a second to sample a video at, more than 0 and at most 60`));
    }
  });

  test('classify: a named pipe, with a writer or without, is skipped at once as not a regular file', async () => {
    const dir = tempDir();
    const image = path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img', 'cn_0001.jpg');
    const [held, idle] = [path.join(dir, 'held.jpg'), path.join(dir, 'idle.jpg')];
    execFileSync('mkfifo', [held]);
    execFileSync('mkfifo', [idle]);
    // A writer that keeps the pipe open: ffmpeg read nothing until it closed, then said "invalid data".
    const writer = spawn('sh', ['-c', `exec sleep 60 > '${held}'`], { stdio: 'ignore' });
    try {
      const started = Date.now();
      // Without a writer ffmpeg waited on the pipe for ever.
      const res = await runCli(['classify', '--config', config(), held, idle, image], { timeoutMs: 30_000 });
      assert.equal(res.code, 1, res.stderr);
      assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${held}: not a regular file (a pipe or device)`), res.stderr);
      assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${idle}: not a regular file (a pipe or device)`), res.stderr);
      assert.match(res.stderr, /1 of 3 files classified/);
      assert.equal(res.stdout.trim().split('\n').length, 1);
      assert.ok(Date.now() - started < 25_000, 'not held by the writer');
    } finally {
      writer.kill();
    }
  });

  test('classify: a text file and a sound file are skipped with a code, saying what they are, each named once', async () => {
    const dir = tempDir();
    const notes = path.join(dir, 'notes.txt');
    writeFileSync(notes, 'hello\n');
    const sound = path.join(dir, 'sound.m4a');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=d=1', sound]);
    const res = await runCli(['classify', '--config', config(), notes, sound]);
    assert.equal(res.code, 1);
    // ffmpeg ends a text file cleanly with nothing decoded: it said "(exit 0)", which reads as success.
    assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${notes}: ffmpeg found no picture in it`), res.stderr);
    assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${sound} has no video stream (audio or data only)`), res.stderr);
    assert.doesNotMatch(res.stderr, /exit 0/);
  });

  test('classify: a missing file is skipped as such, not as what ffmpeg makes of it', async () => {
    const missing = path.join(tempDir(), 'absent.jpg');
    const res = await runCli(['classify', '--config', config(), missing]);
    assert.equal(res.code, 1);
    assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${missing}: no such file`), res.stderr);
  });

  test('classify: nothing to classify is INPUT_UNREADABLE, saying why', async () => {
    const empty = tempDir();
    const res = await runCli(['classify', '--config', config(), empty]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /error INPUT_UNREADABLE: nothing to classify: no images or videos in .*\n  hint: a folder stands for the images and videos under it/);
    const list = await runCli(['classify', '--config', config(), '--files-from', '-'], { input: '\n' });
    assert.equal(list.code, 1);
    assert.match(list.stderr, /error INPUT_UNREADABLE: nothing to classify: --files-from - lists no files/);
  });

  test('any command: an unknown option is coded, with that command\'s usage only', async () => {
    const res = await runCli(['classify', '--bogus', 'x.jpg']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^error BAD_REQUEST: shotscale classify: Unknown option '--bogus'/);
    assert.match(res.stderr, /\n\nusage: shotscale classify FILE\|FOLDER\.\.\./);
    assert.doesNotMatch(res.stderr, /shotscale <command>|serve \[--config/);
  });

  test('samples import: a second folder, a file for the folder, and a folder without labels.csv', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'labels.csv');
    writeFileSync(file, 'file,label\n');
    const two = await runCli(['samples', 'import', dir, path.join(dir, 'other')]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /^error BAD_REQUEST: one folder to import, not 2/);
    assert.match(two.stderr, /usage: shotscale samples export [^]*\n {7}shotscale samples import DIR/);
    const notFolder = await runCli(['samples', 'import', file]);
    assert.equal(notFolder.code, 1);
    assert.match(notFolder.stderr, /error INPUT_UNREADABLE: samples import .*labels\.csv: not a folder/);
    const empty = tempDir();
    const noLabels = await runCli(['samples', 'import', empty]);
    assert.equal(noLabels.code, 1);
    assert.match(noLabels.stderr, /error INPUT_UNREADABLE: no labels file at .*labels\.csv\n  hint: name a folder that samples export wrote/);
    const headerOnly = await runCli(['samples', 'import', dir]);
    assert.equal(headerOnly.code, 1);
    assert.match(headerOnly.stderr, /error INPUT_UNREADABLE: .*labels\.csv: no rows below the header/);
    // export takes one of --db and --config, as the shot log export does: both are refused, not one of them used.
    const both = await runCli(['samples', 'export', '--out', path.join(dir, 'out'), '--db', path.join(dir, 'shotscale.sqlite'), '--config', path.join(dir, 'shotscale.yaml')]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^error BAD_REQUEST: --db .*shotscale\.sqlite and --config .*shotscale\.yaml: give one/);
    assert.match(both.stderr, /usage: shotscale samples export --out DIR \[--db FILE \| --config FILE\]/);
    const action = await runCli(['samples', 'frob']);
    assert.equal(action.code, 2);
    assert.match(action.stderr, /^error BAD_REQUEST: unknown action "frob": export or import/);
  });

  test('bench: bad options are refused before any bench server starts', async () => {
    for (const [args, expected, code] of [[['--cameras', 'abc'], /error BAD_REQUEST: --cameras abc/, 2], [['--fps', '0'], /error BAD_REQUEST: --fps 0/, 2], [['--out', tempDir()], /error OUTPUT_UNWRITABLE: --out /, 1]] as const) {
      const res = await runCli(['bench', '--duration', '1', '--warmup', '0', ...args]);
      assert.equal(res.code, code, args.join(' '));
      assert.match(res.stderr, expected);
      assert.doesNotMatch(res.stderr, /camera\(s\)\.\.\./);
    }
  });
});

/** A file-mode shot log as `shotscale log` leaves it: three shots of camera "file" from 10:00:00:00 at 25 fps, and the file behind them. */
function fileModeLog(dir: string, version?: number): string {
  const file = path.join(dir, 'film-log.db3');
  const db = openDatabase(file, version === undefined ? MIGRATIONS : MIGRATIONS.filter((m) => m.version <= version));
  const base = Date.UTC(2026, 11, 5, 9, 0, 0);
  const insert = db.prepare(
    `INSERT INTO shots (camera_id, status, in_time, out_time, rate, in_frame, out_frame, start_s, scale, confidence, probabilities, readouts, cut_in)
     VALUES ('file', 'closed', @inTime, @outTime, '25', @inFrame, @outFrame, @startS, 'MS', 0.9, '[0,0,0,1,0,0,0,0]', 4, 'start')`,
  );
  const start = 10 * 3600 * 25;
  for (const [fromS, toS] of [[0, 4], [4, 10], [10, 12]] as const) {
    insert.run({ inTime: base + fromS * 1000, outTime: base + toS * 1000, inFrame: start + fromS * 25, outFrame: start + toS * 25, startS: fromS });
  }
  if (version === undefined) new MediaSourceStore(db).save({ cameraId: 'file', path: '/films/day 1.mov', title: 'day 1.mov', rate: '25', width: 1280, height: 720, audio: { channels: 2, sampleRate: 48000 } });
  db.close();
  return file;
}

describe('shotscale export of a file-mode log', () => {
  test("links to the file the log was made from, at its rate and size, whatever the database's name", async () => {
    const db = fileModeLog(tempDir());
    const otio = await runCli(['export', '--db', db, '--format', 'otio']);
    assert.equal(otio.code, 0, otio.stderr);
    assert.match(otio.stdout, /"target_url": "file:\/\/\/films\/day%201\.mov"/);
    assert.doesNotMatch(otio.stdout, /MissingReference/);
    assert.match(otio.stdout, /"name": "day 1\.mov"/, "the file's name is the title");
    const ale = await runCli(['export', '--db', db, '--format', 'ale']);
    assert.match(ale.stdout, /\tday 1\.mov\t/, 'ALE Source File');
    const fcpxml = await runCli(['export', '--db', db, '--format', 'fcpxml', '--title', 'Day one']);
    assert.match(fcpxml.stdout, /<format id="r1" name="FFVideoFormat720p25" frameDuration="100\/2500s" width="1280" height="720"\/>/);
    assert.match(fcpxml.stdout, /src="file:\/\/\/films\/day%201\.mov"/);
    assert.match(fcpxml.stdout, /hasAudio="1" audioSources="1" audioChannels="2" audioRate="48000"/);
    assert.match(fcpxml.stdout, /<project name="Day one">/, '--title still wins');
  });

  test('--from and --to as a timecode of the film or seconds into it; no match says what the log holds', async () => {
    const db = fileModeLog(tempDir());
    const byTimecode = await runCli(['export', '--db', db, '--format', 'csv', '--from', '10:00:05:00', '--to', '10:00:10:00']);
    assert.equal(byTimecode.code, 0, byTimecode.stderr);
    // On standard output (a pipe, a script) the CSV has no byte-order mark; the file for Excel has one.
    assert.ok(byTimecode.stdout.startsWith('id,'), JSON.stringify(byTimecode.stdout.slice(0, 10)));
    assert.deepEqual(parseCsvRows(byTimecode.stdout).map((row) => row.tc_in), ['10:00:04:00']);
    const bySeconds = await runCli(['export', '--db', db, '--format', 'csv', '--from', '9.5s']);
    assert.deepEqual(parseCsvRows(bySeconds.stdout).map((row) => row.tc_in), ['10:00:04:00', '10:00:10:00']);
    // --scale as GET /api/shots takes it (every shot here is MS).
    assert.equal(parseCsvRows((await runCli(['export', '--db', db, '--format', 'csv', '--scale', 'ms,cu'])).stdout).length, 3);
    const noCu = await runCli(['export', '--db', db, '--format', 'csv', '--scale', 'CU']);
    assert.equal(noCu.code, 0, noCu.stderr);
    assert.match(noCu.stderr, /^shotscale export: no shots match --scale CU; the log of day 1\.mov holds 3 shots/);
    const badScale = await runCli(['export', '--db', db, '--format', 'csv', '--scale', 'XL']);
    assert.equal(badScale.code, 2);
    assert.match(badScale.stderr, /^error BAD_REQUEST: --scale: "XL" is not a shot scale \(ECU, CU, MCU, MS, MWS, FS, WS, EWS, or none/);
    // A file's log is told in the film's time, as --from and --to take it.
    const none = await runCli(['export', '--db', db, '--format', 'csv', '--from', '10:00:20:00']);
    assert.equal(none.code, 0);
    assert.equal(none.stderr, 'shotscale export: no shots match --from 10:00:20:00; the log of day 1.mov holds 3 shots of camera file, from 10:00:00:00 (0.0s) to 10:00:12:00 (12.0s) of the film\n');
    // A camera the log does not have is a typo, refused as the API refuses it, not an empty file.
    const unknown = await runCli(['export', '--db', db, '--format', 'edl', '--camera', 'cam-9']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error CAMERA_NOT_FOUND: --camera "cam-9": no camera of that id in the shot log, so there is nothing to export as edl \(the log has shots of camera file\)/);
    assert.equal(unknown.stdout, '');
  });

  test('a log written before the file was recorded (schema 7) still exports, without the link', async () => {
    const db = fileModeLog(tempDir(), 7);
    const otio = await runCli(['export', '--db', db, '--format', 'otio']);
    assert.equal(otio.code, 0, otio.stderr);
    assert.match(otio.stdout, /MissingReference/);
  });

  test('mistakes on the command line: coded, named, exit 2 with the usage', async () => {
    const db = fileModeLog(tempDir());
    const format = await runCli(['export', '--db', db, '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /^error BAD_REQUEST: --format "xml": not known \(known: csv, json, edl, ale, otio, markers, fcpxml\)/);
    assert.match(format.stderr, /usage: shotscale export --format FORMAT/);
    const twice = await runCli(['export', '--db', db, '--format', 'csv', '--format', 'edl']);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /^error BAD_REQUEST: --format given 2 times \("csv", "edl"\)/);
    const from = await runCli(['export', '--db', db, '--format', 'csv', '--from', 'yesterday']);
    assert.equal(from.code, 2, from.stderr);
    assert.match(from.stderr, /^error BAD_REQUEST: --from: "yesterday" is neither epoch milliseconds nor an ISO 8601 date/);
    const stdout = await runCli(['export', '--db', db, '--format', 'csv', '--out', '-']);
    assert.equal(stdout.code, 0, stdout.stderr);
    assert.equal(parseCsvRows(stdout.stdout).length, 3, '--out - is stdout');
    assert.ok(!existsSync(path.join(REPO_DIR, '-')), 'no file named "-"');
  });
});

describe('shotscale log: inputs it cannot log', () => {
  test('stdin, --out -, a repeated option and a file with only sound: each said plainly', async () => {
    const dir = tempDir();
    const dash = await runCli(['log', '-', '--out', path.join(dir, 'out')]);
    assert.equal(dash.code, 2);
    assert.match(dash.stderr, /^error BAD_REQUEST: log -: reading the video from stdin is not supported/);
    const clip = makeClip(dir, 'clip.mp4', 1);
    const outDash = await runCli(['log', clip, '--out', '-']);
    assert.equal(outDash.code, 2);
    assert.match(outDash.stderr, /^error BAD_REQUEST: --out -: log writes a folder/);
    const twice = await runCli(['log', clip, '--out', path.join(dir, 'a'), '--out', path.join(dir, 'b')]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /^error BAD_REQUEST: --out given 2 times/);
    const sound = path.join(dir, 'sound.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', sound]);
    const audio = await runCli(['log', sound, '--out', path.join(dir, 'out')]);
    assert.equal(audio.code, 1);
    assert.equal(audio.stderr, `error INPUT_UNREADABLE: ${sound}: no video stream (the file has only audio)\n  hint: name a video file\n`);
  });
});
