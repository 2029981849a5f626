/**
 * What ffmpeg's header says about a file: parsed from header text as ffmpeg
 * writes it (samples taken from real `ffmpeg -i` runs), and probed from real
 * clips made with the Debian ffmpeg.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isShotscaleError } from '../../server/errors.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { parseMediaInfo, probeMedia, type MediaInfo } from '../../server/ingest/media-probe.js';
import { tempDir } from '../support/media.js';

const MP4_24 = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':
  Metadata:
    major_brand     : isom
    minor_version   : 512
    compatible_brands: isomiso2avc1mp41
    creation_time   : 2024-05-06T07:08:09.000000Z
    encoder         : Lavf59.27.100
  Duration: 00:00:12.48, start: 0.000000, bitrate: 88 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 79 kb/s, 24 fps, 24 tbr, 12288 tbn (default)
    Metadata:
      creation_time   : 2024-05-06T07:08:09.000000Z
      handler_name    : VideoHandler
      vendor_id       : [0][0][0][0]
      encoder         : Lavc59.37.100 libx264
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)
At least one output file must be specified
`;

const MOV_2997_DF = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'b.mov':
  Metadata:
    major_brand     : qt  
    minor_version   : 512
    compatible_brands: qt  
    encoder         : Lavf59.27.100
  Duration: 01:02:03.45, start: 0.000000, bitrate: 73 kb/s
  Stream #0:0[0x1]: Video: prores (HQ) (apch / 0x68637061), yuv422p10le(tv, bt709, progressive), 1920x1080, 176681 kb/s, SAR 1:1 DAR 16:9, 29.97 fps, 29.97 tbr, 30k tbn (default)
    Metadata:
      handler_name    : VideoHandler
      vendor_id       : FFMP
      timecode        : 01:00:00;00
  Stream #0:1[0x2](eng): Data: none (tmcd / 0x64636D74), 0 kb/s
    Metadata:
      handler_name    : TimeCodeHandler
      timecode        : 01:00:00;00
At least one output file must be specified
`;

const MXF_25 = `Input #0, mxf, from 'c.mxf':
  Metadata:
    operational_pattern_ul: 060e2b34.04010101.0d010201.01010900
    uid             : adab4424-2f25-4dc7-92ff-000c00000000
    company_name    : FFmpeg
    product_name    : OP1a Muxer
    material_package_umid: 0x060A2B340101010501010D0013A3AAF3529471345EA3AAF300529471345EA300
    timecode        : 10:00:00:00
  Duration: 00:00:01.00, start: 0.000000, bitrate: 643 kb/s
  Stream #0:0: Video: mpeg2video (Main), yuv420p(tv, progressive), 720x576 [SAR 16:15 DAR 4:3], 25 fps, 25 tbr, 25 tbn
    Metadata:
      file_package_umid: 0x060A2B340101010501010D0013A3AAF3529471345EA3AAF300529471345EA301
    Side data:
      cpb: bitrate max/min/avg: 0/0/0 buffer size: 49152 vbv_delay: N/A
At least one output file must be specified
`;

/** A live transport stream: no duration, no fps, only tbr; the audio stream comes first. */
const TS_TBR_ONLY = `Input #0, mpegts, from 'udp://239.0.0.1:1234':
  Duration: N/A, start: 1.400000, bitrate: N/A
  Program 1
    Metadata:
      service_name    : Service01
  Stream #0:0[0x101](eng): Audio: aac (LC) ([15][0][0][0] / 0x000F), 48000 Hz, stereo, fltp, 130 kb/s
  Stream #0:1[0x100]: Video: h264 (Main) ([27][0][0][0] / 0x001B), yuv420p(tv, bt709, progressive), 1280x720 [SAR 1:1 DAR 16:9], 50 tbr, 90k tbn
`;

describe('parseMediaInfo', () => {
  test('an mp4 at 24 fps with a creation time', () => {
    assert.deepEqual(parseMediaInfo(MP4_24), {
      durationS: 12.48,
      fps: 24,
      width: 640,
      height: 360,
      pixelAspect: null,
      timecode: null,
      createdAt: Date.UTC(2024, 4, 6, 7, 8, 9),
      audio: { channels: 2, sampleRate: 48000 },
    } satisfies MediaInfo);
  });

  test('a mov at 29.97 with a drop-frame timecode track', () => {
    assert.deepEqual(parseMediaInfo(MOV_2997_DF), {
      durationS: 3723.45,
      fps: 29.97,
      width: 1920,
      height: 1080,
      pixelAspect: null,
      timecode: '01:00:00;00',
      createdAt: null,
      audio: null,
    });
  });

  test('an mxf at 25 with its timecode in the file metadata', () => {
    assert.deepEqual(parseMediaInfo(MXF_25), { durationS: 1, fps: 25, width: 720, height: 576, pixelAspect: { h: 16, v: 15 }, timecode: '10:00:00:00', createdAt: null, audio: null });
  });

  test('non-square pixels: the SAR in lowest terms, the container\'s when it differs from the codec\'s; 1:1 or none is square', () => {
    const aspect = (video: string) => parseMediaInfo(`  Stream #0:0[0x1](und): Video: ${video}\n`).pixelAspect;
    // HDV, anamorphic PAL and NTSC, DVCPRO HD, and the demo reel's selfie clip (a 4:3 picture stored as 288x512).
    assert.deepEqual(aspect('h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1440x1080 [SAR 4:3 DAR 16:9], 4153 kb/s, 25 fps, 25 tbr, 12800 tbn (default)'), { h: 4, v: 3 });
    assert.deepEqual(aspect('mpeg2video (Main), yuv420p(tv, top first), 720x576 [SAR 64:45 DAR 16:9], 25 fps, 25 tbr, 25 tbn'), { h: 64, v: 45 });
    assert.deepEqual(aspect('dvvideo, yuv411p, 720x480 [SAR 32:27 DAR 16:9], 28771 kb/s, 29.97 fps, 29.97 tbr, 30k tbn'), { h: 32, v: 27 });
    assert.deepEqual(aspect('dvvideo (dvh5 / 0x35687664), yuv422p, 1440x1080 [SAR 4:3 DAR 16:9], 115000 kb/s, 25 fps, 25 tbr, 25 tbn'), { h: 4, v: 3 });
    assert.deepEqual(aspect('h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 288x512 [SAR 64:27 DAR 4:3], 238 kb/s, 25 fps, 25 tbr, 12800 tbn (default)'), { h: 64, v: 27 });
    // The container's pasp box (printed second) is what ffmpeg decodes with.
    assert.deepEqual(aspect('h264 (High), yuv420p(progressive), 1440x1080 [SAR 1:1 DAR 4:3], 4637 kb/s, SAR 4:3 DAR 16:9, 25 fps'), { h: 4, v: 3 });
    assert.equal(aspect('h264 (High), yuv420p(progressive), 1440x1080 [SAR 4:3 DAR 16:9], 4637 kb/s, SAR 1:1 DAR 4:3, 25 fps'), null);
    // Reduced to lowest terms; a DAR alone gives it with the picture size.
    assert.deepEqual(aspect('prores, yuv422p10le, 1440x1080 [SAR 8:6 DAR 32:18], 25 fps'), { h: 4, v: 3 });
    assert.deepEqual(aspect('rawvideo, uyvy422, 720x576, DAR 16:9, 25 fps'), { h: 64, v: 45 });
    assert.equal(aspect('h264, yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], 25 fps'), null);
    assert.equal(aspect('h264, yuv420p, 1920x1080, 25 fps'), null);
    assert.equal(aspect('h264, yuv420p, 1920x1080 [SAR 0:1 DAR 0:1], 25 fps'), null);
  });

  test('the first audio stream: channels from the layout name or a count, and its sample rate', () => {
    const line = (audio: string) => parseMediaInfo(`  Stream #0:0: Video: h264, yuv420p, 640x360, 25 fps\n  Stream #0:1(eng): Audio: ${audio}\n`).audio;
    assert.deepEqual(line('pcm_s24le, 48000 Hz, 5.1(side), s32 (24 bit), 6912 kb/s'), { channels: 6, sampleRate: 48000 });
    assert.deepEqual(line('pcm_s16le, 96000 Hz, 4 channels, s16, 6144 kb/s'), { channels: 4, sampleRate: 96000 });
    assert.deepEqual(line('aac (LC), 44100 Hz, mono, fltp, 69 kb/s (default)'), { channels: 1, sampleRate: 44100 });
  });

  test('a stream with only tbr, no duration, audio first', () => {
    assert.deepEqual(parseMediaInfo(TS_TBR_ONLY), {
      durationS: null,
      fps: 50,
      width: 1280,
      height: 720,
      pixelAspect: null,
      timecode: null,
      createdAt: null,
      audio: { channels: 2, sampleRate: 48000 },
    });
  });

  test('odd rates, a "." before the frames, a bad date and no video', () => {
    const header = `  Duration: 00:10:00.00, start: 0.000000, bitrate: 5000 kb/s
    creation_time   : not-a-date
    timecode        : 00:59:59.29
  Stream #0:0(und): Video: h264 (High), yuv420p(tv, bt709), 3840x2160, 23.98 fps, 23.98 tbr, 24k tbn (default)
`;
    assert.deepEqual(parseMediaInfo(header), { durationS: 600, fps: 23.98, width: 3840, height: 2160, pixelAspect: null, timecode: '00:59:59;29', createdAt: null, audio: null });
    assert.deepEqual(parseMediaInfo('Input #0, wav, from x.wav:\n  Duration: 00:00:02.00, bitrate: 705 kb/s\n  Stream #0:0: Audio: pcm_s16le, 44100 Hz, mono, s16, 705 kb/s\n'), {
      durationS: 2,
      fps: null,
      width: null,
      height: null,
      pixelAspect: null,
      timecode: null,
      createdAt: null,
      audio: { channels: 1, sampleRate: 44100 },
    });
    assert.deepEqual(parseMediaInfo(''), { durationS: null, fps: null, width: null, height: null, pixelAspect: null, timecode: null, createdAt: null, audio: null });
  });
});

describe('probeMedia', () => {
  const ffmpeg = resolveFfmpeg(null).path;
  const dir = tempDir();
  const make = (name: string, args: string[]) => {
    const out = path.join(dir, name);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
    return out;
  };

  test('a mov at 29.97 with a drop-frame timecode', async () => {
    const file = make('df.mov', ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30000/1001', '-t', '1', '-pix_fmt', 'yuv420p', '-timecode', '01:00:00;00']);
    assert.deepEqual(await probeMedia(ffmpeg, file), { durationS: 1, fps: 29.97, width: 320, height: 240, pixelAspect: null, timecode: '01:00:00;00', createdAt: null, audio: null });
  });

  test('an mp4 at 25 with a creation time (whole seconds in mp4)', async () => {
    const file = make('created.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=176x144:rate=25', '-t', '2', '-pix_fmt', 'yuv420p', '-metadata', 'creation_time=2023-11-02T10:20:30.000000Z']);
    assert.deepEqual(await probeMedia(ffmpeg, file), { durationS: 2, fps: 25, width: 176, height: 144, pixelAspect: null, timecode: null, createdAt: Date.UTC(2023, 10, 2, 10, 20, 30), audio: null });
  });

  test('HDV: 1440x1080 stored, pixels 4:3 wide', async () => {
    const file = make('hdv.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=1440x1080:rate=25', '-t', '0.2', '-vf', 'setsar=4/3', '-pix_fmt', 'yuv420p']);
    assert.deepEqual(await probeMedia(ffmpeg, file), { durationS: 0.2, fps: 25, width: 1440, height: 1080, pixelAspect: { h: 4, v: 3 }, timecode: null, createdAt: null, audio: null });
  });

  test('a file without video is INPUT_UNREADABLE, in the words a camera’s fault is said', async () => {
    // Not .txt: ffmpeg reads a .txt file as ANSI art (the tty demuxer), a video.
    const text = path.join(dir, 'notes.json');
    writeFileSync(text, JSON.stringify({ notes: 'not a video at all' }));
    await assert.rejects(probeMedia(ffmpeg, text), (error: unknown) => isShotscaleError(error, 'INPUT_UNREADABLE') && error.message === `${text} is not a picture or video ffmpeg can read (invalid data)`);
    const audio = make('tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5']);
    // Not ffmpeg's unrelated last line ("At least one output file must be specified"): what the file lacks.
    await assert.rejects(probeMedia(ffmpeg, audio), (error: unknown) => isShotscaleError(error, 'INPUT_UNREADABLE') && error.message === `${audio}: no video stream (the file has only audio)`);
    const missing = path.join(dir, 'missing.mp4');
    await assert.rejects(probeMedia(ffmpeg, missing), (error: unknown) => isShotscaleError(error, 'INPUT_UNREADABLE') && error.message === `${missing}: no such file`);
  });

  test('an MP4 cut short before its index, and an empty file: called so, not "invalid data"', async () => {
    const whole = make('whole.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=176x144:rate=25', '-t', '2', '-pix_fmt', 'yuv420p']);
    const cut = path.join(dir, 'cut.mp4');
    // ffmpeg writes the index (moov) last: the first half of the file has none.
    writeFileSync(cut, readFileSync(whole).subarray(0, Math.round(statSync(whole).size / 2)));
    await assert.rejects(
      probeMedia(ffmpeg, cut),
      (error: unknown) => isShotscaleError(error, 'INPUT_UNREADABLE') && error.message === `${cut} is not a readable video (moov atom not found: an MP4 cut short, or still being written)`,
    );
    const empty = path.join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    await assert.rejects(probeMedia(ffmpeg, empty), (error: unknown) => isShotscaleError(error, 'INPUT_UNREADABLE') && error.message === `${empty}: empty file (0 bytes)`);
  });
});

describe('the frame rate', () => {
  const rate = (figures: string) => parseMediaInfo(`  Stream #0:0[0x1](und): Video: h264 (avc1 / 0x31637661), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 2269 kb/s, ${figures}, 600 tbn (default)\n`).fps;

  test('a phone clip that dropped frames: its nominal rate when the average is no timecode rate and the nominal is', () => {
    assert.equal(rate('29.25 fps, 30 tbr'), 30);
    assert.equal(rate('29.9 fps, 29.97 tbr'), 29.97);
    assert.equal(rate('24.4 fps, 25 tbr'), 25);
  });

  test('a phone clip short of a few frames: its nominal rate, not the drop-frame rate its average comes near', () => {
    // 29.98 and 29.96 are within rateFromFps's 0.05% of 29.97: logged so, ten minutes of a 30 fps clip drift 18 frames.
    assert.equal(rate('29.98 fps, 30 tbr'), 30);
    assert.equal(rate('29.96 fps, 30 tbr'), 30);
    assert.equal(rate('59.95 fps, 60 tbr'), 60);
    assert.equal(rate('23.97 fps, 24 tbr'), 24);
    // A real 29.97 (or 59.94) file: both figures agree, and it stays 29.97.
    assert.equal(rate('29.97 fps, 29.97 tbr'), 29.97);
    assert.equal(rate('59.94 fps, 59.94 tbr'), 59.94);
    // Equal within rateFromFps's tolerance: the average, which rounds to the same rate.
    assert.equal(rate('29.99 fps, 30 tbr'), 29.99);
    // Interlaced, timestamps per field: about half the nominal rate is no dropped frames.
    assert.equal(rate('29.97 fps, 59.94 tbr'), 29.97);
    assert.equal(rate('25 fps, 50 tbr'), 25);
    // A nominal rate that is no timecode rate: the average.
    assert.equal(rate('29.97 fps, 30.5 tbr'), 29.97);
    assert.equal(rate('25 fps, 25.5 tbr'), 25);
    // 24 under a 25 tbr is 4% short: another rate, not a few lost frames.
    assert.equal(rate('24 fps, 25 tbr'), 24);
  });

  test('the average when it is a timecode rate, or when neither is (the log then warns)', () => {
    assert.equal(rate('30 fps, 30 tbr'), 30);
    assert.equal(rate('23.98 fps, 23.98 tbr'), 23.98);
    // An interlaced 25 whose timestamps are per field: 25, not the field rate.
    assert.equal(rate('25 fps, 50 tbr'), 25);
    assert.equal(rate('12 fps, 12 tbr'), 12);
    assert.equal(rate('29.25 fps, 29.25 tbr'), 29.25);
    assert.equal(rate('50 tbr'), 50);
  });
});
