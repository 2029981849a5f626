/**
 * `shotscale classify FILE|FOLDER... [--files-from LIST]`: one JSON line per
 * image, or per sampled video frame, on stdout; progress on stderr. Folders
 * give the images and videos under them (input-files.ts). A file that cannot
 * be read, or a folder with nothing to read, is reported and skipped; the
 * exit code is 1 if any was. A video that ends before its container says (a
 * copy cut short) is classified for what was decoded, with log's warning,
 * and the exit code is 3 (EXIT_TRUNCATED) if any did and none was skipped.
 * A frame of one flat colour has no scale (label null, noPicture), as on a
 * feed. An output closed early (`| head -1`) stops
 * the run: ffmpeg is killed and nothing more is classified.
 */
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { isImageFile, type DecodedFrame } from '../ingest/file-decoder.js';
import type { ScalePrediction, Subjects } from '../inference/model.js';
import type { Logger } from '../shared/logger.js';
import { noPictureIn } from '../analysis/picture-check.js';
import { describeNoPicture } from '../shared/shots.js';
import type { NoPicture } from '../shared/socket-events.js';
import { argmax, CANONICAL_SCALES } from '../shared/scale.js';
import { MAX_BATCH, parseCommandArgs, UsageError, wholeNumberOption } from './command-options.js';
import { notRegularFile, unreadableFile } from './input-file.js';
import { expandInputs, readFileList } from './input-files.js';
import { openOfflineClassifier, type OfflineClassifier } from './offline-classifier.js';
import { ProgressLine } from './progress-line.js';
import { outputFailure } from './standard-output.js';
import { EXIT_TRUNCATED, truncationWarning, videoEnd } from './truncated-file.js';
import { reportStopProgress } from './stop-signals.js';

export interface ClassifyLine {
  file: string;
  frame: number;
  timeS: number;
  /** Null for a frame with no picture (noPicture): it has no scale to read. */
  label: string | null;
  confidence: number | null;
  probabilities: Record<string, number> | null;
  /** A frame of one flat colour (black, white, plain), as a camera's frame reads "no picture" (picture-check.ts). */
  noPicture?: NoPicture;
  reason?: string;
  subjects?: Subjects;
}

function toLine(file: string, frame: DecodedFrame, size: { width: number; height: number }, { probabilities, reason, subjects }: ScalePrediction): ClassifyLine {
  const timing = { file, frame: frame.index, timeS: Math.round(frame.timeS * 1000) / 1000 };
  // Any classifier names a scale for a flat frame (black reads as a macro shot, white as sky): said as a feed says it.
  const noPicture = noPictureIn({ data: frame.data, ...size });
  if (noPicture) return { ...timing, label: null, confidence: null, probabilities: null, noPicture, reason: describeNoPicture(noPicture) };
  const best = argmax(probabilities);
  const line: ClassifyLine = {
    ...timing,
    label: CANONICAL_SCALES[best]!,
    confidence: Math.round(probabilities[best]! * 10000) / 10000,
    probabilities: Object.fromEntries(CANONICAL_SCALES.map((s, i) => [s, Math.round(probabilities[i]! * 10000) / 10000])),
  };
  if (reason) line.reason = reason;
  if (subjects) line.subjects = subjects;
  return line;
}

async function flush(classifier: OfflineClassifier, file: string, batch: readonly DecodedFrame[], out: LinesOut): Promise<void> {
  // Batches queued behind a closed output are dropped, not classified for nobody (minutes of a long video).
  if (!batch.length || out.closed) return;
  const predictions = await classifier.predict(batch);
  predictions.forEach((p, i) => out.write(toLine(file, batch[i]!, classifier.model.input, p)));
}

/**
 * The JSON lines on stdout, until its reader goes away. A reader that has
 * read enough (`classify DIR | head -1`) closes the pipe: the next write
 * fails with EPIPE, which Node raises as an unhandled 'error' event (a stack
 * trace, exit 1) unless it is listened for. Then the run stops quietly, as
 * `doctor | head -1` does; any other failure to write stops it with
 * OUTPUT_UNWRITABLE.
 */
class LinesOut {
  readonly stopped = new AbortController();
  failure: ShotscaleError | null = null;
  private readonly onError = (error: NodeJS.ErrnoException): void => {
    this.failure ??= outputFailure(error);
    this.stopped.abort();
  };

  constructor() {
    process.stdout.on('error', this.onError);
    // `2>&1 | head -1`: the progress lines meet the closed pipe first.
    process.stderr.on('error', this.onError);
  }

  get closed(): boolean {
    return this.stopped.signal.aborted;
  }

  /** Lines written so far: what a run stopped part way through a file has given of it. */
  lines = 0;

  write(line: ClassifyLine): void {
    if (this.closed) return;
    process.stdout.write(JSON.stringify(line) + '\n');
    this.lines += 1;
  }

  /** The listener stays: a write already under way may still fail after the last line. */
  close(): void {
    this.stopped.abort();
  }
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
  const batchSize = wholeNumberOption('batch', values.batch, 1, MAX_BATCH);
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
  const out = new LinesOut();
  let failed = 0;
  let truncated = 0;
  let read = 0;
  // Ctrl-C says how far it got, as a closed output does (main.ts's stop-signals.ts; the lines so far are out).
  reportStopProgress(() => `after ${read} of ${files.length} files (${out.lines} line${out.lines === 1 ? '' : 's'} written)`);
  try {
    for (const file of files) {
      if (out.closed) break;
      progress.update(file);
      const pending: DecodedFrame[] = [];
      let chain = Promise.resolve();
      let queued = 0;
      let frames = 0;
      let lastError: string | null = null;
      try {
        // Before ffmpeg: it waits for ever on a pipe without a writer, and calls a pipe with one "invalid data";
        // a file it may not open, or an empty one, it calls one with no video stream.
        const problem = notRegularFile(file) ?? unreadableFile(file);
        if (problem) throw new ShotscaleError('INPUT_UNREADABLE', `${file}: ${problem}`);
        // Inference runs while ffmpeg keeps decoding; batches stay in order, each of --batch frames at most.
        // Past two batches waiting, ffmpeg waits (as log's does): a long video at a high --fps outran the
        // model, every decoded frame was held, and a batch of them all ran out of memory.
        await classifier.decode(
          file,
          fps,
          (frame) => {
            frames += 1;
            pending.push(frame);
            if (pending.length < batchSize) return;
            const batch = pending.splice(0);
            queued += 1;
            chain = chain.then(() => flush(classifier, file, batch, out)).finally(() => void (queued -= 1));
          },
          { signal: out.stopped.signal, backlog: () => (queued >= 2 ? chain : null), ended: (line) => void (lastError = line) },
        );
        await chain;
        await flush(classifier, file, pending, out);
        if (!out.closed) read += 1;
        if (!out.closed && (await endedEarly(classifier, file, { frames, fps, lastError }, progress))) truncated += 1;
      } catch (error) {
        // The output closed while ffmpeg decoded: it was stopped, the file is not at fault.
        if (out.closed) {
          await chain.catch(() => undefined);
          break;
        }
        failed += 1;
        progress.note(skippedLine(file, error));
      }
      progress.tick();
    }
  } finally {
    const closed = out.closed && !out.failure;
    out.close();
    const cutShort = truncated ? `; ${truncated} ended early (truncated)` : '';
    progress.done(closed ? `stopped after ${read} of ${files.length} files: the output was closed` : `${files.length - failed} of ${files.length} files classified with ${model.name}${cutShort}`);
    await classifier.dispose();
  }
  if (out.failure) throw out.failure;
  // A file skipped is the graver fault: its 1 stands over a file cut short's 3.
  if (failed || emptyFolders.length) return 1;
  return truncated ? EXIT_TRUNCATED : 0;
}

/**
 * Whether a video ended before its container says it does (a copy cut
 * short), told as log tells it (truncated-file.ts) and said in log's words.
 * Its frames were sampled at `fps`, so the length decoded is known to one
 * interval. A container that cannot be read again is taken as whole: the
 * file's lines are out already.
 */
async function endedEarly(
  classifier: OfflineClassifier,
  file: string,
  decoded: { frames: number; fps: number; lastError: string | null },
  progress: ProgressLine,
): Promise<boolean> {
  if (isImageFile(file)) return false;
  const fileDurationS = await classifier.fileDurationS(file).catch(() => null);
  const extent = { fileDurationS, decodedS: decoded.frames / decoded.fps, lastError: decoded.lastError, resolutionS: 1 / decoded.fps };
  if (fileDurationS === null || videoEnd(extent) !== 'truncated') return false;
  progress.note(truncationWarning(file, { ...extent, fileDurationS }, `its lines cover the ${extent.decodedS.toFixed(1)} s decoded`).trimEnd());
  return true;
}

/** "skipped CODE: FILE: why": the code a script can act on, and the file named once (the message names it already). */
export function skippedLine(file: string, error: unknown): string {
  const message = errorMessage(error);
  const code = isShotscaleError(error) ? `${error.code}: ` : '';
  return `skipped ${code}${message.startsWith(file) ? message : `${file}: ${message}`}`;
}
