/**
 * Classifies the labelled images in batches and scores each prediction in the
 * chosen taxonomy. Decoding and the model come in as an adapter, so this loop
 * runs the same under the CLI (ffmpeg + onnxruntime) and in unit tests.
 *
 * Batches overlap: while the model runs on batch k, the images of batch k+1
 * are decoded (one ffmpeg child per image, all of a batch at once), because
 * spawning ffmpeg per image costs as much as the inference itself.
 */
import type { ScalePrediction } from '../inference/model.js';
import type { ImageResult, UnreadableImage } from './eval-report.js';
import { predictClass, type Taxonomy } from './taxonomies.js';

export interface EvalItem {
  /** As written in the labels file (what reports show). */
  file: string;
  /** Where to read it. */
  path: string;
  /** Class index in the taxonomy. */
  truth: number;
}

export interface ImageSource<F> {
  /** One frame of the image at the model's input size; throws if unreadable. */
  decode(path: string): Promise<F>;
  predict(frames: readonly F[]): Promise<ScalePrediction[]>;
}

export interface EvalProgress {
  batchStarted?(firstFile: string): void;
  imageDone?(): void;
  unreadable?(file: string, error: string): void;
}

export interface EvalOutcome {
  results: ImageResult[];
  unreadable: UnreadableImage[];
  inferenceMs: number;
}

export async function evaluateImages<F>(
  items: readonly EvalItem[],
  taxonomy: Taxonomy,
  source: ImageSource<F>,
  options: { batchSize: number; progress?: EvalProgress; now?: () => number },
): Promise<EvalOutcome> {
  const { batchSize, progress = {}, now = () => performance.now() } = options;
  const results: ImageResult[] = [];
  const unreadable: (UnreadableImage & { order: number })[] = [];
  let inferenceMs = 0;

  const predictBatch = async (batch: { item: EvalItem; frame: F }[]) => {
    if (!batch.length) return;
    const started = now();
    const predictions = await source.predict(batch.map((b) => b.frame));
    inferenceMs += now() - started;
    batch.forEach(({ item }, i) => {
      const prediction = predictions[i]!;
      const { index, confidence } = predictClass(taxonomy, prediction.probabilities);
      const result: ImageResult = { file: item.file, truth: item.truth, predicted: index, confidence, probabilities: prediction.probabilities };
      if (prediction.reason) result.reason = prediction.reason;
      if (prediction.analysis) result.analysis = prediction.analysis;
      results.push(result);
      progress.imageDone?.();
    });
  };

  let predicting: Promise<void> = Promise.resolve();
  for (let start = 0; start < items.length; start += batchSize) {
    const chunk = items.slice(start, start + batchSize);
    progress.batchStarted?.(chunk[0]!.file);
    const decoded = await Promise.all(
      chunk.map(async (item, i) => {
        try {
          return { item, frame: await source.decode(item.path) };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          unreadable.push({ file: item.file, error: message, order: start + i });
          progress.unreadable?.(item.file, message);
          progress.imageDone?.();
          return null;
        }
      }),
    );
    // Batches are predicted one after another, so results keep the file order.
    await predicting;
    const next = predictBatch(decoded.filter((d) => d !== null));
    // Handled here so a model failure during the next decode is not an
    // unhandled rejection; it still surfaces at the next `await predicting`.
    next.catch(() => undefined);
    predicting = next;
  }
  await predicting;
  unreadable.sort((a, b) => a.order - b.order);
  return { results, unreadable: unreadable.map(({ file, error }) => ({ file, error })), inferenceMs };
}
