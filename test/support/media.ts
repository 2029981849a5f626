/** Test media made with real ffmpeg, so what a test expects is known exactly. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'shotscale-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A short H.264 clip of an ffmpeg test pattern. */
export function makeClip(dir: string, name = 'clip.mp4', seconds = 2, pattern = 'testsrc'): string {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `${pattern}=size=320x240:rate=25`, '-t', String(seconds), '-pix_fmt', 'yuv420p', out]);
  return out;
}

/** The stretch `startS`..`startS + seconds` of a video, re-encoded (H.264, no sound) so that it starts on a key frame; `filter`, when given, is applied on the way. */
export function trimClip(source: string, dir: string, startS: number, seconds: number, name = path.basename(source), filter: string | null = null): string {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-ss', String(startS), '-i', source, '-t', String(seconds), '-an', ...(filter ? ['-vf', filter] : []), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
  return out;
}
