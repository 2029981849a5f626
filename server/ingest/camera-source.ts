/**
 * What the camera manager needs of a camera's source, whatever feeds it: an
 * ffmpeg child (CameraSupervisor) or a WebRTC publisher (WebRtcCamera).
 */
import type { CameraConfig, Config } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import type { Frame } from '../shared/frame.js';
import type { Logger } from '../shared/logger.js';
import type { CameraStatus } from '../shared/socket-events.js';
import type { CutOutputSpec, OutputSpec } from './ffmpeg-args.js';

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

/** What every source is given: where its frames go and how it reports. */
export interface CameraSourceDeps<Self> {
  /** The analysis frames' size and resize mode (the camera's first model's input). */
  output: Omit<OutputSpec, 'fps'>;
  settings: Config['supervisor'];
  clock: Clock;
  log: Logger;
  onFrame: (frame: Frame) => void;
  onStateChange: (source: Self) => void;
  /** Tiny grey frames for cut detection at this rate; null: none. */
  cuts: CutOutputSpec | null;
  onCutFrame: (session: number, index: number, data: Uint8Array, completedAt: number) => void;
  /** A session of the source is over: 'end' at the end of a file, else 'restart'. */
  onSessionEnd: (session: number, reason: 'end' | 'restart') => void;
}
