/** `shotscale serve`: run until SIGINT/SIGTERM, then stop every ffmpeg child cleanly. */
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { configSchema } from '../config/schema.js';
import { REPO_ROOT, startServer, type RunningServer } from '../app/shotscale-server.js';
import type { Logger } from '../shared/logger.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { parseCommandArgs, UsageError } from './command-options.js';

export const DEFAULT_CONFIG = path.join(REPO_ROOT, 'config', 'default.yaml');

/** --port as a number, or a UsageError (BAD_REQUEST, exit 2) naming the option and the value given. */
export function portOption(value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${JSON.stringify(value)}: a port is 1 to 65535 (or 0: any free one)`, 'give a whole number such as --port 8420');
  }
  return port;
}

/** Loads --config (default config/default.yaml) and applies --host/--port overrides, re-validated. */
export function configFromArgs(values: { config?: string | undefined; host?: string | undefined; port?: string | undefined }): LoadedConfig {
  // A mistake on the command line is said before the config is read.
  const givenPort = values.port === undefined ? undefined : portOption(values.port);
  const loaded = readConfig(values.config ?? DEFAULT_CONFIG);
  if (values.host === undefined && givenPort === undefined) return loaded;
  const port = givenPort ?? loaded.config.server.port;
  const server = { ...loaded.config.server, ...(values.host ? { host: values.host } : {}), port };
  const checked = configSchema.shape.server.safeParse(server);
  if (!checked.success) throw new UsageError(`--host ${JSON.stringify(values.host ?? '')}: ${checked.error.issues.map((i) => i.message).join('; ')}`);
  return { ...loaded, config: Object.freeze({ ...loaded.config, server: checked.data }) };
}

/** The config file, or a coded error where it is there but cannot be read (a folder, no permission, an I/O error). */
function readConfig(file: string): LoadedConfig {
  try {
    return loadConfig(file);
  } catch (error) {
    if (isShotscaleError(error) || !(error as NodeJS.ErrnoException).syscall) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ShotscaleError('INPUT_UNREADABLE', `config file ${path.resolve(file)} cannot be read: ${code === 'EISDIR' ? 'it is a folder' : errorMessage(error)}`, { hint: 'name a YAML file with --config (config/default.yaml explains every key)' });
  }
}

/** EX_SOFTWARE (sysexits.h): an internal error; a supervisor (systemd, Docker, pm2) restarts the server. */
export const UNEXPECTED_ERROR_EXIT = 70;

/**
 * An error that nothing else caught leaves the process in a state nobody
 * knows: log it with its stack, close the open shots at their last frame (so
 * the log needs no recovery), stop the ffmpeg children, and exit non-zero.
 */
function exitOnUnexpectedError(server: RunningServer, log: Logger): void {
  let exiting = false;
  const fail = (what: string, error: unknown) => {
    if (exiting) return;
    exiting = true;
    log.error(`unexpected ${what}, exiting with ${UNEXPECTED_ERROR_EXIT} so that a supervisor restarts the server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    try {
      server.closeNow();
      log.error('open shots closed at their last frame; shot log closed');
    } catch (closeError) {
      log.error(`closing the shot log failed too (the next start recovers it): ${String(closeError)}`);
    }
    process.exit(UNEXPECTED_ERROR_EXIT);
  };
  process.on('uncaughtException', (error) => fail('error', error));
  process.on('unhandledRejection', (reason) => fail('promise rejection', reason));
}

export async function runServe(argv: string[], log: Logger): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string', short: 'p' } } });
  const loaded = configFromArgs(values);
  log.info(`config: ${loaded.file ?? '(defaults)'}`);
  const server = await startServer(loaded, { log });
  exitOnUnexpectedError(server, log);
  // The one line a user looks for: where to point the browser.
  process.stdout.write(`shotscale listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // Ctrl-C under npm arrives twice (from the terminal and forwarded by
      // npm): a second signal must not kill the process mid-close.
      if (stopping) return log.info(`${signal}: already stopping`);
      stopping = true;
      log.info(`${signal}: stopping cameras and server`);
      server.close().then(resolve, (error: unknown) => {
        log.error(`error while stopping: ${String(error)}`);
        resolve();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
