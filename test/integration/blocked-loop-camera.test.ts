/**
 * A live camera (real ffmpeg, a lavfi test pattern at 25 fps) while the
 * server's event loop is blocked for longer than the stall timeout: its frames
 * wait, unread, in ffmpeg's pipe, so the camera is not stalled, and its ffmpeg
 * is neither killed nor restarted. A review held the loop ~10 s: the first
 * watchdog tick after it said "no frame for 11.0 s", SIGKILLed ffmpeg and cut
 * the shot with `restart`. A camera that really stops sending (its ffmpeg
 * stopped with SIGSTOP) is still stalled and restarted. A WHIP camera's
 * silence check (a real publisher over loopback) follows the same rule.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { cameraSchema, configSchema } from '../../server/config/schema.js';
import { CameraSupervisor } from '../../server/ingest/camera-supervisor.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import type { Logger } from '../../server/shared/logger.js';
import type { CameraState } from '../../server/shared/socket-events.js';
import { cameraStatus, startTestServer } from '../support/server-harness.js';
import { publishWhip } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const STALL_TIMEOUT_S = 1;

function blockLoopFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a synchronous busy-wait: no timer, no I/O, runs meanwhile
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a loop blocked longer than stallTimeoutS does not stall a live camera; a source that stops sending still does', async () => {
  const ffmpeg = resolveFfmpeg(null);
  const lines: string[] = [];
  const states: CameraState[] = [];
  const log: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: () => {},
    child: () => log,
  };
  const config = configSchema.parse({ cameras: [], supervisor: { stallTimeoutS: STALL_TIMEOUT_S, firstFrameTimeoutS: 15, backoffInitialS: 0.2 } });
  let frames = 0;
  const sup = new CameraSupervisor(cameraSchema.parse({ id: 'cam-1', analysisFps: 10, source: { kind: 'testsrc', pattern: 'testsrc2', width: 320, height: 240, fps: 25 } }), {
    ffmpegPath: ffmpeg.path,
    argsContext: { ffmpeg: { rtspTimeoutOption: ffmpeg.rtspTimeoutOption, hasNdi: false }, logLevel: 'error', platform: 'linux' },
    output: { width: 64, height: 64, resize: 'stretch' },
    settings: config.supervisor,
    clock: () => Date.now(),
    log,
    onFrame: () => {
      frames += 1;
    },
    onStateChange: (s) => states.push(s.status().state),
    cuts: null,
    onCutFrame: () => {},
    onSessionEnd: () => {},
  });
  try {
    sup.start();
    await until('live', () => sup.status().state === 'live', 15_000);
    const pid = sup.pid;
    // A few frames in, so the watchdog has a last frame to measure from.
    await until('frames', () => frames >= 5, 5000);

    blockLoopFor((STALL_TIMEOUT_S + 3) * 1000);
    const framesAfterBlock = frames;
    // Several watchdog ticks after the block (it checks every 250 ms at a 1 s stallTimeoutS).
    await until('frames read after the block', () => frames > framesAfterBlock + 5, 5000);
    await new Promise((r) => setTimeout(r, 1500));

    const status = sup.status();
    assert.equal(status.state, 'live', lines.join('\n'));
    assert.equal(status.stalls, 0, lines.join('\n'));
    assert.equal(status.reconnects, 0, lines.join('\n'));
    assert.equal(status.errorCode, null);
    assert.equal(sup.pid, pid, 'the same ffmpeg runs on');
    assert.deepEqual(states, ['starting', 'live']);

    // A source that really stops: its ffmpeg sends nothing more (stopped, not ended).
    assert.ok(pid);
    process.kill(pid, 'SIGSTOP');
    await until('stalled', () => sup.status().stalls >= 1, 5000);
    assert.equal(sup.status().errorCode, 'SOURCE_STALLED');
    assert.match(sup.status().lastError ?? '', /^no frame for \d+\.\d s$/);
    await until('restarted and live again', () => sup.status().state === 'live' && sup.pid !== pid, 15_000);
  } finally {
    await sup.stop();
  }
});

describe('a WHIP camera', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({
      supervisor: { stallTimeoutS: STALL_TIMEOUT_S, whip: { connectTimeoutS: 5, silentTimeoutS: 30 } },
      cameras: [{ id: 'stage', source: { kind: 'webrtc' } }],
    });
  });

  // Collected once the test's peers are out of scope (wrtc-cleanup.ts).
  after(async () => {
    await server?.close();
    await collectWrtcGarbage();
  });

  test('a loop blocked longer than stallTimeoutS does not stall a WHIP camera whose publisher keeps sending', async () => {
    const publisher = await publishWhip(`${server.url}/whip/stage`, { width: 320, height: 240, fps: 15 });
    try {
      let live = false;
      const deadline = Date.now() + 15_000;
      while (!live && Date.now() < deadline) {
        live = (await cameraStatus(server.url, 'stage'))?.state === 'live';
        if (!live) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(live, "the publisher's camera is live");
      await new Promise((r) => setTimeout(r, 500));

      blockLoopFor((STALL_TIMEOUT_S + 3) * 1000);
      // Several watchdog ticks after the block (every 250 ms at a 1 s stallTimeoutS).
      await new Promise((r) => setTimeout(r, 1500));

      const status = await cameraStatus(server.url, 'stage');
      assert.equal(status?.state, 'live');
      assert.equal(status?.stalls, 0, status?.lastStderr.join('\n'));
      assert.equal(status?.errorCode, null);
    } finally {
      await publisher.stop();
    }
  });
});
