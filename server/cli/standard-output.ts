/**
 * A command's results on standard output, and what a failed write of them
 * means. A reader that has read enough (`classify DIR | head -1`) closes the
 * pipe: the write fails with EPIPE, and the command stops quietly, as
 * `doctor | head -1` does. Any other failure (`> /dev/full`: ENOSPC; a disk
 * gone) lost the results, and is said with OUTPUT_UNWRITABLE. Node raises a
 * failed write as an 'error' event, which unheard is a stack trace, and only
 * after the write returns: a command that exits straight after its write
 * (process.exit in main.ts) never hears of it, and exited 0.
 */
import { errorMessage, ShotscaleError } from '../errors.js';

/** The error a failed write of standard output or error is said with; null for a reader gone (EPIPE). */
export function outputFailure(error: NodeJS.ErrnoException): ShotscaleError | null {
  return error.code === 'EPIPE' ? null : new ShotscaleError('OUTPUT_UNWRITABLE', `standard output or error: ${errorMessage(error)}`);
}

/** Writes `text` to standard output and waits until it is written, or throws its outputFailure. */
export async function writeStandardOutput(text: string): Promise<void> {
  // The write's callback hears the failure; the listener only keeps the 'error' event that follows from being unheard.
  if (!process.stdout.listeners('error').includes(heardElsewhere)) process.stdout.on('error', heardElsewhere);
  const error = await new Promise<Error | null | undefined>((resolve) => process.stdout.write(text, resolve));
  const failure = error ? outputFailure(error) : null;
  if (failure) throw failure;
}

function heardElsewhere(): void {}
