/**
 * A file camera's file, checked before ffmpeg is asked to read it. A missing
 * file is nearly always a typo or a drive not mounted: said plainly when the
 * camera is added or its source changed (CAMERA_INVALID, naming the path),
 * and, should it go away later, the camera is failed with that reason and
 * looks for the file again now and then (a copy still on its way, a drive
 * mounted late: see CameraSupervisor) without spawning an ffmpeg each time.
 */
import { existsSync } from 'node:fs';
import type { CameraConfig, SourceConfig } from '../config/schema.js';
import { ShotscaleError } from '../errors.js';

/** Whether the source is a file that does not exist (now). */
export function sourceFileMissing(source: SourceConfig): boolean {
  return source.kind === 'file' && !existsSync(source.path);
}

/** Refuses a file camera whose file does not exist (the path resolved against the config's folder). */
export function checkSourceFile(camera: CameraConfig): void {
  if (camera.source.kind !== 'file' || !sourceFileMissing(camera.source)) return;
  throw new ShotscaleError('CAMERA_INVALID', `camera "${camera.id}": source.path: ${camera.source.path}: no such file`, {
    hint: 'a file camera reads a file on the server; a relative path is relative to the config file',
  });
}
