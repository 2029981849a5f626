/**
 * The configured model and ffmpeg, ready to classify files offline: what
 * `classify` and `eval` share. Decoding goes through the same ffmpeg argument
 * builder as the live cameras, so a file scores as it would on a feed. Each
 * frame is looked at both ways, the mean of the two views: what a feed's
 * smoothing settles on for a still picture (mirror-view.ts).
 */
import { configuredFfmpeg } from '../ingest/ffmpeg-binary.js';
import { decodeFile, type DecodedFrame, type DecodeFlow } from '../ingest/file-decoder.js';
import { probeMedia } from '../ingest/media-probe.js';
import { runModels } from '../inference/inference-runner.js';
import { ModelSet } from '../inference/model-set.js';
import type { ScalePrediction, ShotScaleModel } from '../inference/model.js';
import { systemClock } from '../shared/clock.js';
import { withoutInfo, type Logger } from '../shared/logger.js';
import { configFromArgs } from './config-args.js';

export interface OfflineClassifier {
  readonly model: ShotScaleModel;
  /** Both: each frame is read as the mean of it and its mirror (model.mirrorViews). */
  readonly views: 'as-is' | 'both';
  /** Frames at the model's input size: one for an image, `fps` a second for a video; `flow` stops it or holds it back (file-decoder.ts). */
  decode(file: string, fps: number, onFrame: (frame: DecodedFrame) => void, flow?: DecodeFlow): Promise<number>;
  predict(frames: readonly DecodedFrame[]): Promise<ScalePrediction[]>;
  /** A video's length as its container gives it (null where it gives none), to tell a file cut short (truncated-file.ts). */
  fileDurationS(file: string): Promise<number | null>;
  dispose(): Promise<void>;
}

export async function openOfflineClassifier(values: { config?: string | undefined }, log: Logger): Promise<OfflineClassifier> {
  const loaded = configFromArgs(values);
  // The model's load line is for the server's log; offline it would only
  // interleave with the progress bar and the results.
  const quiet = withoutInfo(log);
  // The default model with the config's calibration head, as a camera without its own settings gets.
  const models = await ModelSet.load(loaded, quiet);
  const model = models.default;
  const profile = models.defaultProfile();
  const ffmpeg = configuredFfmpeg(loaded);
  const ctx = { ffmpeg, logLevel: 'error', platform: process.platform };
  const views = loaded.config.model.mirrorViews ? 'both' : 'as-is';
  return {
    model,
    views,
    decode: (file, fps, onFrame, flow) => decodeFile(ffmpeg.path, file, { ...model.input, fps }, ctx, systemClock, onFrame, flow),
    predict: (frames) =>
      runModels(
        frames.map((f) => ({ cameraId: 'offline', seq: f.index, session: 1, timeS: f.timeS, captureTime: 0, width: model.input.width, height: model.input.height, data: f.data })),
        () => profile,
        views,
      ),
    fileDurationS: async (file) => (await probeMedia(ffmpeg.path, file, { fieldOrder: false })).durationS,
    dispose: () => models.dispose(),
  };
}
