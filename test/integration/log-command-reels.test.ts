/**
 * `shotscale log` and the reel a conform looks up: each file its own reel
 * (its reel metadata, else its name), the same in the EDL, ALE, FCPXML and a
 * later `shotscale export --db`; a file name outside ASCII written as it is
 * on the EDL's SOURCE FILE line; and a drop-frame --start-tc (";") on a file
 * whose timecode track is non-drop.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { parseAle, parseEdl } from '../support/export-parsers.js';
import { tempDir } from '../support/media.js';

const LOG_TIMEOUT = { timeoutMs: 120_000 };
const FORMATS = ['--formats', 'edl,ale,fcpxml'];

/** A short clip with a QuickTime timecode track (non-drop at 29.97) and, when given, a reel name in it. */
function timecodedClip(dir: string, name: string, options: { rate?: string; reel?: string } = {}): string {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${options.rate ?? '30000/1001'}:duration=1`,
    '-timecode', '01:00:00:00',
    ...(options.reel ? ['-metadata:s:v:0', `reel_name=${options.reel}`] : []),
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', out,
  ]);
  return out;
}

interface Reels {
  edl: string[];
  tape: string[];
  fcpxml: string[];
  edlText: string;
}

/** The reels a log's EDL, ALE and FCPXML name, read from the files in `out` named after `base`. */
function reelsIn(out: string, base: string): Reels {
  const edlText = readFileSync(path.join(out, `${base}.edl`), 'utf8');
  const ale = parseAle(readFileSync(path.join(out, `${base}.ale`), 'utf8'));
  const fcpxml = readFileSync(path.join(out, `${base}.fcpxml`), 'utf8');
  return {
    edl: parseEdl(edlText).events.map((e) => e.reel),
    tape: ale.rows.map((row) => row.Tape!),
    fcpxml: [...fcpxml.matchAll(/key="com\.apple\.proapps\.studio\.reel" value="([^"]*)"/g)].map((m) => m[1]!),
    edlText,
  };
}

async function log(video: string, out: string, extra: string[] = []): Promise<void> {
  const res = await runCli(['log', video, '--out', out, ...FORMATS, ...extra], LOG_TIMEOUT);
  assert.equal(res.code, 0, res.stderr);
}

async function exported(db: string, format: string): Promise<string> {
  const res = await runCli(['export', '--db', db, '--format', format], LOG_TIMEOUT);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}

describe('shotscale log: reels and source names', () => {
  test('two cameras of a multicam pair, same start timecode, no reel metadata: each file its own reel, never FILE', async () => {
    const dir = tempDir();
    const reels: Reels[] = [];
    for (const camera of ['A', 'B']) {
      const video = timecodedClip(dir, `Interview cam${camera}.mov`);
      const out = path.join(dir, `out-${camera}`);
      await log(video, out);
      reels.push(reelsIn(out, `Interview cam${camera}`));
      const again = parseEdl(await exported(path.join(out, 'shotscale.sqlite'), 'edl')).events.map((e) => e.reel);
      assert.deepEqual(again, reels.at(-1)!.edl, 'export --db names the same reel');
    }
    const [a, b] = reels as [Reels, Reels];
    assert.ok(a.edl.length > 0 && b.edl.length > 0);
    assert.deepEqual(new Set(a.edl), new Set(['INTECAMA']), 'the name in 8 CMX3600 characters: its first four and last four');
    assert.deepEqual(new Set(b.edl), new Set(['INTECAMB']));
    assert.deepEqual(new Set(a.tape), new Set(['Interview camA']), 'the ALE Tape is the name as it is');
    assert.deepEqual(new Set(b.tape), new Set(['Interview camB']));
    assert.deepEqual(a.fcpxml, a.tape, "the FCPXML reel is the ALE's");
    assert.deepEqual(b.fcpxml, b.tape);
  });

  test("a file's reel metadata is its reel everywhere; a \";\" start timecode on a non-drop track counts drop-frame", async () => {
    const dir = tempDir();
    const video = timecodedClip(dir, 'clip0001.mov', { reel: 'A001C003' });
    const out = path.join(dir, 'out');
    await log(video, out, ['--start-tc', '02:00:00;00']);
    const reels = reelsIn(out, 'clip0001');
    assert.deepEqual(new Set([...reels.edl, ...reels.tape, ...reels.fcpxml]), new Set(['A001C003']));
    const edl = parseEdl(reels.edlText);
    assert.equal(edl.fcm, 'DROP FRAME', 'the ";" the start was written with');
    assert.equal(edl.events[0]!.srcIn, '02:00:00;00');
    const ale = parseAle(await exported(path.join(out, 'shotscale.sqlite'), 'ale'));
    assert.deepEqual(new Set(ale.rows.map((row) => row.Tape)), new Set(['A001C003']), 'export --db keeps the reel from the metadata');
    assert.equal(ale.rows[0]!.Start, '02:00:00;00');

    // A ";" with a non-drop --rate, or at a rate without drop-frame, asks for two timecodes: a usage error (exit 2) before anything is written.
    const refused = await runCli(['log', video, '--out', path.join(dir, 'out2'), '--rate', '29.97', '--start-tc', '02:00:00;00'], LOG_TIMEOUT);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /^error BAD_REQUEST: --start-tc 02:00:00;00: the ";" asks for drop-frame, but --rate 29\.97 is non-drop: .*--rate 29\.97DF/);
    const at25 = timecodedClip(dir, 'clip25.mov', { rate: '25' });
    const none = await runCli(['log', at25, '--out', path.join(dir, 'out3'), '--start-tc', '02:00:00;00'], LOG_TIMEOUT);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /^error BAD_REQUEST: --start-tc 02:00:00;00: the ";" asks for drop-frame, but the log's rate 25 has no drop-frame/);
  });

  test('a file name outside ASCII: FROM CLIP NAME in ASCII, the name as written on SOURCE FILE; event lines ASCII', async () => {
    const dir = tempDir();
    const name = 'Szene 4 – «Grüße» "take" \'x\' 場面.mov';
    const video = timecodedClip(dir, name, { rate: '25' });
    const out = path.join(dir, 'out');
    await log(video, out);
    const base = path.basename(name, '.mov');
    const { edlText, edl, tape } = reelsIn(out, base);
    const events = parseEdl(edlText).events;
    assert.ok(events.length > 0);
    for (const event of events) {
      assert.equal(event.comments[0], 'FROM CLIP NAME: Szene 4 - "Grusse" "take" \'x\' ?.mov');
      assert.equal(event.comments[1], `SOURCE FILE: ${name}`, 'the exact name a relink looks for');
    }
    assert.deepEqual(new Set(edl), new Set(['SZENKE_X']), 'the reel in CMX3600 characters: the first four and the last four');
    assert.deepEqual(new Set(tape), new Set([base]));
    // Only the SOURCE FILE lines hold bytes beyond ASCII.
    for (const line of edlText.split('\r\n')) if (!line.startsWith('* SOURCE FILE: ')) assert.match(line, /^[\x20-\x7e]*$/, line);
  });
});
