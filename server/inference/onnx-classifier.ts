/**
 * A manifest-driven ONNX image classifier: any model exported from PyTorch,
 * Keras or elsewhere that maps one image to scores over its own labels. Its
 * labels are mapped onto the canonical classes through the manifest.
 */
import type { Logger } from '../shared/logger.js';
import { ShotscaleError } from '../errors.js';
import { argmax } from '../shared/scale.js';
import type { ClassifierManifest } from './model-manifest.js';
import { canonicalMatrix } from './model-manifest.js';
import type { FrameInput, ScalePrediction, ShotScaleModel } from './model.js';
import { openSession, ort, staticDim, type SessionOptions } from './onnx-session.js';
import { channelTables, packBatch, softmax, type PackSpec } from './preprocess.js';

interface TensorMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/** Checks the session's inputs and outputs against the manifest: names, dtype, static dims. */
export function checkSignature(manifest: ClassifierManifest, inputs: readonly TensorMeta[], outputs: readonly TensorMeta[], modelPath: string): void {
  const problems: string[] = [];
  const input = inputs.find((i) => i.name === manifest.input.name);
  if (!input) problems.push(`input "${manifest.input.name}" not in model (it has ${inputs.map((i) => `"${i.name}"`).join(', ')})`);
  else {
    if (input.type && input.type !== manifest.input.dtype) problems.push(`input dtype is ${input.type}, manifest says ${manifest.input.dtype}`);
    const expected = manifest.input.layout === 'NCHW' ? [null, 3, manifest.input.height, manifest.input.width] : [null, manifest.input.height, manifest.input.width, 3];
    const shape = input.shape ?? [];
    if (shape.length && shape.length !== 4) problems.push(`input has rank ${shape.length}, expected 4 (${manifest.input.layout})`);
    expected.forEach((want, axis) => {
      const got = staticDim(shape[axis]);
      if (want !== null && got !== null && got !== want) problems.push(`input axis ${axis} is ${got}, manifest implies ${want} (${manifest.input.layout} ${manifest.input.width}x${manifest.input.height})`);
    });
    if (staticDim(shape[0]) !== null && staticDim(shape[0]) !== 1) problems.push(`input batch axis is fixed at ${String(shape[0])}`);
  }
  const output = outputs.find((o) => o.name === manifest.output.name);
  if (!output) problems.push(`output "${manifest.output.name}" not in model (it has ${outputs.map((o) => `"${o.name}"`).join(', ')})`);
  else {
    const classes = staticDim(output.shape?.at(-1));
    if (classes !== null && classes !== manifest.labels.length) problems.push(`output has ${classes} classes, manifest lists ${manifest.labels.length} labels`);
  }
  if (problems.length) {
    throw new ShotscaleError('MODEL_MISMATCH', `${modelPath} does not match its manifest "${manifest.name}":\n  ${problems.join('\n  ')}`);
  }
}

export class OnnxClassifier implements ShotScaleModel {
  readonly input: ShotScaleModel['input'];
  private readonly packSpec: PackSpec;
  private readonly tables: Float32Array[];
  private readonly matrix: Float64Array[];

  private constructor(
    private readonly manifest: ClassifierManifest,
    private readonly session: ort.InferenceSession,
    readonly executionProvider: string,
  ) {
    const i = manifest.input;
    this.input = { width: i.width, height: i.height, resize: i.resize };
    this.packSpec = { layout: i.layout, dtype: i.dtype, colorOrder: i.colorOrder, width: i.width, height: i.height, scale: i.scale, mean: i.mean, std: i.std };
    this.tables = channelTables(this.packSpec);
    this.matrix = canonicalMatrix(manifest.labels, manifest.canonicalMapping);
  }

  get name(): string {
    return this.manifest.name;
  }

  static async load(manifest: ClassifierManifest, modelPath: string, options: SessionOptions, log: Logger): Promise<OnnxClassifier> {
    const opened = await openSession(modelPath, options, log);
    const session = opened.session as ort.InferenceSession & { inputMetadata?: TensorMeta[]; outputMetadata?: TensorMeta[] };
    try {
      checkSignature(manifest, session.inputMetadata ?? session.inputNames.map((name) => ({ name, isTensor: true })), session.outputMetadata ?? session.outputNames.map((name) => ({ name, isTensor: true })), modelPath);
    } catch (error) {
      await session.release();
      throw error;
    }
    const model = new OnnxClassifier(manifest, session, opened.executionProvider);
    // Warm-up: the first run allocates and plans; do it before a camera waits on it.
    const blank = { width: manifest.input.width, height: manifest.input.height, data: new Uint8Array(manifest.input.width * manifest.input.height * 3) };
    await model.predict([blank]);
    await model.predict([blank, blank]);
    return model;
  }

  async predict(frames: readonly FrameInput[]): Promise<ScalePrediction[]> {
    if (!frames.length) return [];
    const { input, output, labels } = this.manifest;
    const data = packBatch(frames, this.packSpec, this.tables);
    const dims = input.layout === 'NCHW' ? [frames.length, 3, input.height, input.width] : [frames.length, input.height, input.width, 3];
    const tensor = new ort.Tensor(input.dtype, data, dims);
    const results = await this.session.run({ [input.name]: tensor }, [output.name]);
    const scores = results[output.name]!.data as Float32Array;
    const n = labels.length;
    if (scores.length !== frames.length * n) {
      throw new ShotscaleError('MODEL_MISMATCH', `${this.name}: output has ${scores.length} values for ${frames.length} frames x ${n} labels`);
    }
    return frames.map((_, b) => {
      const labelProbs = this.activate(scores, b * n, n);
      const probabilities = new Array<number>(8).fill(0);
      for (let l = 0; l < n; l++) {
        const row = this.matrix[l]!;
        for (let c = 0; c < 8; c++) probabilities[c]! += labelProbs[l]! * row[c]!;
      }
      const labelProbabilities = Object.fromEntries(labels.map((label, l) => [label, labelProbs[l]!]));
      return { probabilities, labelProbabilities, reason: `${this.name}: ${labels[argmax(Array.from(labelProbs))]}` };
    });
  }

  private activate(scores: Float32Array, offset: number, n: number): Float64Array {
    const kind = this.manifest.output.activation;
    if (kind === 'softmax') return softmax(scores, offset, n);
    const out = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      out[i] = kind === 'sigmoid' ? 1 / (1 + Math.exp(-scores[offset + i]!)) : Math.max(0, scores[offset + i]!);
      sum += out[i]!;
    }
    for (let i = 0; i < n; i++) out[i] = sum > 0 ? out[i]! / sum : 1 / n;
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
