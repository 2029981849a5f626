/**
 * Every model the server runs, loaded once and shared by all cameras: the
 * default, the named extras, and calibration heads. A camera's profile says
 * which models it uses, with what weights, and which head refines the
 * default classifier's output.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { LoadedConfig } from '../config/load-config.js';
import { configKeyPlace, resolveConfigPath } from '../config/load-config.js';
import type { CameraConfig, Config, ExecutionProviderName } from '../config/schema.js';
import { providerSummary, providerSupport } from './execution-providers.js';
import { isShotscaleError, ShotscaleError } from '../errors.js';
import { loadHead, type FramingHead } from '../calibration/framing-head.js';
import type { Logger } from '../shared/logger.js';
import { loadModel } from './model-registry.js';
import type { ShotScaleModel } from './model.js';
import { WorkerPool } from './worker/worker-pool.js';

/** Most model threads chosen by themselves: past 4, memory grows faster than throughput. */
const MAX_AUTO_THREADS = 4;

/**
 * Model threads per model: as configured, else one per core (up to 4) when
 * the CPU provider will run, and 1 on a GPU (one stream of batches feeds it;
 * more threads would only hold more copies of the model in its memory).
 */
export function inferenceThreadCount(configured: number, providers: readonly ExecutionProviderName[]): number {
  if (configured > 0) return configured;
  const first = providers.find((p) => providerSupport(p).available);
  return first && first !== 'cpu' ? 1 : Math.max(1, Math.min(MAX_AUTO_THREADS, os.availableParallelism()));
}

/** Model threads and operator threads per model thread; the cores are shared between the model threads. */
export function threadPlan(model: Pick<Config['model'], 'inferenceThread' | 'inferenceThreads' | 'intraOpThreads' | 'executionProviders'>): { threads: number; intraOpThreads: number } {
  const threads = model.inferenceThread ? inferenceThreadCount(model.inferenceThreads, model.executionProviders) : 1;
  const intraOpThreads = model.intraOpThreads > 0 ? model.intraOpThreads : Math.max(1, Math.floor(os.availableParallelism() / threads));
  return { threads, intraOpThreads };
}

function threadsText(inThread: boolean, lanes: number, intraOp: number): string {
  if (!inThread) return `main thread, ${intraOp} operator thread${intraOp === 1 ? '' : 's'}`;
  return `${lanes} model thread${lanes === 1 ? '' : 's'} x ${intraOp} operator thread${intraOp === 1 ? '' : 's'}`;
}

/** Every model loaded at start, by name, with the config key that names its manifest. */
export function configuredModels(model: Pick<Config['model'], 'manifest' | 'extra'>): { name: string; field: string; manifest: string }[] {
  return [
    { name: 'default', field: 'model.manifest', manifest: model.manifest },
    ...Object.entries(model.extra).map(([name, extra]) => ({ name, field: `model.extra.${name}.manifest`, manifest: extra.manifest })),
  ];
}

/**
 * An extra model's load error with its key in front, and the file and line that set it (as
 * model.calibration's): the manifest's own errors only know the default's key, and told an
 * operator to "set model.manifest" when model.extra.resnet.manifest was the one missing.
 */
export function extraModelError(loaded: Pick<LoadedConfig, 'file'>, field: string, error: unknown): unknown {
  if (field === 'model.manifest' || !isShotscaleError(error)) return error;
  const place = configKeyPlace(loaded.file, field.split('.'));
  const hint = error.code === 'MODEL_MANIFEST_NOT_FOUND' ? `set ${field} in the config to a *.manifest.json beside an .onnx file` : error.hint;
  return new ShotscaleError(error.code, `${place ? `${place}: ` : ''}${field}: ${error.message}`, { cause: error, ...(hint ? { hint } : {}) });
}

export interface CameraModelProfile {
  /** The first model sets the camera's frame size. */
  models: { name: string; model: ShotScaleModel; weight: number }[];
  /** Refines predictions that carry framing features. */
  head: FramingHead | null;
}

export class ModelSet {
  private readonly heads = new Map<string, FramingHead>();
  /** The configured model.calibration head, loaded. */
  defaultHead: FramingHead | null = null;

  private constructor(
    private readonly models: Map<string, ShotScaleModel>,
    private readonly loaded: Pick<LoadedConfig, 'baseDir' | 'file'>,
  ) {}

  /** `onInferenceRestart` is told the model's name (default, or an extra's) each time its thread is restarted. */
  static async load(loaded: LoadedConfig, log: Logger, hooks: { onInferenceRestart?: (name: string) => void } = {}): Promise<ModelSet> {
    const { model, supervisor } = loaded.config;
    const { threads, intraOpThreads } = threadPlan(model);
    const options = { executionProviders: model.executionProviders, intraOpThreads };
    const models = new Map<string, ShotScaleModel>();
    try {
      for (const { name, field, manifest } of configuredModels(model)) {
        const manifestPath = resolveConfigPath(loaded, manifest);
        const started = performance.now();
        const modelLog = log.child(`model:${name}`);
        // A dead model thread is restarted with the same backoff as a dead ffmpeg.
        const supervision = { backoffInitialS: supervisor.backoffInitialS, backoffMaxS: supervisor.backoffMaxS, healthyAfterS: supervisor.healthyAfterS, onRestart: () => hooks.onInferenceRestart?.(name) };
        let loadedModel: ShotScaleModel;
        try {
          loadedModel = model.inferenceThread ? await WorkerPool.load(manifestPath, options, modelLog, supervision, threads) : await loadModel(manifestPath, options, modelLog);
        } catch (error) {
          throw extraModelError(loaded, field, error);
        }
        models.set(name, loadedModel);
        log.info(`model "${name}": ${loadedModel.name} from ${manifestPath} in ${Math.round(performance.now() - started)} ms (input ${loadedModel.input.width}x${loadedModel.input.height}, ${loadedModel.input.resize}; ${threadsText(model.inferenceThread, loadedModel.lanes ?? 1, intraOpThreads)}); ${providerSummary(model.executionProviders, loadedModel.executionProvider)}`);
      }
    } catch (error) {
      await Promise.all([...models.values()].map((m) => m.dispose()));
      throw error;
    }
    const set = new ModelSet(models, loaded);
    if (model.calibration) set.defaultHead = set.head(model.calibration, 'model.calibration');
    if (set.defaultHead) log.info(`calibration head ${model.calibration} (${set.defaultHead.taxonomy}, ${set.defaultHead.provenance.count} frames)`);
    return set;
  }

  get default(): ShotScaleModel {
    return this.models.get('default')!;
  }

  get(name: string): ShotScaleModel {
    const model = this.models.get(name);
    if (!model) throw new ShotscaleError('CAMERA_INVALID', `unknown model "${name}" (known: ${[...this.models.keys()].join(', ')})`);
    return model;
  }

  /**
   * Loads (once) a calibration head for the default model; paths are
   * relative to the config. `field`: the config's model.calibration, where a
   * missing file is the model's (named with the config file); else a
   * camera's, whose caller says which camera.
   */
  head(file: string, field?: 'model.calibration'): FramingHead {
    const full = resolveConfigPath(this.loaded, file);
    const cached = this.heads.get(full);
    if (cached) return cached;
    const names = this.default.featureNames;
    if (!names) throw new ShotscaleError('CAMERA_INVALID', `calibration ${full}: the default model (${this.default.name}) has no framing features to calibrate`);
    if (!existsSync(full)) {
      if (!field) throw new ShotscaleError('MODEL_FILE_NOT_FOUND', `calibration head not found: ${full}`);
      throw new ShotscaleError('MODEL_FILE_NOT_FOUND', `${this.configField(field)}: calibration head not found: ${full}`, { hint: `write the head there (shotscale calibrate --out ${file}), name another, or set ${field}: null` });
    }
    let head: FramingHead;
    try {
      head = loadHead(full, names);
    } catch (error) {
      // A camera's caller names the camera; the config's own field is named here, with the file and line that set it.
      if (!field || !isShotscaleError(error)) throw error;
      throw new ShotscaleError(error.code, `${this.configField(field)}: ${error.message}`, { cause: error, hint: error.hint ?? `name a head that shotscale calibrate wrote, or set ${field}: null` });
    }
    this.heads.set(full, head);
    return head;
  }

  /** A config field as the config's errors name it: "FILE:LINE: model.calibration" (the field alone for the built-in defaults). */
  private configField(field: 'model.calibration'): string {
    const place = configKeyPlace(this.loaded.file, field.split('.'));
    return place ? `${place}: ${field}` : field;
  }

  /** What a camera without `models` or `calibration` of its own gets. */
  defaultProfile(): CameraModelProfile {
    return { models: [{ name: 'default', model: this.default, weight: 1 }], head: this.defaultHead };
  }

  profile(camera: CameraConfig): CameraModelProfile {
    const uses = camera.models ?? [{ name: 'default', weight: 1 }];
    const head = camera.calibration === undefined ? this.defaultHead : camera.calibration === null ? null : this.head(camera.calibration);
    return { models: uses.map((u) => ({ name: u.name, model: this.get(u.name), weight: u.weight })), head };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.models.values()].map((m) => m.dispose()));
  }
}
