/**
 * --config, --host and --port as every command reads them. Apart from
 * `serve` so that a command that only reads the config (export, doctor,
 * samples) does not load the server to do it.
 */
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { configSchema } from '../config/schema.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { REPO_ROOT } from '../shared/version.js';
import { UsageError } from './command-options.js';

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
