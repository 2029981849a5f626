/**
 * The reason a camera's ffmpeg ended, from its stderr lines as ffmpeg 4 to 7
 * print them: what is wrong and where, never ffmpeg's least telling last line.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceConfig } from '../../server/config/schema.js';
import { ERROR_CODES } from '../../server/errors.js';
import { explainFfmpegExit, FAILURE_CODES } from '../../server/ingest/ffmpeg-failure.js';

const file = { kind: 'file', path: '/media/tone.m4a', loop: true, realtime: true } as SourceConfig;
const rtsp = (url: string) => ({ kind: 'rtsp', url, transport: 'tcp', timeoutS: 5 }) as SourceConfig;
const explain = (lines: string[], source: SourceConfig = file, code: number | null = 1) => explainFfmpegExit(lines, code, source, 'SRC');

test('no video stream, however ffmpeg words it; a file is not retried, a live source is', () => {
  for (const lines of [
    ["Stream specifier ':v' in filtergraph description [0:v]split=2[analysis][cuts];[analysis]fps=5[a] matches no streams."],
    ['Output file #0 does not contain any stream'],
    ["Stream map '0:v:0' matches no streams.", "To ignore this, add a trailing '?' to the map."],
    ['Error initializing complex filters.', 'At least one output file must be specified'],
  ]) {
    assert.deepEqual(explain(lines), { kind: 'no-video', code: 'SOURCE_NOT_VIDEO', reason: 'SRC has no video stream (audio or data only): there is no picture to analyse', permanent: true }, lines[0]);
    assert.deepEqual(explain(lines, rtsp('rtsp://cam/x')), { kind: 'no-video', code: 'SOURCE_NOT_VIDEO', reason: 'SRC has no video stream (audio or data only): there is no picture to analyse' }, lines[0]);
  }
});

describe('an RTSP server that takes the connection and sends nothing', () => {
  const source = rtsp('rtsp://cam/x');
  const quiet = { ranMs: 5200, frames: 0 };
  const at = (lines: string[], session?: { ranMs: number; frames: number }) => explainFfmpegExit(lines, 1, source, 'SRC', session);

  test('answered, then no media: said so, not "the host does not answer" nor "no video stream"', () => {
    // As ffmpeg 5.1 ends against such a server, with the cut-frame graph and without it; then ffmpeg 4.
    for (const lines of [
      ['rtsp://cam/x: Connection timed out', 'Cannot determine format of input stream 0:0 after EOF', 'Error marking filters as finished'],
      ['Output file #0 does not contain any stream'],
      ['Cannot determine format of input stream 0:0 after EOF', 'Error marking filters as finished'],
    ]) {
      assert.deepEqual(at(lines, quiet), { kind: 'silent-server', code: 'SOURCE_STALLED', reason: "SRC: the RTSP server answered but sent no picture in 5 s (source.timeoutS): is the camera's stream (or the encoder behind the path) running?" }, lines[0]);
    }
  });

  test('no answer at all to its first request', () => {
    assert.equal(at(['rtsp://cam/x: Invalid data found when processing input'], quiet)?.kind, 'silent-server');
    assert.match(at(['rtsp://cam/x: Invalid data found when processing input'], quiet)!.reason, /^SRC: the server accepted the connection but answered nothing in 5 s \(source\.timeoutS\)/);
  });

  test('what it is not: a host that never took the connection, a quick refusal, a feed that was live', () => {
    assert.equal(at(['[tcp @ 0x1] Connection to tcp://cam:554?timeout=5000000 failed: Connection timed out', 'rtsp://cam/x: Connection timed out'], quiet)?.kind, 'timed-out');
    assert.equal(at(['rtsp://cam/x: Invalid data found when processing input'], { ranMs: 140, frames: 0 })?.kind, 'unreadable');
    assert.equal(at(['rtsp://cam/x: Connection timed out'], { ranMs: 60_000, frames: 300 })?.kind, 'timed-out');
    assert.equal(at(['Output file #0 does not contain any stream'], { ranMs: 300, frames: 0 })?.kind, 'no-video');
    assert.equal(at(['rtsp://cam/x: Connection timed out'])?.kind, 'timed-out', 'no session known: as before');
  });
});

test('credentials refused, or asked for when the URL has none', () => {
  const lines = ['[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized', 'rtsp://***:***@cam/x: Server returned 401 Unauthorized (authorization failed)'];
  assert.match(explain(lines, rtsp('rtsp://op:secret@cam/x'))!.reason, /^SRC refused the credentials \(401 Unauthorized\)/);
  assert.match(explain(lines, rtsp('rtsp://cam/x'))!.reason, /^SRC asks for credentials \(401 Unauthorized\): give them in the URL \(rtsp:\/\/user:password@host\/\.\.\.\)$/);
});

test('an HTTP camera that asks for credentials is told the HTTP way, not the RTSP one', () => {
  const lines = ['[http @ 0x1] HTTP error 401 Unauthorized', 'http://cam/mjpg/video.mjpg: Server returned 401 Unauthorized (authorization failed)'];
  for (const scheme of ['http', 'https']) {
    const reason = explain(lines, { kind: 'url', url: `${scheme}://cam/mjpg/video.mjpg` } as SourceConfig)!.reason;
    assert.equal(reason, `SRC asks for credentials (401 Unauthorized): give them in the URL (${scheme}://user:password@host/...): ffmpeg sends them as HTTP Basic or Digest authentication`);
    assert.doesNotMatch(reason, /rtsp/);
  }
  assert.match(explain(lines, { kind: 'url', url: 'http://op:secret@cam/mjpg/video.mjpg' } as SourceConfig)!.reason, /^SRC refused the credentials \(401 Unauthorized\)/);
});

test('the most specific line wins, wherever it is', () => {
  const lines = ['[mov,mp4 @ 0x1] moov atom not found', '/media/cut.mp4: Invalid data found when processing input'];
  assert.equal(explain(lines)!.kind, 'unreadable');
  assert.match(explain(lines)!.reason, /moov atom not found: an MP4 cut short/);
  assert.match(explain(['rtsp://cam/x: Server returned 404 Not Found'], rtsp('rtsp://cam/x'))!.reason, /nothing at that path \(404 Not Found\)/);
  assert.match(explain(['rtsp://cam/x: Connection refused'], rtsp('rtsp://cam/x'))!.reason, /connection refused: nothing accepts connections/);
});

test('a live source that exits cleanly ended the stream; a file that does is not explained here', () => {
  assert.deepEqual(explain([], rtsp('rtsp://cam/x'), 0), { kind: 'ended', code: 'SOURCE_ENDED', reason: 'SRC ended the stream' });
  assert.equal(explain([], file, 0), null);
  assert.equal(explain(['something ffmpeg said'], rtsp('rtsp://cam/x'), 1), null);
});

test('a protocol this ffmpeg was built without: named, and permanent (the camera fails rather than retrying)', () => {
  const url = { kind: 'url', url: 'srt://10.0.0.5:9000?mode=caller' } as SourceConfig;
  // The bundled ffmpeg (no libsrt), ffmpeg 6/7 wording.
  const lines = ['[in#0 @ 0x1] Error opening input: Protocol not found', 'Did you mean file:srt://10.0.0.5:9000?mode=caller?', 'Error opening input file srt://10.0.0.5:9000?mode=caller.'];
  const failure = explain(lines, url);
  assert.equal(failure?.kind, 'unsupported-protocol');
  assert.equal(failure?.permanent, true);
  assert.match(failure!.reason, /^this ffmpeg cannot read srt:\/\/ \(SRC\): it was built without it; use an ffmpeg with srt support/);
  // ffmpeg 4 wording, the protocol named only in its lines.
  const older = explain(['srt://10.0.0.5:9000: Protocol not found', 'Did you mean file:srt://10.0.0.5:9000?'], file);
  assert.match(older!.reason, /cannot read srt:\/\//);
  // Other failures stay retried.
  assert.equal(explain(['rtsp://cam/x: Connection refused'], rtsp('rtsp://cam/x'))!.permanent, undefined);
});

test('each failure carries the stable code a camera status reports as errorCode', () => {
  const cam = rtsp('rtsp://cam/x');
  const codeOf = (lines: string[], source: SourceConfig = cam, code: number | null = 1) => explain(lines, source, code)?.code;
  // As ffmpeg prints them: a port nobody listens on, a host that does not answer.
  assert.equal(codeOf(['[tcp @ 0x1] Connection to tcp://127.0.0.1:9?timeout=5000000 failed: Connection refused', 'rtsp://cam/x: Connection refused']), 'SOURCE_UNREACHABLE');
  assert.equal(codeOf(['[tcp @ 0x1] Connection to tcp://cam:554?timeout=5000000 failed: Connection timed out', 'rtsp://cam/x: Connection timed out']), 'SOURCE_UNREACHABLE');
  assert.equal(codeOf(['[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized', 'rtsp://cam/x: Server returned 401 Unauthorized (authorization failed)']), 'SOURCE_AUTH');
  assert.equal(codeOf(['[http @ 0x1] HTTP error 403 Forbidden', 'http://cam/x: Server returned 403 Forbidden (access denied)']), 'SOURCE_AUTH');
  assert.equal(codeOf(['[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found', 'rtsp://cam/x: Server returned 404 Not Found']), 'SOURCE_NOT_FOUND');
  assert.equal(codeOf(['/media/gone.mp4: No such file or directory'], file), 'SOURCE_NOT_FOUND');
  assert.equal(codeOf(['[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video9: No such file or directory'], { kind: 'webcam', device: '/dev/video9' } as unknown as SourceConfig), 'SOURCE_NOT_FOUND');
  assert.equal(codeOf(['[mov,mp4 @ 0x1] moov atom not found', '/media/cut.mp4: Invalid data found when processing input'], file), 'SOURCE_NOT_VIDEO');
  assert.equal(codeOf(['/media/noise.bin: Invalid data found when processing input'], file), 'SOURCE_NOT_VIDEO');
  assert.equal(codeOf(['Output file #0 does not contain any stream'], file), 'SOURCE_NOT_VIDEO');
  assert.equal(codeOf(['Did you mean file:srt://10.0.0.5:9000?'], { kind: 'url', url: 'srt://10.0.0.5:9000' } as SourceConfig), 'SOURCE_UNSUPPORTED');
  assert.equal(codeOf([], cam, 0), 'SOURCE_ENDED');
  assert.equal(explainFfmpegExit(['rtsp://cam/x: Connection timed out'], 1, cam, 'SRC', { ranMs: 5200, frames: 0 })?.code, 'SOURCE_STALLED');
  // Every code is one the catalogue describes.
  for (const code of Object.values(FAILURE_CODES)) assert.ok(code in ERROR_CODES, code);
});

describe('a feed that played and then ended', () => {
  const listener = { kind: 'url', url: 'tcp://127.0.0.1:9000?listen', inputOptions: [] } as unknown as SourceConfig;
  // As ffmpeg prints them for an MPEG-TS feed with bit errors: per packet, after the first frame.
  const noisy = ['[h264 @ 0x1] Invalid NAL unit size (1234 > 567).', '[h264 @ 0x1] error while decoding MB 12 7', 'Error while decoding stream #0:0: Invalid data found when processing input'];

  test('a clean exit after pictures is the source ending the stream, whatever ffmpeg said of bad packets on the way', () => {
    assert.deepEqual(explainFfmpegExit(noisy, 0, listener, 'SRC', { ranMs: 12_000, frames: 60 }), { kind: 'ended', code: 'SOURCE_ENDED', reason: 'SRC ended the stream' });
  });

  test('invalid data before any picture is still not video; after pictures, with an error exit, it is not named so', () => {
    assert.equal(explainFfmpegExit(['tcp://127.0.0.1:9000?listen: Invalid data found when processing input'], 1, listener, 'SRC', { ranMs: 800, frames: 0 })?.code, 'SOURCE_NOT_VIDEO');
    assert.equal(explainFfmpegExit(noisy, 1, listener, 'SRC', { ranMs: 12_000, frames: 60 }), null);
  });
});

test('a file read to its end without one picture is failed, naming the file and why', () => {
  const still = { kind: 'file', path: '/media/slate', loop: true, realtime: true } as SourceConfig;
  const failure = explainFfmpegExit([], 0, still, '/media/slate', { ranMs: 300, frames: 0 });
  assert.equal(failure?.code, 'SOURCE_NOT_VIDEO');
  assert.equal(failure?.permanent, true);
  assert.match(failure?.reason ?? '', /^\/media\/slate: .*decoded no picture/);
  // One that played is not.
  assert.equal(explainFfmpegExit([], 0, still, '/media/slate', { ranMs: 30_000, frames: 150 }), null);
});

test('a file ffmpeg may not open, or cannot open as a picture, is said so, not "no video stream"', () => {
  // As ffmpeg (the bundled build and 5.1) prints them, run as a user who may not read the file.
  const locked = { kind: 'file', path: '/media/locked.mp4', loop: false, realtime: false } as SourceConfig;
  assert.deepEqual(explainFfmpegExit(['/media/locked.mp4: Permission denied'], 1, locked, '/media/locked.mp4'), {
    kind: 'permission-denied',
    code: 'SOURCE_AUTH',
    reason: '/media/locked.mp4: permission denied: the user running shotscale may not read it',
  });
  // Through the image demuxer, a still: its own line first, then the one the no-video rule knows.
  const still = { kind: 'file', path: '/media/locked.jpg', loop: false, realtime: false } as SourceConfig;
  const image = ['[image2 @ 0x3af27d40] Could not open file : /media/locked.jpg', 'Output file #0 does not contain any stream'];
  assert.deepEqual(explainFfmpegExit(image, 1, still, '/media/locked.jpg'), { kind: 'unreadable', code: 'SOURCE_NOT_VIDEO', reason: '/media/locked.jpg: ffmpeg could not open the file' });
  // Permission denied wins over the no-video line wherever it is.
  assert.equal(explainFfmpegExit(['Output file #0 does not contain any stream', '/media/locked.mp4: Permission denied'], 1, locked, 'SRC')?.kind, 'permission-denied');
});
