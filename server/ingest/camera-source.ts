/**
 * What the camera manager needs of a camera's source, whatever feeds it: an
 * ffmpeg child (CameraSupervisor) or a WebRTC publisher (WebRtcCamera).
 */
import type { CameraConfig } from '../config/schema.js';
import type { CameraStatus } from '../shared/socket-events.js';

export interface CameraSource {
  readonly camera: CameraConfig;
  /** The ffmpeg child's pid, when the source has one running. */
  readonly pid?: number | undefined;
  start(): void;
  /** Stops for good (removed, changed, disabled, server stopping). */
  stop(): Promise<void>;
  status(): CameraStatus;
  /** Frames the scheduler dropped, for the status counters. */
  countDropped(n: number): void;
}
