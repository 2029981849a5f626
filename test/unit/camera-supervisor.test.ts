/**
 * The supervisor against a stand-in ffmpeg (a shell script): what its status
 * says when ffmpeg exits, when it gives up for good, and how long it waits for
 * a frame at a slow analysis rate.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cameraSchema, configSchema, type CameraInput } from '../../server/config/schema.js';
import { CameraSupervisor, watchdogLimitsMs } from '../../server/ingest/camera-supervisor.js';
import type { Logger } from '../../server/shared/logger.js';
import type { CameraState } from '../../server/shared/socket-events.js';

const dir = mkdtempSync(join(tmpdir(), 'shotscale-supervisor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in ffmpeg: the shell body given, whatever its arguments. */
function fakeFfmpeg(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function supervisor(ffmpegPath: string, camera: CameraInput, settings: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const states: CameraState[] = [];
  const log: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: () => {},
    child: () => log,
  };
  const config = configSchema.parse({ cameras: [], supervisor: { backoffInitialS: 30, ...settings } });
  const sup: CameraSupervisor = new CameraSupervisor(cameraSchema.parse(camera), {
    ffmpegPath,
    argsContext: { ffmpeg: { rtspTimeoutOption: '-timeout', hasNdi: false }, logLevel: 'error', platform: 'linux' },
    output: { width: 2, height: 2, resize: 'stretch' },
    settings: config.supervisor,
    clock: () => Date.now(),
    log,
    onFrame: () => {},
    onStateChange: (s) => states.push(s.status().state),
    cuts: null,
    onCutFrame: () => {},
    onSessionEnd: () => {},
  });
  return { sup, lines, states };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a known failure is the status reason in words; pid and exit code stay in the log and stderr', async () => {
  const ffmpeg = fakeFfmpeg('refused.sh', `echo '[tcp @ 0x1] Connection to tcp://127.0.0.1:9 failed: Connection refused' >&2\necho 'rtsp://127.0.0.1:9/cam: Connection refused' >&2\nexit 1`);
  const { sup, lines } = supervisor(ffmpeg, { id: 'dead', source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/cam' } });
  sup.start();
  await until('restarting', () => sup.status().state === 'restarting');
  await sup.stop();
  const status = sup.status();
  assert.equal(status.lastError, 'rtsp://127.0.0.1:9/cam: connection refused: nothing accepts connections at that address and port');
  assert.equal(status.errorCode, 'SOURCE_UNREACHABLE');
  assert.ok(lines.some((l) => /^warn ffmpeg \(pid \d+\) exited with code 1: rtsp:\/\/127\.0\.0\.1:9\/cam: connection refused/.test(l)), lines.join('\n'));
  assert.ok(status.lastStderr.includes('rtsp://127.0.0.1:9/cam: Connection refused'));
});

test('an unknown failure puts ffmpeg\'s last line first, the exit code after it', async () => {
  const ffmpeg = fakeFfmpeg('odd.sh', `echo 'something odd happened' >&2\nexit 3`);
  const { sup } = supervisor(ffmpeg, { id: 'odd', source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/cam' } });
  sup.start();
  await until('restarting', () => sup.status().state === 'restarting');
  await sup.stop();
  assert.equal(sup.status().lastError, 'something odd happened (ffmpeg exited with code 3)');
  assert.equal(sup.status().errorCode, 'SOURCE_FAILED', 'a failure no rule knows still has a code');
});

test('a protocol this ffmpeg lacks (srt:// on the bundled one) fails at once instead of restarting forever', async () => {
  const ffmpeg = fakeFfmpeg('nosrt.sh', `echo '[in#0 @ 0x1] Error opening input: Protocol not found' >&2\necho 'Did you mean file:srt://127.0.0.1:9000?' >&2\nexit 1`);
  const { sup, states } = supervisor(ffmpeg, { id: 'srt', source: { kind: 'url', url: 'srt://127.0.0.1:9000' } }, { backoffInitialS: 0.05 });
  sup.start();
  await until('failed', () => sup.status().state === 'failed');
  await new Promise((r) => setTimeout(r, 300));
  const status = sup.status();
  assert.equal(status.state, 'failed', 'still failed: no restart');
  assert.equal(status.reconnects, 0);
  assert.match(status.lastError ?? '', /^this ffmpeg cannot read srt:\/\/ \(srt:\/\/127\.0\.0\.1:9000\)/);
  assert.equal(status.errorCode, 'SOURCE_UNSUPPORTED');
  assert.deepEqual(states, ['starting', 'failed']);
  await sup.stop();
});

test('the stall and first-frame waits are never under 2.5 frame intervals', () => {
  const settings = { stallTimeoutS: 5, firstFrameTimeoutS: 20 };
  assert.deepEqual(watchdogLimitsMs(settings, 5), { firstFrameMs: 20_000, stallMs: 5_000 });
  assert.deepEqual(watchdogLimitsMs(settings, 0.1), { firstFrameMs: 25_000, stallMs: 25_000 });
  assert.deepEqual(watchdogLimitsMs(settings, 0.25), { firstFrameMs: 20_000, stallMs: 10_000 });
});

test('a slow camera is not called stalled between two of its frames', async () => {
  // One 2x2 RGB frame, then nothing: at 4 fps the wait is 0.625 s, not stallTimeoutS (0.1 s).
  const ffmpeg = fakeFfmpeg('one-frame.sh', `head -c 12 /dev/zero\nexec sleep 30`);
  const { sup } = supervisor(ffmpeg, { id: 'slow', analysisFps: 4, source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/cam' } }, { stallTimeoutS: 0.1 });
  sup.start();
  await until('live', () => sup.status().state === 'live');
  const liveAt = Date.now();
  await until('stalled', () => sup.status().state !== 'live', 3000);
  const waitedMs = Date.now() - liveAt;
  assert.ok(waitedMs >= 500, `stalled after ${waitedMs} ms`);
  assert.match(sup.status().lastError ?? '', /^no frame for 0\.[6-9]/);
  assert.equal(sup.status().errorCode, 'SOURCE_STALLED');
  await sup.stop();
});

test('a listener with no sender yet is waiting, and its ffmpeg (holding the port) is left running', async () => {
  const ffmpeg = fakeFfmpeg('listening.sh', 'exec sleep 30');
  const timings = { firstFrameTimeoutS: 0.3, stallTimeoutS: 0.2, backoffInitialS: 0.05 };
  const { sup, states } = supervisor(ffmpeg, { id: 'udp', analysisFps: 25, source: { kind: 'url', url: 'udp://127.0.0.1:47200' } }, timings);
  sup.start();
  const pid = sup.pid;
  await until('waiting', () => sup.status().state === 'waiting');
  // Several first-frame timeouts go by: the same ffmpeg still holds the port.
  await new Promise((r) => setTimeout(r, 1200));
  const status = sup.status();
  assert.equal(status.state, 'waiting');
  assert.equal(status.lastError, 'waiting for a sender on udp://127.0.0.1:47200');
  assert.equal(status.errorCode, null, 'waiting for a sender is not a failure');
  assert.equal(status.reconnects, 0);
  assert.equal(status.stalls, 0);
  assert.equal(sup.pid, pid);
  assert.deepEqual(states, ['starting', 'waiting']);
  await sup.stop();

  // A caller (SRT's default mode) fetches its feed: no picture there is a stall, as before.
  const caller = supervisor(ffmpeg, { id: 'srt', analysisFps: 25, source: { kind: 'url', url: 'srt://127.0.0.1:47201' } }, timings);
  caller.sup.start();
  await until('stalled', () => caller.sup.status().stalls >= 1);
  assert.ok(!caller.states.includes('waiting'));
  await caller.sup.stop();
});

test('a listener whose sender came and went is stalled and restarted, then waits for the next sender', async () => {
  // The first ffmpeg gets one frame from a sender that then stops; the next gets none.
  const marker = join(dir, 'sender-came');
  const ffmpeg = fakeFfmpeg('sender-came-and-went.sh', `if [ ! -e ${marker} ]; then touch ${marker}; head -c 12 /dev/zero; fi\nexec sleep 30`);
  const { sup, states } = supervisor(ffmpeg, { id: 'srt-listen', analysisFps: 25, source: { kind: 'url', url: 'srt://0.0.0.0:47202?mode=listener' } }, { firstFrameTimeoutS: 0.3, stallTimeoutS: 0.2, backoffInitialS: 0.05 });
  sup.start();
  await until('waiting again', () => sup.status().stalls === 1 && sup.status().state === 'waiting');
  assert.deepEqual(states, ['starting', 'live', 'stalled', 'restarting', 'waiting']);
  assert.equal(sup.status().lastError, 'waiting for a sender on srt://0.0.0.0:47202?mode=listener');
  assert.equal(sup.status().errorCode, null, "the stall's code does not outlive it once the listener waits again");
  await sup.stop();
});

test('the stall reason is said once: the state says "stalled", the reason does not repeat it', async () => {
  const ffmpeg = fakeFfmpeg('one-frame-then-quiet.sh', `head -c 12 /dev/zero\nexec sleep 30`);
  const { sup, lines } = supervisor(ffmpeg, { id: 'quiet', analysisFps: 25, source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/cam' } }, { stallTimeoutS: 0.2 });
  sup.start();
  try {
    await until('stalled', () => sup.status().stalls >= 1);
    // The reason (it stays the stall's while the camera restarts), which the log line and the tile show after the state:
    assert.match(sup.status().lastError ?? '', /^no frame for 0\.\d s$/);
    assert.equal(sup.status().errorCode, 'SOURCE_STALLED', 'our SIGKILL after the stall does not replace its code');
    assert.ok(lines.some((l) => /^warn stalled: no frame for/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('stalled: stalled')), lines.join('\n'));
  } finally {
    await sup.stop();
  }
});

test('a file camera whose file is gone fails with that reason, spawns nothing, and starts when the file is back', async () => {
  const spawned = join(dir, 'spawned-for-missing');
  const ffmpeg = fakeFfmpeg('records-spawn.sh', `touch ${spawned}\nexec sleep 30`);
  const file = join(dir, 'arrives-later.mp4');
  const { sup } = supervisor(ffmpeg, { id: 'later', source: { kind: 'file', path: file } }, { backoffMaxS: 0.3 });
  sup.start();
  assert.equal(sup.status().state, 'failed');
  assert.equal(sup.status().lastError, `${file}: no such file (looked for again every 0.3 s)`);
  assert.equal(sup.status().errorCode, 'SOURCE_NOT_FOUND');
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(existsSync(spawned), false, 'no ffmpeg for a file that is not there');
  assert.equal(sup.status().reconnects, 0);
  writeFileSync(file, 'a video, as far as the stand-in ffmpeg cares');
  await until('started', () => existsSync(spawned) && sup.status().state === 'starting');
  await sup.stop();
});

test('a file with no video stream fails for good instead of restarting forever', async () => {
  const ffmpeg = fakeFfmpeg('audio-only.sh', `echo 'Output file #0 does not contain any stream' >&2\nexit 1`);
  const file = join(dir, 'tone.m4a');
  writeFileSync(file, 'sound only');
  const { sup, states } = supervisor(ffmpeg, { id: 'tone', source: { kind: 'file', path: file } }, { backoffInitialS: 0.05 });
  sup.start();
  await until('failed', () => sup.status().state === 'failed');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(states, ['starting', 'failed']);
  assert.equal(sup.status().reconnects, 0);
  assert.equal(sup.status().lastError, `${file} has no video stream (audio or data only): there is no picture to analyse`);
  assert.equal(sup.status().errorCode, 'SOURCE_NOT_VIDEO');
  await sup.stop();
});

test('an ffmpeg that cannot be started at all is FFMPEG_NOT_FOUND', async () => {
  const { sup } = supervisor(join(dir, 'no-such-ffmpeg'), { id: 'nobin', source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/cam' } });
  sup.start();
  await until('restarting', () => sup.status().state === 'restarting');
  await sup.stop();
  assert.match(sup.status().lastError ?? '', /^failed to spawn ffmpeg \(.*no-such-ffmpeg\): /);
  assert.equal(sup.status().errorCode, 'FFMPEG_NOT_FOUND');
});

test('the code is cleared once the camera is live again', async () => {
  // The first ffmpeg is refused; the next one gives frames.
  const marker = join(dir, 'refused-once');
  const ffmpeg = fakeFfmpeg('refused-once.sh', `if [ ! -e ${marker} ]; then touch ${marker}; echo 'rtsp://127.0.0.1:9/cam: Connection refused' >&2; exit 1; fi\nhead -c 12 /dev/zero\nexec sleep 30`);
  const { sup } = supervisor(ffmpeg, { id: 'back', analysisFps: 1, source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/cam' } }, { backoffInitialS: 0.2 });
  const codes: (string | null)[] = [];
  const poll = setInterval(() => codes.push(sup.status().errorCode), 10);
  try {
    sup.start();
    await until('live', () => sup.status().state === 'live');
    assert.ok(codes.includes('SOURCE_UNREACHABLE'), `seen: ${codes.join(', ')}`);
    assert.equal(sup.status().errorCode, null);
    assert.equal(sup.status().lastError, null);
  } finally {
    clearInterval(poll);
    await sup.stop();
  }
});

test('a file that plays to its end (no loop) is stopped with SOURCE_ENDED', async () => {
  const ffmpeg = fakeFfmpeg('plays-out.sh', 'head -c 12 /dev/zero\nexit 0');
  const file = join(dir, 'short.mp4');
  writeFileSync(file, 'a video, as far as the stand-in ffmpeg cares');
  const { sup } = supervisor(ffmpeg, { id: 'short', source: { kind: 'file', path: file, loop: false } });
  sup.start();
  await until('stopped', () => sup.status().state === 'stopped' && sup.status().lastError !== null);
  assert.equal(sup.status().lastError, 'end of file');
  assert.equal(sup.status().errorCode, 'SOURCE_ENDED');
  await sup.stop();
});
