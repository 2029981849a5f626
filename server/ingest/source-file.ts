/**
 * A file camera's file, checked before ffmpeg is asked to read it. A missing
 * file is nearly always a typo or a drive not mounted: said plainly when the
 * camera is added or its source changed (CAMERA_INVALID, naming the path),
 * and, should it go away later, the camera is failed with that reason and
 * looks for the file again now and then (a copy still on its way, a drive
 * mounted late: see CameraSupervisor) without spawning an ffmpeg each time.
 */
import { statSync } from 'node:fs';
import type { CameraConfig, SourceConfig } from '../config/schema.js';
import { ShotscaleError } from '../errors.js';

/**
 * Why a file camera's path is nothing ffmpeg can read (now): "no such
 * file", "a folder, not a file" (ffmpeg fails on it at once, and would be
 * restarted for ever), or "cannot be read (...)"; null where it is a file,
 * or the source no file.
 * A pipe or a device is left to ffmpeg: a named pipe is a way to feed it.
 */
export function sourceFileProblem(source: SourceConfig): string | null {
  if (source.kind !== 'file') return null;
  let stats;
  try {
    stats = statSync(source.path, { throwIfNoEntry: false });
  } catch (error) {
    // A path through a file (clip.mp4/x) is no file either; a folder on the way this user may not search is said as such.
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOTDIR' ? 'no such file' : `cannot be read (${code === 'EACCES' ? 'permission denied' : (code ?? 'unknown error')})`;
  }
  if (!stats) return 'no such file';
  return stats.isDirectory() ? 'a folder, not a file' : null;
}

/** Refuses a file camera whose file does not exist or is a folder (the path resolved against the config's folder). */
export function checkSourceFile(camera: CameraConfig): void {
  const problem = sourceFileProblem(camera.source);
  if (camera.source.kind !== 'file' || !problem) return;
  throw new ShotscaleError('CAMERA_INVALID', `camera "${camera.id}": source.path: ${camera.source.path}: ${problem}`, {
    hint: 'a file camera reads a file on the server; a relative path is relative to the config file',
  });
}
