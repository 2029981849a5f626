/**
 * Dev: the same labelled frames as footage may bring them, to see how far a
 * label moves with the picture's size and bars alone. Writes, beside a copy
 * of the set's labels.csv, each frame
 * - up3: three times larger (Lanczos), as a full-size frame of the same shot;
 * - pad169: inside black bars to 16:9 (letterbox for a wider picture,
 *   pillarbox for a narrower one), as a film frame in a broadcast container.
 * Then score each with `shotscale eval --labels OUT/up3/labels.csv --csv ...`
 * and compare with the set as it is.
 *
 *   npx tsx server/inference/framing/dev/picture-variants.ts ../shared/evalset/hoha/labels.csv /tmp/hoha-variants
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../../../ingest/ffmpeg-binary.js';
import { readLabelsCsv } from './set-cache.js';

const run = promisify(execFile);

const VARIANTS: Record<string, string> = {
  up3: 'scale=iw*3:ih*3:flags=lanczos',
  // Even sizes, so that every encoder takes them; the picture centred.
  pad169: "pad=w='2*ceil(max(iw,ih*16/9)/2)':h='2*ceil(max(ih,iw*9/16)/2)':x=(ow-iw)/2:y=(oh-ih)/2:color=black",
};

const [labelsPath, outRoot] = process.argv.slice(2);
if (!labelsPath || !outRoot) throw new Error('usage: picture-variants.ts LABELS.csv OUT_DIR');
const ffmpeg = resolveFfmpeg(null).path;
const root = path.dirname(path.resolve(labelsPath));
const files = readLabelsCsv(labelsPath).map((row) => row.file);

for (const [name, filter] of Object.entries(VARIANTS)) {
  const dir = path.join(outRoot, name);
  for (const file of files) mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  copyFileSync(labelsPath, path.join(dir, 'labels.csv'));
  // Two at a time: ffmpeg starts in tens of milliseconds, the machine has two cores.
  for (let i = 0; i < files.length; i += 2) {
    await Promise.all(
      files.slice(i, i + 2).map((file) => run(ffmpeg, ['-v', 'error', '-y', '-i', path.join(root, file), '-vf', filter, '-q:v', '2', path.join(dir, file)])),
    );
  }
  process.stdout.write(`${name}: ${files.length} frames in ${dir}\n`);
}
