/**
 * A production teaches the classifier its convention, live. An operator who
 * disagrees with a camera's label corrects it: the camera's last analysed
 * frame (features, the rules' probabilities, a JPEG) becomes a sample in the
 * shot log database. A fit (on a thread of its own) trains a head on those
 * samples together with the base knowledge of the configured head, and stores
 * it as a new version; applying a version (to every camera or one) takes
 * effect on the next batch, and applying an older one, or the configured
 * head, rolls back. What is applied survives a restart.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ShotscaleError, errorMessage, isShotscaleError, type ErrorCode } from '../errors.js';
import { fitBlockedBy } from '../shared/calibration-fit.js';
import { findTaxonomy, normaliseLabel } from '../evaluation/taxonomies.js';
import { bundledWorkerEntry } from '../inference/worker/worker-bundle.js';
import type { Clock } from '../shared/clock.js';
import type { Frame } from '../shared/frame.js';
import type { Logger } from '../shared/logger.js';
import type { CameraState } from '../shared/socket-events.js';
import { encodeThumbnail } from '../shots/thumbnail.js';
import { hasCaptureTime, type CalibrationRecords, type HeadSummary, type SampleForFit, type SampleSummary } from '../store/calibration-store.js';
import type { ShotStore, StoredShot } from '../store/shot-store.js';
import { baseKnowledgePath } from './base-knowledge.js';
import { parseHead, saveHeadObject, type FramingHead } from './framing-head.js';
import type { FitJob, FitReply } from './fit-worker.js';
import { LabelQueue, type QueueItem } from './label-queue.js';
import type { ProductionSetReport } from './production-fit.js';

export type { QueueItem };

/** A correction's sample; `relabelled`: where the frame was labelled before, its sample (the same id, relabelled in place) and the label it had. */
export type CorrectionSummary = SampleSummary & { relabelled?: { sample: number; taxonomy: string; label: string } };

const FIT_WORKER = fileURLToPath(new URL('./fit-worker.ts', import.meta.url));
const FIT_WORKER_FALLBACK = new URL('./fit-worker-entry.mjs', import.meta.url);
/** The scope of a head applied to every camera without one of its own. */
export const EVERY_CAMERA = '*';
/**
 * A fit thread still working after this long is stopped and the fit fails
 * (CALIBRATION_FIT_TIMEOUT): fits take seconds to a minute or two, and a
 * thread that hangs would otherwise hold "fitting", and block every fit
 * after it, until the server restarts.
 */
export const FIT_TIME_LIMIT_MS = 10 * 60_000;
/** Another node's fit blocks a new one for at most this long: its own limit, and a minute for a node that died mid-fit and never said so. */
const FIT_ELSEWHERE_TIMEOUT_MS = FIT_TIME_LIMIT_MS + 60_000;

interface Observed {
  frame: Pick<Frame, 'width' | 'height' | 'data' | 'captureTime'>;
  features: Float32Array;
  rules: readonly number[];
  shown: string;
}

export interface FitState {
  state: 'idle' | 'fitting' | 'done' | 'failed';
  startedAt: number | null;
  finishedAt: number | null;
  /** The head version the last fit made. */
  headId: number | null;
  error: string | null;
  /** A failed fit's error code (INTERNAL where the error had none). */
  code?: ErrorCode;
  /** In a cluster: the node that ran it. */
  node?: string;
}

/** What other nodes of a cluster are told, so that one production has one calibration. */
export interface CalibrationAnnouncer {
  /** Which head a scope uses changed (the store says what). */
  applied(): void;
  fit(state: FitState): void;
}

export interface LiveCalibrationDeps {
  /** This node's SQLite file, or the cluster's PostgreSQL. */
  store: CalibrationRecords;
  /** The default model's feature names (null: it has no framing features, nothing to calibrate). */
  featureNames: readonly string[] | null;
  modelName: string;
  /** The configured default head and its file (base knowledge beside it), or null. */
  configured: { head: FramingHead; file: string } | null;
  clock: Clock;
  log: Logger;
  /** In a cluster: this node's id, the other nodes told of changes, and this node's range of label-these ids. */
  cluster?: { nodeId: string; announce: CalibrationAnnouncer; queueIdBase: number };
  /** How long a fit thread may work (default FIT_TIME_LIMIT_MS). */
  fitTimeLimitMs?: number;
}

/**
 * Analysed frames kept per camera, so that a correction labels the frame the
 * operator saw (the preview's capture time) rather than whichever came after
 * the click: 2 s at 5 analysed frames a second. References, no copies.
 */
const HISTORY = 10;
/**
 * A correction's picture (the preview's capture time) farther than this from
 * every kept frame is no longer held: a dashboard whose preview froze (its
 * connection lagged or dropped) would otherwise label whatever the camera
 * showed 2 s ago, maybe after a cut, with the label meant for another
 * picture. A preview is of an analysed frame, so the one seen normally
 * matches to the millisecond; a second is generous.
 */
const SEEN_WITHIN_MS = 1000;
/**
 * A camera whose latest analysed frame is older than this is not live (it
 * stopped, was disabled or stalled): a correction that names no picture is
 * refused rather than put on a frame from before it stopped (one 29 s old
 * was labelled). 5 s is the supervisor's default stall time; a camera
 * analysed slower than a frame every 1.7 s gets three of its own intervals.
 */
const NOT_LIVE_AFTER_MS = 5000;

/** How old a camera's latest analysed frame may be while it is live, from the gaps between its kept frames. */
function notLiveAfterMs(history: readonly Observed[]): number {
  const gaps = history.slice(1).map((o, i) => o.frame.captureTime - history[i]!.frame.captureTime).sort((a, b) => a - b);
  const typical = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : 0;
  return Math.max(NOT_LIVE_AFTER_MS, 3 * typical);
}

export class LiveCalibration {
  private readonly observed = new Map<string, Observed[]>();
  private readonly labelQueue: LabelQueue<Observed>;
  private readonly heads = new Map<number, FramingHead>();
  private readonly applied = new Map<string, number | null>();
  private fit: FitState = { state: 'idle', startedAt: null, finishedAt: null, headId: null, error: null };
  /** The latest fit another node of the cluster reported. */
  private fitElsewhere: FitState | null = null;
  /** Bumped by every apply here, so that a reload read before it does not undo it. */
  private appliedGeneration = 0;
  /** Scopes whose head could not be used, said once. */
  private readonly unusable = new Set<string>();

  private constructor(private readonly deps: LiveCalibrationDeps) {
    this.labelQueue = new LabelQueue(deps.clock, deps.cluster?.queueIdBase ?? 0);
  }

  /** With what is applied where read from the store (and those heads loaded): headFor() is synchronous, on the inference path. */
  static async open(deps: LiveCalibrationDeps): Promise<LiveCalibration> {
    const calibration = new LiveCalibration(deps);
    await calibration.reloadApplied();
    return calibration;
  }

  /**
   * Reads which head each scope uses (in a cluster, another node may have
   * applied one) and loads the heads that are new. A head that cannot be
   * used leaves its scope on the configured head, said once.
   */
  async reloadApplied(): Promise<void> {
    const generation = this.appliedGeneration;
    const rows = await this.deps.store.applied();
    const next = new Map<string, number | null>();
    for (const row of rows) {
      try {
        if (row.headId !== null) await this.loadVersion(row.headId);
        next.set(row.scope, row.headId);
        this.unusable.delete(row.scope);
      } catch (error) {
        if (!this.unusable.has(row.scope)) this.deps.log.warn(`calibration head ${row.headId} applied to ${row.scope} cannot be used (${errorMessage(error)}); that scope uses the configured head`);
        this.unusable.add(row.scope);
      }
    }
    if (generation !== this.appliedGeneration) return;
    const changed = next.size !== this.applied.size || [...next].some(([scope, id]) => this.applied.get(scope) !== id || !this.applied.has(scope));
    if (!changed) return;
    this.applied.clear();
    for (const [scope, id] of next) this.applied.set(scope, id);
    this.deps.log.info(`calibration: heads in use ${JSON.stringify(Object.fromEntries(next))}`);
  }

  /** Another node of the cluster started or finished a fit. */
  fitReported(state: FitState): void {
    this.fitElsewhere = state;
  }

  /**
   * Every analysed frame of a camera; the last one is what a correction
   * labels. Keeps a reference, copies nothing. `probabilities` (after the
   * head) and the rules' say how worth a label the frame is.
   */
  observe(cameraId: string, frame: Observed['frame'], analysis: { features: Float32Array; rules: readonly number[] } | undefined, shown: string, probabilities?: readonly number[]): void {
    if (!analysis) return;
    const seen = { frame, features: analysis.features, rules: analysis.rules, shown };
    const history = this.observed.get(cameraId) ?? [];
    if (history.push(seen) > HISTORY) history.shift();
    this.observed.set(cameraId, history);
    if (probabilities) this.labelQueue.consider(cameraId, seen, probabilities);
  }

  forget(cameraId: string): void {
    this.observed.delete(cameraId);
    this.labelQueue.forget(cameraId);
  }

  /** "Label these": the frames most worth a label, across cameras and classes. */
  queue(limit?: number): QueueItem[] {
    return this.labelQueue.list(limit);
  }

  queueImage(id: number): Uint8Array {
    return encodeThumbnail(this.labelQueue.get(id).frame);
  }

  /** The operator labels a queued frame: a sample, and the frame leaves the queue. */
  async labelQueued(id: number, label: string, taxonomyName = 'canonical'): Promise<CorrectionSummary> {
    const c = this.labelQueue.get(id);
    const sample = await this.saveSample(c.cameraId, c, label, taxonomyName);
    this.labelQueue.remove(id);
    return sample;
  }

  /** The head a camera uses: its own applied version, else every camera's, else undefined (the configured one). */
  headFor(cameraId: string): FramingHead | null | undefined {
    const id = this.applied.has(cameraId) ? this.applied.get(cameraId) : this.applied.get(EVERY_CAMERA);
    if (id === undefined) return undefined;
    return id === null ? this.deps.configured?.head ?? null : this.heads.get(id) ?? this.deps.configured?.head ?? null;
  }

  /**
   * The operator says the camera's frame is `label` (in `taxonomy`, canonical
   * by default): the analysed frame nearest `captureTime` (the picture on
   * their screen; none within SEEN_WITHIN_MS, or a time in the future: a
   * coded 409), else the latest while the camera is live (a coded 409 when
   * it is not). `camera`: the camera's state, where the caller knows it: a
   * disabled camera, or one not live (stopped, stalled, restarting ...), is
   * not live however recent its last frame (one disabled a second before was
   * corrected on that frame). A named picture that is still held is labelled
   * whatever the camera's state now: it is the picture the operator saw.
   */
  async correct(cameraId: string, label: string, taxonomyName = 'canonical', captureTime?: number, camera?: { state: CameraState; enabled: boolean }): Promise<CorrectionSummary> {
    const history = this.observed.get(cameraId) ?? [];
    const seen = captureTime === undefined ? history.at(-1) : history.reduce<Observed | undefined>((best, o) => (!best || Math.abs(o.frame.captureTime - captureTime) < Math.abs(best.frame.captureTime - captureTime) ? o : best), undefined);
    if (!seen && this.deps.featureNames) {
      // Refuse a bad label first: it is wrong whenever it is sent.
      this.labelOf(label, taxonomyName);
      throw new ShotscaleError('CALIBRATION_INVALID', `camera ${cameraId} has no analysed frame yet to label`);
    }
    const seconds = (ms: number) => (ms < 100_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000)));
    if (seen && captureTime !== undefined && Math.abs(seen.frame.captureTime - captureTime) > SEEN_WITHIN_MS) {
      this.labelOf(label, taxonomyName);
      const age = this.deps.clock() - captureTime;
      if (age < -SEEN_WITHIN_MS) throw new ShotscaleError('CALIBRATION_INVALID', `the picture corrected has a capture time ${seconds(-age)} s in the future (ahead of this server's clock): camera ${cameraId} has analysed no such frame; correct it again on the live picture`);
      throw new ShotscaleError('CALIBRATION_INVALID', `the picture corrected (captured ${seconds(Math.max(0, age))} s ago) is no longer held for camera ${cameraId}, only its last ${HISTORY} analysed frames are: correct it again on the live picture`);
    }
    if (seen && captureTime === undefined) {
      // No picture named: the latest frame, only while the camera is live (a stopped camera's last frame is not what anyone sees now).
      if (camera && (!camera.enabled || camera.state !== 'live')) {
        this.labelOf(label, taxonomyName);
        const why = camera.enabled ? `it is ${camera.state}` : `it is disabled (${camera.state})`;
        throw new ShotscaleError('CALIBRATION_INVALID', `camera ${cameraId} is not live: ${why}; correct it on its live picture, or name a picture still held with captureTime`);
      }
      const age = this.deps.clock() - seen.frame.captureTime;
      const limit = notLiveAfterMs(history);
      if (age > limit) {
        this.labelOf(label, taxonomyName);
        throw new ShotscaleError('CALIBRATION_INVALID', `camera ${cameraId} is not live: its last analysed frame was captured ${seconds(age)} s ago (more than ${seconds(limit)} s); correct it on its live picture, or name the picture with captureTime`);
      }
    }
    return this.saveSample(cameraId, seen!, label, taxonomyName);
  }

  /** The class `label` names in `taxonomyName`, or a coded 400. */
  private labelOf(label: string, taxonomyName: string): { taxonomy: string; label: string } {
    const taxonomy = findTaxonomy(taxonomyName);
    if (!taxonomy) throw new ShotscaleError('BAD_REQUEST', `taxonomy: unknown taxonomy ${JSON.stringify(taxonomyName.slice(0, 40))}`);
    const index = taxonomy.lookup.get(normaliseLabel(label));
    if (index === undefined) throw new ShotscaleError('BAD_REQUEST', `label: ${JSON.stringify(label.slice(0, 40))} is not a class of ${taxonomy.name} (${taxonomy.classes.map((c) => c.name).join(', ')})`);
    return { taxonomy: taxonomy.name, label: taxonomy.classes[index]!.name };
  }

  /**
   * The frame as a sample labelled `label`. A frame already labelled (a
   * second click on the same picture: same camera, same capture time) keeps
   * one sample, relabelled in place (same id, the latest label): two
   * contradicting labels of one frame would only teach the fit noise. The
   * answer names the label it replaced.
   */
  private async saveSample(cameraId: string, seen: Observed, label: string, taxonomyName: string): Promise<CorrectionSummary> {
    const given = this.labelOf(label, taxonomyName);
    if (!this.deps.featureNames) throw new ShotscaleError('CALIBRATION_INVALID', `the default model (${this.deps.modelName}) has no framing features: corrections cannot teach it`);
    const earlier = (await this.deps.store.listSamples({ cameraId })).find((s) => s.source === 'live' && Math.round(s.capturedAt) === Math.round(seen.frame.captureTime));
    if (earlier && earlier.taxonomy === given.taxonomy && earlier.label === given.label) return earlier;
    const now = this.deps.clock();
    const updated = earlier ? await this.deps.store.relabelSample(earlier.id, given, now) : null;
    if (earlier && updated) {
      this.deps.log.info(`correction on ${cameraId}: ${given.label} (${given.taxonomy}), shown ${seen.shown}; sample ${earlier.id} relabelled (was ${earlier.label}, ${earlier.taxonomy})`);
      return { ...updated, relabelled: { sample: earlier.id, taxonomy: earlier.taxonomy, label: earlier.label } };
    }
    // A first label (or the earlier sample was deleted meanwhile): a new sample.
    const sample = {
      cameraId,
      capturedAt: seen.frame.captureTime,
      source: 'live' as const,
      taxonomy: given.taxonomy,
      label: given.label,
      shown: seen.shown,
      shotId: null,
      features: seen.features,
      featureNames: this.deps.featureNames,
      rules: seen.rules,
      jpeg: encodeThumbnail(seen.frame),
    };
    const id = await this.deps.store.addSample(sample, now);
    this.deps.log.info(`correction on ${cameraId}: ${sample.label} (${sample.taxonomy}), shown ${seen.shown}; sample ${id}`);
    return { id, cameraId, capturedAt: sample.capturedAt, createdAt: now, source: 'live', taxonomy: sample.taxonomy, label: sample.label, shown: sample.shown, shotId: null, hasImage: true };
  }

  /**
   * An operator set a closed shot's scale: its thumbnail frame (the middle of
   * the shot, with what the model measured there) becomes a sample labelled
   * with that scale; set again, that sample is relabelled in place (one frame,
   * one label). A shot whose model gave no features teaches nothing.
   */
  async shotCorrected(shot: StoredShot, shots: Pick<ShotStore, 'thumbnailAnalysis' | 'thumbnail'>): Promise<SampleSummary | null> {
    const analysis = shots.thumbnailAnalysis(shot.id);
    const names = this.deps.featureNames;
    if (!analysis || !names || analysis.features.length !== names.length) {
      this.deps.log.debug(`shot ${shot.id} corrected to ${shot.scale}: its frame has no features for a sample`);
      return null;
    }
    const now = this.deps.clock();
    const earlier = (await this.deps.store.listSamples({ cameraId: shot.cameraId })).find((s) => s.source === 'shot' && s.shotId === shot.id);
    if (earlier && earlier.taxonomy === 'canonical' && earlier.label === shot.scale) return earlier;
    const updated = earlier ? await this.deps.store.relabelSample(earlier.id, { taxonomy: 'canonical', label: shot.scale }, now) : null;
    if (earlier && updated) {
      this.deps.log.info(`shot ${shot.id} of ${shot.cameraId} corrected again to ${shot.scale}; sample ${updated.id} relabelled (was ${earlier.label})`);
      return updated;
    }
    const sample = { cameraId: shot.cameraId, capturedAt: shot.inTime + (shot.outTime - shot.inTime) / 2, source: 'shot' as const, taxonomy: 'canonical', label: shot.scale, shown: shot.classifierScale ?? null, shotId: shot.id, features: analysis.features, featureNames: names, rules: analysis.rules, jpeg: shots.thumbnail(shot.id) };
    const id = await this.deps.store.addSample(sample, now);
    this.deps.log.info(`shot ${shot.id} of ${shot.cameraId} corrected to ${shot.scale} (classifier: ${shot.classifierScale ?? '?'}); sample ${id}`);
    return { id, cameraId: sample.cameraId, capturedAt: sample.capturedAt, createdAt: now, source: 'shot', taxonomy: 'canonical', label: shot.scale, shown: sample.shown, shotId: shot.id, hasImage: sample.jpeg !== null };
  }

  /** Newest first; `limit`: only the latest so many. */
  samples(cameraId?: string, limit?: number): Promise<SampleSummary[]> {
    return this.deps.store.listSamples({ ...(cameraId !== undefined ? { cameraId } : {}), ...(limit !== undefined ? { limit } : {}) });
  }

  async deleteSample(id: number): Promise<void> {
    if (!(await this.deps.store.deleteSample(id))) throw new ShotscaleError('NOT_FOUND', `no calibration sample ${id}`);
  }

  async sampleImage(id: number): Promise<Buffer> {
    const jpeg = await this.deps.store.sampleImage(id);
    if (!jpeg) throw new ShotscaleError('NOT_FOUND', `no image for calibration sample ${id}`);
    return jpeg;
  }

  /** Which head each scope uses ('*': every camera without its own; null: the configured head). */
  appliedScopes(): Record<string, number | null> {
    return Object.fromEntries(this.applied);
  }

  /** Samples per label and per camera, the heads, what is applied where, and the last fit. */
  async state(): Promise<{ samples: number; perLabel: Record<string, number>; perCamera: Record<string, number>; heads: HeadSummary[]; applied: Record<string, number | null>; fit: FitState; configured: string | null }> {
    const [samples, heads] = await Promise.all([this.deps.store.listSamples(), this.deps.store.listHeads()]);
    const count = (key: (s: SampleSummary) => string) => samples.reduce<Record<string, number>>((acc, s) => ((acc[key(s)] = (acc[key(s)] ?? 0) + 1), acc), {});
    return {
      samples: samples.length,
      perLabel: count((s) => `${s.taxonomy}:${s.label}`),
      perCamera: count((s) => s.cameraId),
      heads,
      applied: this.appliedScopes(),
      fit: { ...this.latestFit() },
      configured: this.deps.configured?.file ?? null,
    };
  }

  /** Starts a fit on a thread of its own; the state says when it is done. */
  async startFit(options: { fromScratch?: boolean; folds?: number } = {}): Promise<FitState> {
    if (this.fit.state === 'fitting') throw new ShotscaleError('CALIBRATION_INVALID', 'a fit is already running');
    const elsewhere = this.fitElsewhere;
    // A node that died mid-fit never reports its end: after a while its fit no longer blocks.
    if (elsewhere?.state === 'fitting' && this.deps.clock() - (elsewhere.startedAt ?? 0) < FIT_ELSEWHERE_TIMEOUT_MS) {
      throw new ShotscaleError('CALIBRATION_INVALID', `a fit is already running on node ${elsewhere.node ?? '?'}`);
    }
    const names = this.deps.featureNames;
    if (!names) throw new ShotscaleError('CALIBRATION_INVALID', `the default model (${this.deps.modelName}) has no framing features to calibrate`);
    const samples = await this.deps.store.samplesForFit();
    // Checked again after the read: two fits asked for at once start one.
    if ((this.fit as FitState).state === 'fitting') throw new ShotscaleError('CALIBRATION_INVALID', 'a fit is already running');
    const perLabel = samples.reduce<Record<string, number>>((acc, s) => ((acc[`${s.taxonomy}:${s.label}`] = (acc[`${s.taxonomy}:${s.label}`] ?? 0) + 1), acc), {});
    // Classes on the canonical scale: CU in two taxonomies is one class, and teaches no line.
    const blocked = fitBlockedBy(samples.length, perLabel);
    if (blocked) throw new ShotscaleError('CALIBRATION_INVALID', blocked);
    const baseFile = options.fromScratch || !this.deps.configured ? null : baseKnowledgePath(this.deps.configured.file);
    const job: FitJob = {
      baseFile: baseFile && existsSync(baseFile) ? baseFile : null,
      from: this.deps.configured ? saveHeadObject(this.deps.configured.head) : null,
      featureNames: [...names],
      modelName: this.deps.modelName,
      production: groupByTaxonomy(samples, names),
      folds: options.folds ?? 5,
    };
    this.setFit({ state: 'fitting', startedAt: this.deps.clock(), finishedAt: null, headId: null, error: null });
    void this.runFit(job, samples.length);
    return { ...this.fit };
  }

  private setFit(state: FitState): void {
    this.fit = this.deps.cluster ? { ...state, node: this.deps.cluster.nodeId } : state;
    this.deps.cluster?.announce.fit({ ...this.fit });
  }

  /** This node's fit, or a later one another node reported. */
  private latestFit(): FitState {
    const elsewhere = this.fitElsewhere;
    return elsewhere && (elsewhere.startedAt ?? 0) > (this.fit.startedAt ?? 0) ? elsewhere : this.fit;
  }

  private async runFit(job: FitJob, sampleCount: number): Promise<void> {
    try {
      const entry = await bundledWorkerEntry(FIT_WORKER, FIT_WORKER_FALLBACK, this.deps.log);
      const limitMs = this.deps.fitTimeLimitMs ?? FIT_TIME_LIMIT_MS;
      const reply = await new Promise<FitReply>((resolve, reject) => {
        const worker = new Worker(entry, { workerData: { fitJob: job } });
        const timer = setTimeout(() => {
          reject(new ShotscaleError('CALIBRATION_FIT_TIMEOUT', `the fit thread was still working after ${limitMs >= 60_000 ? `${limitMs / 60_000} minutes` : `${limitMs / 1000} s`} and was stopped; start the fit again`));
          void worker.terminate();
        }, limitMs);
        timer.unref();
        worker.once('message', (message: FitReply) => resolve(message));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the fit thread exited (${code}) without a result`)));
        worker.once('exit', () => clearTimeout(timer));
      });
      if (!reply.ok) throw new ShotscaleError(reply.code ?? 'INTERNAL', reply.message);
      const { head, reports, fitMs } = reply.result;
      // fitS: the whole wait, start to head ready (the thread's start, the base knowledge read, every
      // cross-validation fold); the final fit alone (headFitS) was reported as the fit's time: 27.9 s of a 343.7 s wait.
      const finishedAt = this.deps.clock();
      const report = { base: job.baseFile, sets: reports.map(summariseReport), fitS: seconds(finishedAt - (this.fit.startedAt ?? finishedAt)), headFitS: seconds(fitMs) };
      const headId = await this.deps.store.addHead(saveHeadObject(head), report, sampleCount, finishedAt);
      this.setFit({ ...this.fit, state: 'done', finishedAt, headId });
      this.deps.log.info(`calibration head ${headId} fitted on ${sampleCount} ${sampleCount === 1 ? 'sample' : 'samples'}${job.baseFile ? ' and the base knowledge' : ''}: ${report.sets.map((s) => `${s.taxonomy} ${s.before.exact} -> ${s.after?.exact ?? '-'}`).join(', ')}`);
    } catch (error) {
      const code = isShotscaleError(error) ? error.code : 'INTERNAL';
      this.setFit({ ...this.fit, state: 'failed', finishedAt: this.deps.clock(), error: errorMessage(error), code });
      this.deps.log.warn(`calibration fit failed (${code}): ${errorMessage(error)}`);
    }
  }

  /** Applies head version `headId` (null: the configured head) to every camera ('*') or one; `scope` removed with `clear`. */
  async apply(scope: string, headId: number | null): Promise<void> {
    if (headId !== null) await this.loadVersion(headId);
    await this.deps.store.apply(scope, headId, this.deps.clock());
    this.appliedGeneration += 1;
    this.applied.set(scope, headId);
    this.deps.cluster?.announce.applied();
    this.deps.log.info(`calibration: ${scope === EVERY_CAMERA ? 'every camera' : scope} now uses ${headId === null ? 'the configured head' : `head ${headId}`}`);
  }

  /** A camera back to what every camera uses. */
  async clear(scope: string): Promise<void> {
    await this.deps.store.unapply(scope);
    this.appliedGeneration += 1;
    this.applied.delete(scope);
    this.deps.cluster?.announce.applied();
  }

  private async loadVersion(id: number): Promise<FramingHead> {
    const cached = this.heads.get(id);
    if (cached) return cached;
    const stored = await this.deps.store.head(id);
    if (!stored) throw new ShotscaleError('NOT_FOUND', `no calibration head ${id}`);
    const head = parseHead(stored.head, `head ${id}`, this.deps.featureNames ?? []);
    this.heads.set(id, head);
    return head;
  }
}

/**
 * Corrections of one camera this close in time, with no shot between them to
 * tell them apart, are taken for one shot: a correction a second for six
 * seconds labels six near copies of one picture, and a fold that held out
 * some of them but trained on the others scored the scene remembered, not
 * the production's lines (77.8% exact on labels that contradicted the
 * picture, 16.7% before).
 */
export const SAME_SHOT_WITHIN_MS = 5000;

/**
 * The shot each sample belongs to, for the fit's folds: a corrected shot's
 * id; an imported still (no capture time of its own: hasCaptureTime) a shot
 * of its own, as each still of a folder of film stills is (50 stills taken
 * for one shot gave no cross-validated figure at all); else one camera's
 * samples each within SAME_SHOT_WITHIN_MS of the one before (an export's
 * corrections imported again keep their cameras and capture times, so they
 * are grouped as they were).
 */
export function shotGroups(samples: readonly (Pick<SampleForFit, 'cameraId' | 'capturedAt' | 'shotId'> & Partial<Pick<SampleForFit, 'source' | 'createdAt'>>)[]): string[] {
  const groups = new Array<string>(samples.length);
  const still = (s: (typeof samples)[number]) => s.source !== undefined && s.createdAt !== undefined && !hasCaptureTime({ source: s.source, capturedAt: s.capturedAt, createdAt: s.createdAt });
  const live = samples.map((s, i) => ({ s, i })).filter(({ s }) => s.shotId === null && !still(s)).sort((a, b) => a.s.cameraId.localeCompare(b.s.cameraId) || a.s.capturedAt - b.s.capturedAt);
  let run = 0;
  live.forEach(({ s, i }, k) => {
    const previous = live[k - 1]?.s;
    if (!previous || previous.cameraId !== s.cameraId || s.capturedAt - previous.capturedAt > SAME_SHOT_WITHIN_MS) run += 1;
    groups[i] = `${s.cameraId}#${run}`;
  });
  samples.forEach((s, i) => {
    if (s.shotId !== null) groups[i] = `shot ${s.shotId}`;
    else if (still(s)) groups[i] = `still ${i}`;
  });
  return groups;
}

/** One production set per taxonomy the operators labelled in, features in the model's order, each frame with its shot. */
function groupByTaxonomy(samples: readonly SampleForFit[], names: readonly string[]): FitJob['production'] {
  const sets = new Map<string, FitJob['production'][number]>();
  const shots = shotGroups(samples);
  for (const [k, s] of samples.entries()) {
    const taxonomy = findTaxonomy(s.taxonomy);
    const label = taxonomy?.lookup.get(normaliseLabel(s.label));
    if (!taxonomy || label === undefined) continue;
    // Samples stored by a model with other features: by name, 0 where this model has one they lack.
    const at = new Map(s.featureNames.map((n, i) => [n, i]));
    const features = s.featureNames.length === names.length && s.featureNames.every((n, i) => n === names[i]) ? Array.from(s.features) : names.map((n) => (at.has(n) ? s.features[at.get(n)!]! : 0));
    let set = sets.get(taxonomy.name);
    if (!set) sets.set(taxonomy.name, (set = { name: `production-${taxonomy.name}`, taxonomy: taxonomy.name, samples: [] }));
    set.samples.push({ features, rules: s.rules, label, group: shots[k]! });
  }
  return [...sets.values()];
}

const pct = (x: number): number => Math.round(x * 1000) / 10;
/** Milliseconds as seconds to the millisecond. */
const seconds = (ms: number): number => Math.round(ms) / 1000;

/** `shots` and `folds`: what the cross-validation held out (whole shots, over so many folds); `why`: where there is no `after`, why. */
function summariseReport(r: ProductionSetReport): { taxonomy: string; count: number; before: { exact: number; withinOne: number }; after: { exact: number; withinOne: number } | null; shots: number; folds: number; why: string | null } {
  return { taxonomy: r.taxonomy, count: r.count, before: { exact: pct(r.before.exact), withinOne: pct(r.before.withinOne) }, after: r.after ? { exact: pct(r.after.exact), withinOne: pct(r.after.withinOne) } : null, shots: r.groups, folds: r.folds, why: r.why };
}

