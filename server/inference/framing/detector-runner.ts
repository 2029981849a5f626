/**
 * Runs the two detectors of the framing model on a whole batch: MoveNet
 * multipose on the frame as delivered (the pipeline's frame size IS MoveNet's
 * input, so no resampling) and BlazeFace on a 256x256 letterbox of the active
 * picture, made here in JS. One session.run per detector per batch.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ShotscaleError } from '../../errors.js';
import type { Logger } from '../../shared/logger.js';
import { decodeBlazeFace } from '../detectors/blazeface-decoder.js';
import { unletterboxPoint } from '../detectors/letterbox.js';
import { decodeMoveNet, type Person } from '../detectors/movenet-decoder.js';
import type { FrameInput } from '../model.js';
import { checkModelFile } from '../model-file-check.js';
import { openSession, ort, type SessionOptions } from '../onnx-session.js';
import { embeddingAt } from './backbone-embedding.js';
import { letterboxRegion, type Region } from './fast-letterbox.js';
import type { ActiveRect } from './image-cues.js';

/** A face in frame coordinates (0..1 of the delivered frame). */
export interface FrameFace {
  box: { xMin: number; yMin: number; xMax: number; yMax: number };
  score: number;
  /** right eye, left eye, nose tip, mouth, right ear, left ear. */
  points: { x: number; y: number }[];
}

export interface Detections {
  /** Keypoints and boxes in frame coordinates (0..1 of the delivered frame). */
  people: Person[];
  faces: FrameFace[];
}

/** What one batch run gives per frame: detections, plus the pose model's pooled backbone features (a generic scene embedding). */
export interface FrameDetections extends Detections {
  embedding: Float32Array;
}

interface DetectorManifest {
  file: string;
  /** Written by the converter (server/model-tools); checked before the file is opened. */
  sizeBytes?: number;
  sha256?: string;
  input: { name: string; shape: (number | string)[] };
  outputs: { name: string }[];
}

export function readDetectorManifest(manifestPath: string): { manifest: DetectorManifest; modelPath: string } {
  let manifest: DetectorManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as DetectorManifest;
  } catch (error) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `${manifestPath}: cannot read detector manifest`, { cause: error });
  }
  if (typeof manifest.file !== 'string' || !manifest.input?.name || !Array.isArray(manifest.outputs)) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `${manifestPath}: detector manifest needs file, input.name and outputs`);
  }
  const modelPath = path.resolve(path.dirname(manifestPath), manifest.file);
  checkModelFile(modelPath, manifestPath, {
    sizeBytes: typeof manifest.sizeBytes === 'number' ? manifest.sizeBytes : undefined,
    sha256: typeof manifest.sha256 === 'string' ? manifest.sha256 : undefined,
  });
  return { manifest, modelPath };
}

const FACE_SIZE = 256;
/** Raw face candidates kept down to this score; the rules decide what counts. */
const FACE_MIN_SCORE = 0.3;

export class DetectorRunner {
  private constructor(
    private readonly pose: ort.InferenceSession,
    private readonly face: ort.InferenceSession,
    private readonly poseManifest: DetectorManifest,
    private readonly faceManifest: DetectorManifest,
    readonly executionProvider: string,
    readonly width: number,
    readonly height: number,
  ) {}

  static async open(posePath: string, facePath: string, width: number, height: number, options: SessionOptions, log: Logger): Promise<DetectorRunner> {
    const pose = readDetectorManifest(posePath);
    const face = readDetectorManifest(facePath);
    const [ph, pw] = [pose.manifest.input.shape[1], pose.manifest.input.shape[2]];
    if (ph !== height || pw !== width) {
      throw new ShotscaleError('MODEL_MANIFEST_INVALID', `frame size ${width}x${height} must equal the pose model input ${String(pw)}x${String(ph)}`);
    }
    const poseSession = await openSession(pose.modelPath, options, log.child('movenet'));
    let faceSession: Awaited<ReturnType<typeof openSession>>;
    try {
      faceSession = await openSession(face.modelPath, options, log.child('blazeface'));
    } catch (error) {
      await poseSession.session.release();
      throw error;
    }
    return new DetectorRunner(poseSession.session, faceSession.session, pose.manifest, face.manifest, poseSession.executionProvider, width, height);
  }

  /**
   * Frames per session.run. On the CPU provider one frame at a time: batching
   * buys nothing there (MoveNet + BlazeFace, one thread: 20 ms a frame at
   * batch 1, 22 at 4, 28 at 16) and onnxruntime's memory arena grows to the
   * largest batch's activations and keeps them (resident memory 191 MB at
   * batch 1, 468 MB at 8, 784 MB at 16). A GPU takes the whole batch.
   */
  get runBatch(): number {
    return this.executionProvider === 'cpu' ? 1 : Infinity;
  }

  /** Input buffers, reused from run to run (run() has read them when it returns). */
  private poseIn = new Float32Array(0);
  private faceIn = new Float32Array(0);

  /** Detections per frame; `active` is each frame's picture area (faces are searched there). */
  async detect(frames: readonly FrameInput[], active: readonly ActiveRect[]): Promise<FrameDetections[]> {
    const out: FrameDetections[] = [];
    const step = Math.min(this.runBatch, frames.length);
    for (let s = 0; s < frames.length; s += step) out.push(...(await this.detectRun(frames.slice(s, s + step), active.slice(s, s + step))));
    return out;
  }

  private async detectRun(frames: readonly FrameInput[], active: readonly ActiveRect[]): Promise<FrameDetections[]> {
    const n = frames.length;
    if (!n) return [];
    const { width: W, height: H } = this;
    if (this.poseIn.length !== n * W * H * 3) this.poseIn = new Float32Array(n * W * H * 3);
    if (this.faceIn.length !== n * FACE_SIZE * FACE_SIZE * 3) this.faceIn = new Float32Array(n * FACE_SIZE * FACE_SIZE * 3);
    const { poseIn, faceIn } = this;
    frames.forEach((f, b) => {
      if (f.width !== W || f.height !== H || f.data.length !== W * H * 3) throw new RangeError(`frame ${b} is ${f.width}x${f.height}, expected ${W}x${H}`);
      poseIn.set(f.data, b * W * H * 3);
    });
    // Faces are searched in the active picture only: a pillarboxed 4:3 picture
    // then fills the square input at scale 1.0 instead of 0.8.
    const crops = frames.map((f, b) => {
      const crop = activeRegion(f, active[b]!);
      return { lb: letterboxRegion(f.data, W, crop, FACE_SIZE, faceIn, b * FACE_SIZE * FACE_SIZE * 3), crop };
    });
    // One after the other: onnxruntime-node runs a session synchronously on
    // the calling thread (its run() only defers with setImmediate), so running
    // them "side by side" gains nothing and hides that.
    const poseOut = await this.pose.run({ [this.poseManifest.input.name]: new ort.Tensor('float32', poseIn, [n, H, W, 3]) });
    const faceOut = await this.face.run({ [this.faceManifest.input.name]: new ort.Tensor('float32', faceIn, [n, FACE_SIZE, FACE_SIZE, 3]) });
    const t = (o: typeof poseOut, name: string): Float32Array => o[name]!.data as Float32Array;
    const heads = {
      center: t(poseOut, 'center'), keypointHeatmap: t(poseOut, 'keypoint_heatmap'), keypointRegress: t(poseOut, 'keypoint_regress'),
      keypointOffset: t(poseOut, 'keypoint_offset'), boxScale: t(poseOut, 'box_scale'), boxOffset: t(poseOut, 'box_offset'),
      gridHeight: H / 4, gridWidth: W / 4,
    };
    const parts: [Float32Array, Float32Array][] = [[t(faceOut, 'scores_16'), t(faceOut, 'boxes_16')], [t(faceOut, 'scores_8'), t(faceOut, 'boxes_8')]];
    return frames.map((_, b) => {
      const { lb, crop } = crops[b]!;
      // Crop-normalized -> frame-normalized.
      const toFrame = (x: number, y: number): { x: number; y: number } => {
        const p = unletterboxPoint(lb, x, y);
        return { x: (crop.x0 + p.x * crop.width) / W, y: (crop.y0 + p.y * crop.height) / H };
      };
      const faces = decodeBlazeFace(parts, b, n, { minScore: FACE_MIN_SCORE }).map((f) => {
        const lo = toFrame(f.box.xMin, f.box.yMin), hi = toFrame(f.box.xMax, f.box.yMax);
        return { box: { xMin: lo.x, yMin: lo.y, xMax: hi.x, yMax: hi.y }, score: f.score, points: f.points.map((p) => toFrame(p.x, p.y)) };
      });
      return { people: decodeMoveNet(heads, b), faces, embedding: embeddingAt(poseOut, b) };
    });
  }

  async dispose(): Promise<void> {
    await Promise.all([this.pose.release(), this.face.release()]);
  }
}

/** The active picture of a frame in pixels (at least 1x1). */
function activeRegion(frame: FrameInput, a: ActiveRect): Region {
  const x0 = Math.round(a.x0 * frame.width), x1 = Math.max(x0 + 1, Math.round(a.x1 * frame.width));
  const y0 = Math.round(a.y0 * frame.height), y1 = Math.max(y0 + 1, Math.round(a.y1 * frame.height));
  return { x0, y0, width: x1 - x0, height: y1 - y0 };
}
