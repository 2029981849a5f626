/**
 * `shotscale classify FILE|FOLDER... [--files-from LIST]`: one JSON line per
 * image, or per sampled video frame, on stdout; progress on stderr. Folders
 * give the images and videos under them (input-files.ts). A file that cannot
 * be read, or a folder with nothing to read, is reported and skipped; the
 * exit code is 1 if any was.
 */
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import type { DecodedFrame } from '../ingest/file-decoder.js';
import type { ScalePrediction, Subjects } from '../inference/model.js';
import type { Logger } from '../shared/logger.js';
import { argmax, CANONICAL_SCALES } from '../shared/scale.js';
import { parseCommandArgs, UsageError, wholeNumberOption } from './command-options.js';
import { notRegularFile } from './input-file.js';
import { expandInputs, readFileList } from './input-files.js';
import { openOfflineClassifier, type OfflineClassifier } from './offline-classifier.js';
import { ProgressLine } from './progress-line.js';

export interface ClassifyLine {
  file: string;
  frame: number;
  timeS: number;
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
  reason?: string;
  subjects?: Subjects;
}

function toLine(file: string, frame: DecodedFrame, { probabilities, reason, subjects }: ScalePrediction): ClassifyLine {
  const best = argmax(probabilities);
  const line: ClassifyLine = {
    file,
    frame: frame.index,
    timeS: Math.round(frame.timeS * 1000) / 1000,
    label: CANONICAL_SCALES[best]!,
    confidence: Math.round(probabilities[best]! * 10000) / 10000,
    probabilities: Object.fromEntries(CANONICAL_SCALES.map((s, i) => [s, Math.round(probabilities[i]! * 10000) / 10000])),
  };
  if (reason) line.reason = reason;
  if (subjects) line.subjects = subjects;
  return line;
}

async function flush(classifier: OfflineClassifier, file: string, pending: DecodedFrame[], out: (line: ClassifyLine) => void): Promise<void> {
  if (!pending.length) return;
  const batch = pending.splice(0);
  const predictions = await classifier.predict(batch);
  predictions.forEach((p, i) => out(toLine(file, batch[i]!, p)));
}

export async function runClassify(argv: string[], log: Logger): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, fps: { type: 'string', default: '1' }, batch: { type: 'string', default: '8' }, 'files-from': { type: 'string' } },
  });
  const fps = Number(values.fps);
  // At most 60, as log takes: above a video's own rate ffmpeg repeats frames, and --fps 1e9 never ends.
  if (values.fps.trim() === '' || !(fps > 0 && fps <= 60)) throw new UsageError(`--fps ${JSON.stringify(values.fps)}: frames a second to sample a video at, more than 0 and at most 60`);
  const batchSize = wholeNumberOption('batch', values.batch, 1);
  if (!positionals.length && values['files-from'] === undefined) throw new UsageError('name at least one image or video file or folder, or --files-from LIST');
  const listed = values['files-from'] === undefined ? [] : await readFileList(values['files-from']);
  const { files, emptyFolders } = expandInputs([...positionals, ...listed]);
  for (const folder of emptyFolders) process.stderr.write(`shotscale classify: no images or videos in ${folder}\n`);
  if (!files.length) {
    if (!emptyFolders.length) throw new ShotscaleError('INPUT_UNREADABLE', `nothing to classify: --files-from ${values['files-from']} lists no files`, { hint: 'one path per line' });
    throw new ShotscaleError('INPUT_UNREADABLE', `nothing to classify: no images or videos in ${emptyFolders.slice(0, 3).join(', ')}${emptyFolders.length > 3 ? ', ...' : ''}`, {
      hint: 'a folder stands for the images and videos under it, by extension (.jpg, .png, .mp4, .mov, ...; hidden files skipped)',
    });
  }
  const classifier = await openOfflineClassifier(values, log);
  const { model } = classifier;
  const progress = new ProgressLine(files.length, 'files');
  const write = (line: ClassifyLine) => process.stdout.write(JSON.stringify(line) + '\n');
  let failed = 0;
  try {
    for (const file of files) {
      progress.update(file);
      const pending: DecodedFrame[] = [];
      let chain = Promise.resolve();
      try {
        // Before ffmpeg: it waits for ever on a pipe without a writer, and calls a pipe with one "invalid data".
        const problem = notRegularFile(file);
        if (problem) throw new ShotscaleError('INPUT_UNREADABLE', `${file}: ${problem}`);
        // Inference runs while ffmpeg keeps decoding; batches stay in order.
        await classifier.decode(file, fps, (frame) => {
          pending.push(frame);
          if (pending.length >= batchSize) chain = chain.then(() => flush(classifier, file, pending, write));
        });
        await chain;
        await flush(classifier, file, pending, write);
      } catch (error) {
        failed += 1;
        progress.note(skippedLine(file, error));
      }
      progress.tick();
    }
  } finally {
    progress.done(`${files.length - failed} of ${files.length} files classified with ${model.name}`);
    await classifier.dispose();
  }
  return failed || emptyFolders.length ? 1 : 0;
}

/** "skipped CODE: FILE: why": the code a script can act on, and the file named once (the message names it already). */
export function skippedLine(file: string, error: unknown): string {
  const message = errorMessage(error);
  const code = isShotscaleError(error) ? `${error.code}: ` : '';
  return `skipped ${code}${message.startsWith(file) ? message : `${file}: ${message}`}`;
}
