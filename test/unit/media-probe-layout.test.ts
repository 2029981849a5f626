/**
 * The picture as a player shows it: a phone clip's rotation (ffmpeg's
 * display matrix side data, or the older builds' "rotate" tag) turns the
 * probed raster, and an interlaced stream's field order is read in the
 * order shown. Parsed from header text as ffmpeg writes it (samples from
 * real `ffmpeg -i` runs of Debian's ffmpeg 5.1 and the 2018 static build of
 * @ffmpeg-installer), and probed from real clips with both where present
 * (the 2018 build names no field order for H.264 in a mov: the probe then
 * reads it from the first decoded frame).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMediaInfo, probeMedia } from '../../server/ingest/media-probe.js';
import { tempDir } from '../support/media.js';

/** Debian's ffmpeg 5.1: a phone clip stored 1920x1080, shown upright (1080x1920). */
const PHONE_DEBIAN = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mp4':
  Metadata:
    major_brand     : isom
    encoder         : Lavf59.27.100
  Duration: 00:00:06.00, start: 0.000000, bitrate: 6170 kb/s
  Stream #0:0[0x1](und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 6162 kb/s, 24 fps, 24 tbr, 12288 tbn (default)
    Metadata:
      handler_name    : VideoHandler
      vendor_id       : [0][0][0][0]
    Side data:
      displaymatrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)
At least one output file must be specified
`;

/** The 2018 static build: the same clip, its turn also as a "rotate" tag (clockwise). */
const PHONE_STATIC_2018 = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:00:06.00, start: 0.000000, bitrate: 6170 kb/s
    Stream #0:0(und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], 6162 kb/s, 24 fps, 24 tbr, 12288 tbn, 48 tbc (default)
    Metadata:
      rotate          : 90
      handler_name    : VideoHandler
    Side data:
      displaymatrix: rotation of -90.00 degrees
At least one output file must be specified
`;

const video = (line: string, after = '') => `  Duration: 00:00:01.00, start: 0.000000, bitrate: 1 kb/s\n  Stream #0:0: Video: ${line}\n${after}`;

describe('parseMediaInfo: rotation', () => {
  test('a quarter turn swaps width and height, from the display matrix or the rotate tag', () => {
    for (const header of [PHONE_DEBIAN, PHONE_STATIC_2018]) {
      const info = parseMediaInfo(header);
      assert.deepEqual([info.width, info.height, info.pixelAspect, info.rotation], [1080, 1920, null, 90]);
    }
    // A build that prints only the tag.
    const tagOnly = parseMediaInfo(video('h264, yuv420p, 640x360, 25 fps', '    Metadata:\n      rotate          : 270\n'));
    assert.deepEqual([tagOnly.width, tagOnly.height, tagOnly.rotation], [360, 640, 270]);
    // Counter-clockwise in the matrix: +90.00 is a turn of 270 clockwise.
    const left = parseMediaInfo(video('h264, yuv420p, 640x360, 25 fps', '    Side data:\n      displaymatrix: rotation of 90.00 degrees\n'));
    assert.deepEqual([left.width, left.height, left.rotation], [360, 640, 270]);
  });

  test('a quarter turn inverts the pixel aspect; a half turn keeps the size; the audio stream’s lines are not the video’s', () => {
    const hdv = parseMediaInfo(video('h264, yuv420p, 1440x1080 [SAR 4:3 DAR 16:9], 25 fps', '    Side data:\n      displaymatrix: rotation of -90.00 degrees\n'));
    assert.deepEqual([hdv.width, hdv.height, hdv.pixelAspect], [1080, 1440, { h: 3, v: 4 }]);
    const upsideDown = parseMediaInfo(video('h264, yuv420p, 640x360, 25 fps', '    Side data:\n      displaymatrix: rotation of -180.00 degrees\n'));
    assert.deepEqual([upsideDown.width, upsideDown.height, upsideDown.rotation], [640, 360, 180]);
    const none = parseMediaInfo(video('h264, yuv420p, 640x360, 25 fps', '  Stream #0:1: Audio: aac, 48000 Hz, stereo\n    Metadata:\n      rotate          : 90\n'));
    assert.deepEqual([none.width, none.height, 'rotation' in none], [640, 360, false]);
  });
});

describe('parseMediaInfo: field order', () => {
  test('the field shown first, in FCPXML’s words', () => {
    const order = (format: string) => parseMediaInfo(video(`h264 (Main), ${format}, 1920x1080 [SAR 1:1 DAR 16:9], 29.97 fps`)).fieldOrder;
    assert.equal(order('yuv420p(top first)'), 'upper first');
    assert.equal(order('yuv420p(tv, bt709, top first)'), 'upper first');
    assert.equal(order('yuv422p10le(tv, bt709, bottom first)'), 'lower first');
    // ffmpeg's TB: top field coded first, bottom shown first (QuickTime's fiel detail 9); BT the other way.
    assert.equal(order('yuv420p(tv, bt709, top coded first (swapped))'), 'lower first');
    assert.equal(order('yuv420p(tv, bt709, bottom coded first (swapped))'), 'upper first');
    assert.equal(order('yuv420p(tv, bt709, progressive)'), undefined);
    assert.equal(order('yuv420p'), undefined);
  });
});

describe('probeMedia: turned and interlaced clips', () => {
  const dir = tempDir();
  const make = (name: string, args: string[]) => {
    const out = path.join(dir, name);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
    return out;
  };
  // A phone held upright: stored 320x180, turned a quarter on playback (ffmpeg 5.1's muxer writes the tag 270 as a
  // display matrix both builds read as 90 clockwise: "rotation of -90.00 degrees", "rotate : 90").
  const stored = make('stored.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '0.2', '-pix_fmt', 'yuv420p']);
  const phone = make('phone.mp4', ['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=270']);
  // 1080i25 HDV, bottom field first; and an MPEG-2 stream top field first, whose order older builds print too.
  const hdv = make('hdv.mov', ['-f', 'lavfi', '-i', 'testsrc2=size=1440x1080:rate=25', '-t', '0.2', '-vf', 'setsar=4/3', '-flags', '+ildct+ilme', '-c:v', 'libx264', '-x264opts', 'bff=1', '-pix_fmt', 'yuv420p']);
  const mpeg2 = make('pal.mpg', ['-f', 'lavfi', '-i', 'testsrc2=size=720x576:rate=25', '-t', '0.2', '-vf', 'setsar=16/15', '-flags', '+ildct+ilme', '-top', '1', '-c:v', 'mpeg2video']);
  const bundled = fileURLToPath(new URL('../../node_modules/@ffmpeg-installer/linux-x64/ffmpeg', import.meta.url));
  const builds: [string, string][] = [['Debian ffmpeg', 'ffmpeg'], ...(existsSync(bundled) ? [['@ffmpeg-installer ffmpeg', bundled] as [string, string]] : [])];

  for (const [build, ffmpeg] of builds) {
    test(`${build}: the phone clip is 180x320, the MPEG-2 stream upper first`, async () => {
      const turned = await probeMedia(ffmpeg, phone);
      assert.deepEqual([turned.width, turned.height, turned.rotation], [180, 320, 90]);
      const pal = await probeMedia(ffmpeg, mpeg2);
      assert.deepEqual([pal.width, pal.height, pal.pixelAspect, pal.fieldOrder], [720, 576, { h: 16, v: 15 }, 'upper first']);
    });

    // The 2018 build's header names no field order for H.264 in a mov: the first decoded frame does.
    test(`${build}: H.264 HDV in a mov, bottom field first; a progressive clip has none`, async () => {
      const info = await probeMedia(ffmpeg, hdv);
      assert.deepEqual([info.width, info.height, info.pixelAspect, info.fieldOrder, 'rotation' in info], [1440, 1080, { h: 4, v: 3 }, 'lower first', false]);
      assert.equal('fieldOrder' in (await probeMedia(ffmpeg, stored)), false);
    });
  }
});
