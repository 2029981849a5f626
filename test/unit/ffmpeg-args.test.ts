import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { sourceSchema, type SourceConfig } from '../../server/config/schema.js';
import { CUT_FRAME_BYTES } from '../../server/cuts/cut-frames.js';
import { isShotscaleError } from '../../server/errors.js';
import {
  buildFfmpegArgs,
  describeSource,
  inputArgs,
  videoFilter,
  webcamDriverFor,
  type ArgsContext,
  type OutputSpec,
} from '../../server/ingest/ffmpeg-args.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { NETWORK_PROTOCOLS } from '../../server/ingest/input-options.js';
import { scrubCredentials } from '../../server/ingest/source-secrets.js';
import { tempDir } from '../support/media.js';

/** Sources go through the schema so defaults are filled in exactly as at runtime. */
function source(input: Record<string, unknown>): SourceConfig {
  return sourceSchema.parse(input);
}

function ctx(overrides: Partial<ArgsContext> & { timeout?: '-timeout' | '-stimeout'; ndi?: boolean } = {}): ArgsContext {
  return {
    ffmpeg: { rtspTimeoutOption: overrides.timeout ?? '-timeout', hasNdi: overrides.ndi ?? false },
    logLevel: overrides.logLevel ?? 'error',
    platform: overrides.platform ?? 'linux',
  };
}

const OUTPUT: OutputSpec = { width: 224, height: 224, fps: 5, resize: 'stretch' };

/** The value following `flag` in args (asserts the flag is present exactly once). */
function valueOf(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  assert.notEqual(at, -1, `${flag} missing from ${args.join(' ')}`);
  assert.equal(args.lastIndexOf(flag), at, `${flag} appears more than once`);
  return args[at + 1];
}

describe('inputArgs: rtsp', () => {
  test('tcp transport with -timeout in microseconds, low-latency flags, URL last', () => {
    const args = inputArgs(source({ kind: 'rtsp', url: 'rtsp://cam.local/stream', timeoutS: 5 }), ctx());
    assert.deepEqual(args, ['-rtsp_transport', 'tcp', '-timeout', '5000000', '-fflags', 'nobuffer', '-flags', 'low_delay', '-i', 'rtsp://cam.local/stream']);
  });

  test('udp transport is passed through', () => {
    const args = inputArgs(source({ kind: 'rtsp', url: 'rtsp://cam/s', transport: 'udp' }), ctx());
    assert.equal(valueOf(args, '-rtsp_transport'), 'udp');
  });

  test('older ffmpeg uses -stimeout and never -timeout', () => {
    const args = inputArgs(source({ kind: 'rtsp', url: 'rtsps://cam/s', timeoutS: 2 }), ctx({ timeout: '-stimeout' }));
    assert.equal(valueOf(args, '-stimeout'), '2000000');
    assert.ok(!args.includes('-timeout'));
  });

  test('fractional seconds convert to whole microseconds', () => {
    assert.equal(valueOf(inputArgs(source({ kind: 'rtsp', url: 'rtsp://c/s', timeoutS: 0.25 }), ctx()), '-timeout'), '250000');
    assert.equal(valueOf(inputArgs(source({ kind: 'rtsp', url: 'rtsp://c/s', timeoutS: 1.0000004 }), ctx()), '-timeout'), '1000000');
    assert.equal(valueOf(inputArgs(source({ kind: 'rtsp', url: 'rtsp://c/s', timeoutS: 0.0000015 }), ctx()), '-timeout'), '2');
  });

  test('default timeout is 5 s', () => {
    assert.equal(valueOf(inputArgs(source({ kind: 'rtsp', url: 'rtsp://c/s' }), ctx()), '-timeout'), '5000000');
  });

  test('the URL with credentials reaches ffmpeg unchanged (scrubbing is for display only)', () => {
    const url = 'rtsp://admin:s3cret@10.0.0.5:554/stream1';
    const args = inputArgs(source({ kind: 'rtsp', url }), ctx());
    assert.equal(valueOf(args, '-i'), url);
  });
});

describe('inputArgs: webcam', () => {
  test('auto driver picks v4l2 on linux, avfoundation on darwin, dshow on win32', () => {
    assert.equal(webcamDriverFor('linux'), 'v4l2');
    assert.equal(webcamDriverFor('darwin'), 'avfoundation');
    assert.equal(webcamDriverFor('win32'), 'dshow');
    assert.equal(webcamDriverFor('freebsd'), 'v4l2');
  });

  test('linux: -f v4l2 and the device path as input', () => {
    const args = inputArgs(source({ kind: 'webcam', device: '/dev/video0' }), ctx({ platform: 'linux' }));
    assert.deepEqual(args, ['-f', 'v4l2', '-flags', 'low_delay', '-i', '/dev/video0']);
  });

  test('darwin: -f avfoundation and the device index as input', () => {
    const args = inputArgs(source({ kind: 'webcam', device: '0' }), ctx({ platform: 'darwin' }));
    assert.deepEqual(args, ['-f', 'avfoundation', '-flags', 'low_delay', '-i', '0']);
  });

  test('win32: -f dshow and the input is prefixed with video=', () => {
    const args = inputArgs(source({ kind: 'webcam', device: 'Integrated Camera' }), ctx({ platform: 'win32' }));
    assert.deepEqual(args, ['-f', 'dshow', '-flags', 'low_delay', '-i', 'video=Integrated Camera']);
  });

  test('an explicit driver wins over the platform', () => {
    const args = inputArgs(source({ kind: 'webcam', device: 'Cam', driver: 'dshow' }), ctx({ platform: 'linux' }));
    assert.deepEqual(args, ['-f', 'dshow', '-flags', 'low_delay', '-i', 'video=Cam']);
    const v4l2 = inputArgs(source({ kind: 'webcam', device: '/dev/video2', driver: 'v4l2' }), ctx({ platform: 'win32' }));
    assert.deepEqual(v4l2, ['-f', 'v4l2', '-flags', 'low_delay', '-i', '/dev/video2']);
  });

  test('framerate and video_size come before -i', () => {
    const args = inputArgs(source({ kind: 'webcam', device: '/dev/video0', width: 1280, height: 720, fps: 30 }), ctx());
    assert.deepEqual(args, ['-f', 'v4l2', '-framerate', '30', '-video_size', '1280x720', '-flags', 'low_delay', '-i', '/dev/video0']);
  });

  test('fractional framerate is written with three decimals', () => {
    const args = inputArgs(source({ kind: 'webcam', device: '0', fps: 29.97 }), ctx({ platform: 'darwin' }));
    assert.equal(valueOf(args, '-framerate'), '29.970');
  });

  test('video_size needs both width and height', () => {
    const onlyWidth = inputArgs(source({ kind: 'webcam', device: '/dev/video0', width: 640 }), ctx());
    assert.ok(!onlyWidth.includes('-video_size'));
    const onlyHeight = inputArgs(source({ kind: 'webcam', device: '/dev/video0', height: 480 }), ctx());
    assert.ok(!onlyHeight.includes('-video_size'));
  });

  test('dshow with size and framerate keeps options before the video= input', () => {
    const args = inputArgs(source({ kind: 'webcam', device: 'USB Cam', width: 640, height: 480, fps: 15 }), ctx({ platform: 'win32' }));
    assert.deepEqual(args, ['-f', 'dshow', '-framerate', '15', '-video_size', '640x480', '-flags', 'low_delay', '-i', 'video=USB Cam']);
  });
});

describe('inputArgs: ndi', () => {
  test('with NDI support: -f libndi_newtek and the source name', () => {
    const args = inputArgs(source({ kind: 'ndi', name: 'STUDIO-PC (OBS)' }), ctx({ ndi: true }));
    assert.deepEqual(args, ['-f', 'libndi_newtek', '-i', 'STUDIO-PC (OBS)']);
  });

  test('without NDI support: throws SOURCE_UNSUPPORTED naming the source, with a hint', () => {
    assert.throws(
      () => inputArgs(source({ kind: 'ndi', name: 'STUDIO-PC (OBS)' }), ctx({ ndi: false })),
      (error: unknown) => {
        assert.ok(isShotscaleError(error, 'SOURCE_UNSUPPORTED'), String(error));
        assert.match(error.message, /STUDIO-PC \(OBS\)/);
        assert.match(error.hint ?? '', /libndi_newtek/);
        return true;
      },
    );
  });

  test('buildFfmpegArgs propagates the NDI error', () => {
    assert.throws(() => buildFfmpegArgs(source({ kind: 'ndi', name: 'X' }), OUTPUT, ctx()), (e: unknown) => isShotscaleError(e, 'SOURCE_UNSUPPORTED'));
  });
});

describe('inputArgs: file', () => {
  test('defaults: realtime and loop', () => {
    assert.deepEqual(inputArgs(source({ kind: 'file', path: '/v/clip.mp4' }), ctx()), ['-re', '-stream_loop', '-1', '-i', '/v/clip.mp4']);
  });

  test('realtime only', () => {
    assert.deepEqual(inputArgs(source({ kind: 'file', path: 'a.mp4', loop: false }), ctx()), ['-re', '-i', 'a.mp4']);
  });

  test('loop only', () => {
    assert.deepEqual(inputArgs(source({ kind: 'file', path: 'a.mp4', realtime: false }), ctx()), ['-stream_loop', '-1', '-i', 'a.mp4']);
  });

  test('neither', () => {
    assert.deepEqual(inputArgs(source({ kind: 'file', path: 'a.mp4', realtime: false, loop: false }), ctx()), ['-i', 'a.mp4']);
  });

  test('a still image is read by the image demuxer, repeated at the analysis rate, its name taken as it is', () => {
    assert.deepEqual(inputArgs(source({ kind: 'file', path: '/v/slate[1].JPG' }), ctx(), 5), ['-re', '-f', 'image2', '-loop', '1', '-framerate', '5', '-pattern_type', 'none', '-i', '/v/slate[1].JPG']);
    assert.deepEqual(inputArgs(source({ kind: 'file', path: 'card.png', loop: false, realtime: false }), ctx(), 2.5), ['-f', 'image2', '-framerate', '2.500', '-pattern_type', 'none', '-i', 'card.png']);
    assert.equal(valueOf(buildFfmpegArgs(source({ kind: 'file', path: 'card.webp' }), OUTPUT, ctx()), '-framerate'), '5');
    // An animation is a video.
    assert.deepEqual(inputArgs(source({ kind: 'file', path: 'loop.gif' }), ctx(), 5), ['-re', '-stream_loop', '-1', '-i', 'loop.gif']);
  });
});

describe('inputArgs: testsrc', () => {
  test('defaults: paced lavfi testsrc2 at 1280x720, 25 fps', () => {
    assert.deepEqual(inputArgs(source({ kind: 'testsrc' }), ctx()), ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25']);
  });

  test('pattern, size and fractional rate are encoded in the lavfi spec', () => {
    const args = inputArgs(source({ kind: 'testsrc', pattern: 'smptehdbars', width: 640, height: 360, fps: 29.97 }), ctx());
    assert.equal(valueOf(args, '-i'), 'smptehdbars=size=640x360:rate=29.970');
    assert.equal(valueOf(args, '-f'), 'lavfi');
    assert.ok(args.indexOf('-re') < args.indexOf('-i'));
  });
});

describe('inputArgs: url', () => {
  test('network protocols only, then inputOptions in order, and the url is the input', () => {
    const args = inputArgs(
      source({ kind: 'url', url: 'srt://0.0.0.0:9000?mode=listener', inputOptions: ['-analyzeduration', '0', '-probesize', '32'] }),
      ctx(),
    );
    // A bare stream is probed for half a second, unless the camera says otherwise (after: ffmpeg takes the last).
    assert.deepEqual(args, ['-protocol_whitelist', NETWORK_PROTOCOLS, '-flags', 'low_delay', '-analyzeduration', '500000', '-probesize', '500000', '-analyzeduration', '0', '-probesize', '32', '-i', 'srt://0.0.0.0:9000?mode=listener']);
    assert.ok(!NETWORK_PROTOCOLS.split(',').some((p) => ['file', 'pipe', 'fd', 'concat', 'subfile', 'data'].includes(p)));
  });

  test('no options: the protocol list, a short probe for a bare stream, and -i url', () => {
    assert.deepEqual(inputArgs(source({ kind: 'url', url: 'udp://239.0.0.1:1234' }), ctx()), ['-protocol_whitelist', NETWORK_PROTOCOLS, '-flags', 'low_delay', '-analyzeduration', '500000', '-probesize', '500000', '-i', 'udp://239.0.0.1:1234']);
    // A feed with a header or a playlist (HTTP, RTMP, HLS) is probed as ffmpeg likes.
    for (const url of ['http://cdn.example/live.m3u8', 'rtmp://live.example/app/key', 'tcp://10.0.0.9:5000']) {
      assert.deepEqual(inputArgs(source({ kind: 'url', url }), ctx()), ['-protocol_whitelist', NETWORK_PROTOCOLS, '-flags', 'low_delay', '-i', url]);
    }
  });
});

describe('videoFilter', () => {
  test('fps then stretch scale', () => {
    assert.equal(videoFilter({ width: 224, height: 224, fps: 5, resize: 'stretch' }), 'fps=5,scale=224:224');
  });

  test('fps null keeps every frame: no fps filter', () => {
    assert.equal(videoFilter({ width: 320, height: 240, fps: null, resize: 'stretch' }), 'scale=320:240');
  });

  test('fractional fps', () => {
    assert.equal(videoFilter({ width: 10, height: 20, fps: 2.5, resize: 'stretch' }), 'fps=2.500,scale=10:20');
  });

  test('letterbox fits the picture as displayed (stored width times the pixel aspect) and pads centred with black to the exact size', () => {
    const fit = "scale=w='min(256,max(1,round(144*iw*sar/ih)))':h='min(144,max(1,round(256*ih/(iw*sar))))',setsar=1";
    assert.equal(videoFilter({ width: 256, height: 144, fps: null, resize: 'letterbox' }), `${fit},pad=256:144:(ow-iw)/2:(oh-ih)/2:black`);
    assert.equal(videoFilter({ width: 256, height: 144, fps: 10, resize: 'letterbox' }), `fps=10,${fit},pad=256:144:(ow-iw)/2:(oh-ih)/2:black`);
  });
});

describe('videoFilter on real pictures', () => {
  const MODEL = { width: 320, height: 192 };
  const dir = tempDir('shotscale-filter-');

  /** A white picture of `size` with pixels `sar` wide, as a file: the bars around it are black, so the picture's extent is measurable. */
  function whiteFile(name: string, size: string, sar: string): string {
    const file = path.join(dir, name);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=white:size=${size}:rate=25`, '-t', '0.2', '-vf', `setsar=${sar}`, '-pix_fmt', 'yuv420p', file]);
    return file;
  }

  /** The first analysis frame as the server's ffmpeg command writes it (letterbox, the model size). */
  function analysisFrame(file: string, withCuts: boolean): Buffer {
    const args = buildFfmpegArgs(source({ kind: 'file', path: file, loop: false, realtime: false }), { ...MODEL, fps: null, resize: 'letterbox' }, ctx(), withCuts ? { fps: 25 } : null);
    const run = spawnSync('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, String(run.stderr));
    const frame = MODEL.width * MODEL.height * 3;
    const out = run.output[1]!;
    assert.ok(out.length >= frame, `${out.length} bytes`);
    return out.subarray(0, frame);
  }

  /** Where the picture is in the frame: the box of its bright pixels. */
  function pictureBox(rgb: Buffer): { x: number; y: number; width: number; height: number } {
    let x0 = MODEL.width;
    let y0 = MODEL.height;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < MODEL.height; y++) {
      for (let x = 0; x < MODEL.width; x++) {
        if (rgb[(y * MODEL.width + x) * 3]! < 128) continue;
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
    return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  }

  // HDV 1440x1080 at 4:3 is a 16:9 picture: 320x180 in 320x192, not a 4:3 one pillarboxed (256x192).
  // Anamorphic PAL 720x576 at 64:45 is 16:9 too; PAL 4:3 (16:15) and NTSC 4:3 (8:9) are 4:3: 256x192.
  const cases = [
    ['HDV', '1440x1080', '4/3', { x: 0, y: 6, width: 320, height: 180 }],
    ['PAL 16:9', '720x576', '64/45', { x: 0, y: 6, width: 320, height: 180 }],
    ['PAL 4:3', '720x576', '16/15', { x: 32, y: 0, width: 256, height: 192 }],
    ['NTSC 4:3', '720x480', '8/9', { x: 32, y: 0, width: 256, height: 192 }],
    ['square 1280x720', '1280x720', '1', { x: 0, y: 6, width: 320, height: 180 }],
  ] as const;
  for (const [name, size, sar, box] of cases) {
    test(`${name} (${size}, pixels ${sar}): the analysis frame holds the picture as displayed, with or without the cut frames beside it`, () => {
      const file = whiteFile(`${name.replace(/\W+/g, '-')}.mp4`, size, sar);
      assert.deepEqual(pictureBox(analysisFrame(file, false)), box);
      assert.deepEqual(pictureBox(analysisFrame(file, true)), box);
    });
  }

  test('square pixels: the same frame, byte for byte, as the plain letterbox (force_original_aspect_ratio), odd sizes too', () => {
    const plain = `scale=${MODEL.width}:${MODEL.height}:force_original_aspect_ratio=decrease,pad=${MODEL.width}:${MODEL.height}:(ow-iw)/2:(oh-ih)/2:black`;
    const ours = videoFilter({ ...MODEL, fps: null, resize: 'letterbox' });
    for (const size of ['1280x720', '641x359', '359x641', '1921x1081', '100x61']) {
      const frame = (vf: string) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=5`, '-frames:v', '2', '-vf', vf, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 16 * 1024 * 1024 });
      assert.ok(frame(ours).equals(frame(plain)), `${size}: identical frames`);
    }
  });
});

describe('buildFfmpegArgs', () => {
  const kinds: Record<string, unknown>[] = [
    { kind: 'rtsp', url: 'rtsp://u:p@cam/s' },
    { kind: 'webcam', device: '/dev/video0' },
    { kind: 'ndi', name: 'N' },
    { kind: 'file', path: 'a.mp4' },
    { kind: 'testsrc' },
    { kind: 'url', url: 'http://x/y.m3u8', inputOptions: ['-re'] },
  ];

  for (const input of kinds) {
    test(`${String(input.kind)}: header, input, filter and rawvideo rgb24 to pipe:1 at the end`, () => {
      const src = source(input);
      const args = buildFfmpegArgs(src, OUTPUT, ctx({ ndi: true, logLevel: 'warning' }));
      assert.deepEqual(args.slice(0, 4), ['-hide_banner', '-nostdin', '-loglevel', 'warning']);
      const expectedInput = inputArgs(src, ctx({ ndi: true }));
      assert.deepEqual(args.slice(4, 4 + expectedInput.length), expectedInput);
      assert.deepEqual(args.slice(4 + expectedInput.length), [
        '-an',
        '-sn',
        '-dn',
        '-vf',
        'fps=5,scale=224:224',
        '-pix_fmt',
        'rgb24',
        '-f',
        'rawvideo',
        '-flush_packets',
        '1',
        'pipe:1',
      ]);
      assert.equal(args.at(-1), 'pipe:1');
      // Exactly one input.
      assert.equal(args.filter((a) => a === '-i').length, 1);
      // The filter comes after the input.
      assert.ok(args.indexOf('-vf') > args.indexOf('-i'));
    });
  }

  test("file mode's frames on the rate's grid: ffmpeg's own frame-rate sync off; a camera's as it was", () => {
    const cuts = buildFfmpegArgs(source({ kind: 'file', path: 'a.mp4', realtime: false, loop: false }), OUTPUT, ctx(), { fps: 30, onRateGrid: true });
    assert.equal(valueOf(cuts, '-vsync'), 'passthrough');
    assert.ok(cuts.indexOf('-vsync') < cuts.indexOf('pipe:1'), 'before the outputs (a global option)');
    const camera = buildFfmpegArgs(source({ kind: 'rtsp', url: 'rtsp://cam/s' }), OUTPUT, ctx(), { fps: 25 });
    assert.ok(!camera.includes('-vsync') && !camera.includes('-fps_mode'), camera.join(' '));
  });

  test('a 30 fps file whose frame times wander: 180 cut frames for 6 s, with the bundled ffmpeg and the system one', () => {
    const dir = tempDir();
    const film = path.join(dir, 'wander.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=6',
      '-vf', "fps=30,setpts='(N/30+0.006*sin(N))/TB'", '-fps_mode', 'passthrough', '-video_track_timescale', '600', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', film,
    ]);
    const args = buildFfmpegArgs(source({ kind: 'file', path: film, realtime: false, loop: false }), { width: 64, height: 36, fps: 2, resize: 'stretch' }, ctx(), { fps: 30, onRateGrid: true });
    for (const ffmpeg of new Set([resolveFfmpeg(null).path, 'ffmpeg'])) {
      const run = spawnSync(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
      assert.equal(run.status, 0, `${ffmpeg}: ${String(run.stderr)}`);
      // Without the sync off, the bundled ffmpeg wrote 181: a copy of frame 7, and every frame after it one late.
      assert.equal(run.output[3]!.length / CUT_FRAME_BYTES, 180, ffmpeg);
      assert.equal(run.output[1]!.length / (64 * 36 * 3), 12, ffmpeg);
    }
  });

  test('letterbox output, fps null', () => {
    const args = buildFfmpegArgs(source({ kind: 'testsrc' }), { width: 64, height: 32, fps: null, resize: 'letterbox' }, ctx());
    assert.equal(valueOf(args, '-vf'), "scale=w='min(64,max(1,round(32*iw*sar/ih)))':h='min(32,max(1,round(64*ih/(iw*sar))))',setsar=1,pad=64:32:(ow-iw)/2:(oh-ih)/2:black");
  });
});

describe('scrubCredentials', () => {
  test('user and password in an rtsp URL', () => {
    assert.equal(scrubCredentials('rtsp://admin:hunter2@10.0.0.5:554/stream1'), 'rtsp://***:***@10.0.0.5:554/stream1');
  });

  test('user only', () => {
    const out = scrubCredentials('rtsp://admin@10.0.0.5/s');
    assert.equal(out, 'rtsp://***:***@10.0.0.5/s');
    assert.ok(!out.includes('admin'));
  });

  test('empty password', () => {
    assert.equal(scrubCredentials('rtsp://admin:@cam/s'), 'rtsp://***:***@cam/s');
  });

  test('a raw "@" in the password or user is hidden whole (ffmpeg splits at the last "@")', () => {
    assert.equal(scrubCredentials('rtsp://admin:p@ss@cam/s'), 'rtsp://***:***@cam/s');
    assert.equal(scrubCredentials('rtsp://me@corp.com:pw@cam:554/s'), 'rtsp://***:***@cam:554/s');
    // An "@" after the path is not userinfo.
    assert.equal(scrubCredentials('rtsp://cam/s@x'), 'rtsp://cam/s@x');
    assert.equal(scrubCredentials('srt://host:9000?mode=caller&latency=a@b'), 'srt://host:9000?mode=caller&latency=a@b');
    assert.equal(scrubCredentials('srt://host:9000?streamid=a@b'), 'srt://host:9000?streamid=***', 'a streamid is hidden whole (it may carry a user and session)');
  });

  test('token= and password= query parameters', () => {
    assert.equal(scrubCredentials('https://cdn.example/live.m3u8?token=abc123&q=1'), 'https://cdn.example/live.m3u8?token=***&q=1');
    assert.equal(scrubCredentials('srt://host:9000?passphrase=x&password=topsecret'), 'srt://host:9000?passphrase=***&password=***');
  });

  test('other key names and case', () => {
    assert.equal(scrubCredentials('http://h/p?Auth=zzz&KEY=k1&secret=s&pwd=p&pass=q&passwd=r'), 'http://h/p?Auth=***&KEY=***&secret=***&pwd=***&pass=***&passwd=***');
  });

  test('a scheme in upper case', () => {
    assert.equal(scrubCredentials('RTSP://Admin:Pw@cam/s'), 'RTSP://***:***@cam/s');
  });

  test('text with several URLs: each is scrubbed, the rest is kept', () => {
    const text =
      '[rtsp @ 0x1] method DESCRIBE failed for rtsp://alice:pw1@cam-a/s; retrying rtsp://bob:pw2@cam-b:8554/live and http://h/x?token=t0k3n';
    const out = scrubCredentials(text);
    assert.equal(out, '[rtsp @ 0x1] method DESCRIBE failed for rtsp://***:***@cam-a/s; retrying rtsp://***:***@cam-b:8554/live and http://h/x?token=***');
    for (const secret of ['alice', 'pw1', 'bob', 'pw2', 't0k3n']) assert.ok(!out.includes(secret), secret);
  });

  test('text without credentials is unchanged', () => {
    for (const text of [
      'rtsp://10.0.0.5:554/stream1',
      'Connection to tcp://10.0.0.5:554?timeout=0 failed: Connection refused',
      '[rtsp @ 0x55d] method SETUP failed: 461 Unsupported transport',
      'srt://0.0.0.0:9000?mode=listener',
      'contact admin@example.com about rtsp://cam/s',
      '',
    ]) {
      assert.equal(scrubCredentials(text), text);
    }
  });
});

describe('describeSource', () => {
  test('rtsp: the password (and user) never appears', () => {
    const text = describeSource(source({ kind: 'rtsp', url: 'rtsp://admin:hunter2@10.0.0.5/s' }));
    assert.ok(!text.includes('hunter2'));
    assert.ok(!text.includes('admin'));
    assert.ok(text.includes('10.0.0.5/s'));
  });

  test('url: credentials in userinfo and in query parameters never appear', () => {
    const text = describeSource(source({ kind: 'url', url: 'rtmp://u:hunter2@live.example/app?token=hunter3' }));
    assert.ok(!text.includes('hunter2'));
    assert.ok(!text.includes('hunter3'));
    assert.ok(text.includes('live.example/app'));
  });

  test('other kinds', () => {
    assert.equal(describeSource(source({ kind: 'webcam', device: '/dev/video0' })), 'auto:/dev/video0');
    assert.equal(describeSource(source({ kind: 'ndi', name: 'PC (OBS)' })), 'ndi:PC (OBS)');
    assert.equal(describeSource(source({ kind: 'file', path: '/v/a.mp4' })), '/v/a.mp4');
    assert.equal(describeSource(source({ kind: 'testsrc', pattern: 'life', width: 64, height: 48, fps: 15 })), 'life 64x48@15');
  });
});
