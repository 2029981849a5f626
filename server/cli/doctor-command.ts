/**
 * `shotscale doctor`: checks what the server needs before it is started and
 * says, for each problem, what is wrong and how to fix it. Each check is a
 * small function returning findings; nothing here starts cameras or writes
 * the shot log (it probes the data directory with a scratch file and the
 * lock, and the port with a listener it closes at once).
 */
import { accessSync, constants, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadHead } from '../calibration/framing-head.js';
import { loadConfig, resolveConfigPath, type LoadedConfig } from '../config/load-config.js';
import { errorMessage, isShotscaleError } from '../errors.js';
import { providerSupport } from '../inference/execution-providers.js';
import { loadModel } from '../inference/model-registry.js';
import { configuredModels, extraModelError } from '../inference/model-set.js';
import { configuredFfmpeg, type FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import { silentLogger } from '../shared/logger.js';
import { lockDataDir } from '../store/data-dir-lock.js';
import { checkServerSettings } from '../app/shotscale-server.js';
import { REPO_ROOT } from '../shared/version.js';
import { sourceFileProblem } from '../ingest/source-file.js';
import { configFromArgs, DEFAULT_CONFIG } from './config-args.js';
import { parseCommandArgs, UsageError } from './command-options.js';

export type FindingStatus = 'ok' | 'note' | 'problem';

export interface Finding {
  check: string;
  status: FindingStatus;
  detail: string;
  /** How to fix it (problems and notes that need an action). */
  fix?: string;
  /** The error's code where the problem is one the product would stop with (README, "When something goes wrong"). */
  code?: string;
}

const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail });
const note = (check: string, detail: string, fix?: string): Finding => ({ check, status: 'note', detail, ...(fix ? { fix } : {}) });
const problem = (check: string, detail: string, fix: string): Finding => ({ check, status: 'problem', detail, fix });

/** A ShotscaleError's message, hint and code as a problem. */
function problemOf(check: string, error: unknown, fallbackFix: string): Finding {
  return { ...problem(check, errorMessage(error), (isShotscaleError(error) && error.hint) || fallbackFix), ...(isShotscaleError(error) ? { code: error.code } : {}) };
}

function checkNode(): Finding {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20 ? ok('node', `Node.js ${process.versions.node}`) : problem('node', `Node.js ${process.versions.node}; shotscale needs 20 or newer`, 'install Node.js 20 or newer');
}

function checkConfig(values: { config?: string | undefined; port?: string | undefined; host?: string | undefined }): { finding: Finding; loaded: LoadedConfig | null } {
  try {
    const loaded = configFromArgs(values);
    return { finding: ok('config', `${loaded.file ?? '(defaults)'}: valid, ${loaded.config.cameras.length} camera${loaded.config.cameras.length === 1 ? '' : 's'}`), loaded };
  } catch (error) {
    // --port 99999 is a mistake on the command line (exit 2 with the usage), not a finding about the config.
    if (error instanceof UsageError) throw error;
    return { finding: problemOf('config', error, 'fix the config (config/default.yaml explains every key)'), loaded: null };
  }
}

function checkFfmpeg(loaded: LoadedConfig): { findings: Finding[]; ffmpeg: FfmpegBinary | null } {
  let ffmpeg: FfmpegBinary;
  try {
    // Relative to the config file, as serve reads it.
    ffmpeg = configuredFfmpeg(loaded);
  } catch (error) {
    return { findings: [problemOf('ffmpeg', error, 'install ffmpeg (apt-get install ffmpeg) or set ffmpeg.path in the config')], ffmpeg: null };
  }
  const findings = [ok('ffmpeg', `${ffmpeg.path} (from ${ffmpeg.origin}): ${ffmpeg.version}`)];
  const ndiCameras = loaded.config.cameras.filter((c) => c.source.kind === 'ndi').map((c) => c.id);
  if (ffmpeg.hasNdi) findings.push(ok('ndi', 'this ffmpeg reads NDI sources (libndi_newtek)'));
  else if (ndiCameras.length) findings.push(problem('ndi', `cameras ${ndiCameras.join(', ')} are NDI sources, but this ffmpeg was built without libndi_newtek`, 'point ffmpeg.path at an ffmpeg built with --enable-libndi_newtek (NDI SDK)'));
  else findings.push(note('ndi', 'this ffmpeg cannot read NDI sources (built without libndi_newtek); only NDI cameras need it', 'for NDI cameras, point ffmpeg.path at an ffmpeg built with --enable-libndi_newtek'));
  return { findings, ffmpeg };
}

function checkProviders(loaded: LoadedConfig): Finding[] {
  const wanted = loaded.config.model.executionProviders;
  let version = 'unknown version';
  try {
    version = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    // Not installed: the providers below say so.
  }
  const support = wanted.map((p) => providerSupport(p));
  const findings = support.map((s) => (s.available ? ok(`provider ${s.provider}`, `available (onnxruntime-node ${version})`) : note(`provider ${s.provider}`, `not available: ${s.reason}`)));
  if (!support.some((s) => s.available)) {
    findings.push(problem('providers', `none of model.executionProviders (${wanted.join(', ')}) can run here`, 'add cpu to model.executionProviders (it always runs)'));
  }
  return findings;
}

/**
 * Every model serve loads at start (the default and each of model.extra), each stopping it as serve
 * would; `defaultModel`: the default's feature names, which the heads are read against (null when it
 * does not load).
 */
async function checkModels(loaded: LoadedConfig): Promise<{ findings: Finding[]; defaultModel: { featureNames: readonly string[] | undefined } | null }> {
  const { model } = loaded.config;
  const findings: Finding[] = [];
  let defaultModel: { featureNames: readonly string[] | undefined } | null = null;
  for (const { name, field, manifest: configured } of configuredModels(model)) {
    const check = name === 'default' ? 'model' : `model ${name}`;
    const manifest = resolveConfigPath(loaded, configured);
    const started = performance.now();
    try {
      const loadedModel = await loadModel(manifest, { executionProviders: model.executionProviders, intraOpThreads: 1 }, silentLogger);
      if (name === 'default') defaultModel = { featureNames: loadedModel.featureNames };
      await loadedModel.dispose();
      findings.push(ok(check, `${manifest} loads on ${loadedModel.executionProvider} in ${Math.round(performance.now() - started)} ms`));
    } catch (error) {
      findings.push(problemOf(check, extraModelError(loaded, field, error), `check ${field} in the config; npm run models regenerates the shipped detectors`));
    }
  }
  return { findings, defaultModel };
}

async function checkModel(loaded: LoadedConfig): Promise<Finding[]> {
  const { model } = loaded.config;
  const { findings, defaultModel } = await checkModels(loaded);
  // The heads are read against the default model's features: without it, nothing to say of them.
  if (!defaultModel) return findings;
  const { featureNames } = defaultModel;
  if (model.calibration) {
    const head = resolveConfigPath(loaded, model.calibration);
    try {
      const loadedHead = loadHead(head, featureNames ?? []);
      findings.push(ok('calibration', `${head} (${loadedHead.provenance.count} labelled frames)`));
    } catch (error) {
      findings.push(problemOf('calibration', error, 'recalibrate with shotscale calibrate, or set model.calibration: null'));
    }
  }
  // A camera's own head stops the start as the model's does (CAMERA_INVALID naming the camera).
  for (const camera of loaded.config.cameras) {
    if (!camera.calibration) continue;
    const head = resolveConfigPath(loaded, camera.calibration);
    try {
      loadHead(head, featureNames ?? []);
    } catch (error) {
      findings.push(problemOf(`camera ${camera.id}`, error, `recalibrate with shotscale calibrate, or remove calibration from camera ${camera.id}`));
    }
  }
  return findings;
}

function checkDataDir(loaded: LoadedConfig): Finding {
  const dir = resolveConfigPath(loaded, loaded.config.shots.dataDir);
  if (!loaded.config.shots.enabled) return note('data directory', 'the shot log is off (shots.enabled: false)');
  const fix = `set shots.dataDir to a directory this user can write, or make ${dir} writable`;
  if (!existsSync(dir)) {
    // Created at start: its nearest existing ancestor must be a writable directory.
    let parent = path.dirname(dir);
    while (!existsSync(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
    if (!statSync(parent).isDirectory()) return problem('data directory', `${dir} cannot be created: ${parent} is a file, not a directory`, fix);
    try {
      accessSync(parent, constants.W_OK);
    } catch {
      return problem('data directory', `${dir} cannot be created: ${parent} is not writable`, fix);
    }
    return ok('data directory', `${dir} (created at start)`);
  }
  if (!statSync(dir).isDirectory()) return problem('data directory', `${dir} is a file, not a directory`, fix);
  const scratch = path.join(dir, `.doctor-${process.pid}`);
  try {
    writeFileSync(scratch, '');
    rmSync(scratch);
  } catch (error) {
    return problem('data directory', `${dir} is not writable: ${errorMessage(error)}`, fix);
  }
  try {
    lockDataDir(dir).release();
  } catch (error) {
    return problemOf('data directory', error, 'stop the other server, or give this one its own shots.dataDir');
  }
  return ok('data directory', `${dir}: writable, not in use`);
}

/** Whether a shotscale server answers at host:port (its health route answers with its version, or asks for a token). */
async function shotscaleAt(host: string, port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/api/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { version?: unknown; error?: { code?: unknown } };
    return typeof body.version === 'string' || body.error?.code === 'UNAUTHORIZED';
  } catch {
    return false;
  }
}

function checkPort(loaded: LoadedConfig): Promise<Finding> {
  const { host, port } = loaded.config.server;
  if (port === 0) return Promise.resolve(ok('port', 'port 0: a free one is picked at start'));
  // The code serve stops with on the same three (listenError in shotscale-server.ts).
  const portProblem = (detail: string, fix: string): Finding => ({ ...problem('port', detail, fix), code: 'PORT_IN_USE' });
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const fix = 'stop what is listening there, or set server.port (or serve --port)';
      if (error.code === 'EADDRINUSE') void shotscaleAt(host, port).then((ours) => resolve(portProblem(`${host}:${port} is already in use${ours ? ' (a shotscale server answers there)' : ''}`, fix)));
      else if (error.code === 'EACCES') resolve(portProblem(`${host}:${port} needs privileges (ports under 1024)`, 'use a port from 1024 up'));
      else if (error.code === 'EADDRNOTAVAIL') resolve(portProblem(`${host} is not an address of this machine`, 'set server.host to one of its addresses, or 0.0.0.0'));
      else resolve(problem('port', `${host}:${port}: ${error.message}`, fix));
    });
    probe.listen(port, host, () => probe.close(() => resolve(ok('port', `${host}:${port} is free`))));
  });
}

function checkCameras(loaded: LoadedConfig): Finding[] {
  const findings: Finding[] = [];
  for (const camera of loaded.config.cameras) {
    const { source } = camera;
    if (source.kind === 'file') {
      const file = resolveConfigPath(loaded, source.path);
      const fileProblem = sourceFileProblem({ ...source, path: file });
      if (fileProblem) findings.push(problem(`camera ${camera.id}`, `file ${file}: ${fileProblem}`, `fix the path of camera ${camera.id} (relative paths are relative to the config file)`));
    } else if (source.kind === 'webcam' && source.device.startsWith('/dev/') && !existsSync(source.device)) {
      findings.push(problem(`camera ${camera.id}`, `webcam ${source.device} does not exist`, 'plug the camera in, or fix its device (ls /dev/video*)'));
    }
  }
  if (!findings.length) findings.push(ok('cameras', `${loaded.config.cameras.length} configured; files and devices present (network cameras are checked when they connect)`));
  return findings;
}

/** What the server checks of its settings at start (a reachable bind without a token, the certificate's files). */
function checkServer(loaded: LoadedConfig): Finding {
  try {
    checkServerSettings(loaded);
  } catch (error) {
    return problemOf('server', error, 'fix server in the config');
  }
  const { host, tls } = loaded.config.server;
  return ok('server', `${host}${tls ? ', HTTPS (certificate and key read)' : ''}`);
}

function checkWebPage(): Finding {
  return existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html')) ? ok('dashboard', 'the web page is built') : problem('dashboard', 'the web page is not built (web/dist)', 'npm run build:web (npm start does it by itself)');
}

export async function runDoctor(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string', short: 'p' }, json: { type: 'boolean' } } });
  const findings: Finding[] = [checkNode()];
  const config = checkConfig(values);
  findings.push(config.finding);
  // ffmpeg and the providers are checked against the defaults when the config cannot be read. The
  // model is not: its path is the config's, relative to the config file, and a default path resolved
  // against the current directory would report a model missing that is not.
  const loaded = config.loaded ?? loadConfig(null);
  const ffmpeg = checkFfmpeg(loaded);
  findings.push(...ffmpeg.findings, ...checkProviders(loaded));
  findings.push(...(config.loaded ? await checkModel(loaded) : [note('model', 'not checked: the model is named in the config, which cannot be loaded (see config above)', 'fix the config, then run shotscale doctor again')]));
  if (config.loaded) findings.push(checkServer(loaded), checkDataDir(loaded), await checkPort(loaded), ...checkCameras(loaded));
  findings.push(checkWebPage());
  const problems = findings.filter((f) => f.status === 'problem').length;
  if (values.json) {
    process.stdout.write(JSON.stringify({ problems, findings }, null, 2) + '\n');
  } else {
    const width = Math.max(...findings.map((f) => f.check.length));
    const label: Record<FindingStatus, string> = { ok: 'ok     ', note: 'note   ', problem: 'PROBLEM' };
    const lines = findings.flatMap((f) => [`${label[f.status]}  ${f.check.padEnd(width)}  ${f.code ? `${f.code}: ` : ''}${f.detail}`, ...(f.fix ? [`${' '.repeat(9 + width)}  fix: ${f.fix}`] : [])]);
    process.stdout.write(`shotscale doctor (${values.config ?? path.relative(process.cwd(), DEFAULT_CONFIG)})\n${lines.join('\n')}\n${problems ? `${problems} problem${problems === 1 ? '' : 's'} found` : 'no problems found'}\n`);
  }
  return problems ? 1 : 0;
}
