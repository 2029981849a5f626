/**
 * What `classify` reads: its arguments and the lines of --files-from, with
 * each folder replaced by the images and videos under it. Long lists belong
 * in a file or a folder, not on the command line: a command line is capped by
 * the OS (about 2 MB on Linux), and onnxruntime's telemetry, when on, once
 * crashed on one of 14 KB (see worker-model.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ShotscaleError, errorMessage } from '../errors.js';
import { isImageFile, isVideoFile } from '../ingest/file-decoder.js';

/** Pictures, and the containers ffmpeg reads that cameras and editors write; anything else in a folder is skipped. */
export function isMediaFile(file: string): boolean {
  return isImageFile(file) || isVideoFile(file);
}

/** One path per line ("-": stdin); blank lines are skipped and a CRLF file's CR dropped, nothing else is trimmed. */
export async function readFileList(source: string): Promise<string[]> {
  let text: string;
  try {
    if (source === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      text = readFileSync(source, 'utf8');
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ShotscaleError('INPUT_UNREADABLE', `--files-from ${source}: no such file`, { hint: 'name a file with one path per line, or - for stdin' });
    if (code === 'EISDIR') throw new ShotscaleError('INPUT_UNREADABLE', `--files-from ${source}: a folder, not a list of files`, { hint: 'give the folder itself as an argument: it stands for the images and videos under it' });
    throw new ShotscaleError('INPUT_UNREADABLE', `--files-from ${source}: ${errorMessage(error)}`);
  }
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
}

/**
 * Images and videos anywhere under `dir`, sorted by path in code-point order
 * (as `find DIR | LC_ALL=C sort`). Hidden entries are skipped; a symbolic
 * link is followed to a file but not into a folder, so a link loop cannot
 * trap the walk.
 */
export function mediaUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      throw new ShotscaleError('INPUT_UNREADABLE', `cannot list ${folder}: ${errorMessage(error)}`);
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if ((entry.isFile() || (entry.isSymbolicLink() && isFileBehindLink(full))) && isMediaFile(entry.name)) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

function isFileBehindLink(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false; // a dangling link
  }
}

/** Files in the order given, each folder expanded in place; folders with nothing to read are listed apart. */
export function expandInputs(entries: readonly string[]): { files: string[]; emptyFolders: string[] } {
  const files: string[] = [];
  const emptyFolders: string[] = [];
  for (const entry of entries) {
    let isFolder = false;
    try {
      isFolder = statSync(entry).isDirectory();
    } catch {
      // Not there or not readable: classify reports it as it reports any unreadable file.
    }
    if (!isFolder) {
      files.push(entry);
      continue;
    }
    const media = mediaUnder(entry);
    if (media.length) files.push(...media);
    else emptyFolders.push(entry);
  }
  return { files, emptyFolders };
}
