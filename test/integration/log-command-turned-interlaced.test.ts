/**
 * `shotscale log` of a phone's portrait clip and of interlaced material,
 * made with real ffmpeg: the FCPXML (read back, and accepted by libxml2's
 * xmllint) is the picture as displayed, upright, and interlaced material
 * keeps Final Cut's interlaced presets and its field order, in the exports
 * beside the log and in `shotscale export --db` of the log alone.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { parseXml } from '../support/fcpxml-reader.js';
import { tempDir } from '../support/media.js';

const LOG_TIMEOUT = { timeoutMs: 120_000 };

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** The format elements' attributes, and the one the asset refers to. */
function formatsOf(xml: string): { formats: Record<string, string>[]; asset: string } {
  const resources = parseXml(xml).root.children.find((e) => e.name === 'resources')!;
  const formats = resources.children.filter((e) => e.name === 'format').map((e) => ({ ...e.attributes }));
  return { formats, asset: resources.children.find((e) => e.name === 'asset')!.attributes.format! };
}

function xmllint(xml: string, dir: string): void {
  const file = path.join(dir, 'lint.fcpxml');
  writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  if (run.error) throw new Error(`xmllint did not run (${run.error.message}): install Debian's libxml2-utils`);
  assert.equal(run.status, 0, run.stderr);
}

async function logFcpxml(video: string, dir: string): Promise<{ xml: string; again: string }> {
  const out = path.join(dir, `${path.basename(video)}-log`);
  const res = await runCli(['log', video, '--out', out, '--fps', '2', '--formats', 'fcpxml'], LOG_TIMEOUT);
  assert.equal(res.code, 0, res.stderr);
  const xml = readFileSync(path.join(out, `${path.basename(video, path.extname(video))}.fcpxml`), 'utf8');
  xmllint(xml, dir);
  const again = await runCli(['export', '--db', path.join(out, 'shotscale.sqlite'), '--format', 'fcpxml']);
  assert.equal(again.code, 0, again.stderr);
  return { xml, again: again.stdout };
}

describe('shotscale log: FCPXML formats of turned and interlaced files', () => {
  test('a phone clip stored landscape and turned a quarter on playback is a portrait format', async () => {
    const dir = tempDir();
    const stored = path.join(dir, 'stored.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '2', '-pix_fmt', 'yuv420p', stored]);
    // ffmpeg 5.1 writes the tag 270 as the display matrix of a phone held upright ("rotation of -90.00 degrees").
    const phone = path.join(dir, 'phone.mp4');
    ffmpeg(['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', phone]);
    const { xml, again } = await logFcpxml(phone, dir);
    for (const doc of [xml, again]) {
      const { formats } = formatsOf(doc);
      assert.deepEqual(formats.map((f) => [f.width, f.height]), [['180', '320']], 'upright, as a player shows it');
    }
  });

  test('1080i 29.97, HDV 1080i50 and NTSC DV: Final Cut’s interlaced presets with the field order', async () => {
    const dir = tempDir();
    const make = (name: string, size: string, rate: string, extra: string[]) => {
      const out = path.join(dir, name);
      ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-t', '2', ...extra, '-flags', '+ildct+ilme', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
      return out;
    };
    // Fields woven from 59.94 frames, top first in the stream as in the mov's field atom.
    const i1080 = make('i1080.mov', '1920x1080', '60000/1001', ['-vf', 'interlace', '-r', '30000/1001']);
    const hdv = make('hdv.mov', '1440x1080', '25', ['-vf', 'setsar=4/3', '-x264opts', 'bff=1']);
    const ntsc = make('ntsc.mov', '720x480', '30000/1001', ['-vf', 'setsar=8/9', '-x264opts', 'bff=1']);

    const expected: [string, Record<string, string>[], string][] = [
      [i1080, [{ id: 'r1', name: 'FFVideoFormat1080i5994', frameDuration: '1001/30000s', fieldOrder: 'upper first', width: '1920', height: '1080' }], 'r1'],
      [
        hdv,
        [
          { id: 'r1', name: 'FFVideoFormat1080i50', frameDuration: '100/2500s', fieldOrder: 'lower first', width: '1920', height: '1080' },
          { id: 'r3', name: 'FFVideoFormat1440x1080i50', frameDuration: '100/2500s', fieldOrder: 'lower first', width: '1440', height: '1080', paspH: '4', paspV: '3' },
        ],
        'r3',
      ],
      [ntsc, [{ id: 'r1', name: 'FFVideoFormatDV720x480i5994', frameDuration: '1001/30000s', fieldOrder: 'lower first', width: '720', height: '480', paspH: '8', paspV: '9' }], 'r1'],
    ];
    for (const [video, formats, asset] of expected) {
      const { xml, again } = await logFcpxml(video, dir);
      assert.deepEqual(formatsOf(xml), { formats, asset }, path.basename(video));
      assert.deepEqual(formatsOf(again), { formats, asset }, `${path.basename(video)}: export --db of the log alone`);
    }
  });
});
