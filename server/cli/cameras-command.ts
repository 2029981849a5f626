/**
 * `shotscale cameras reset [ID...]`: forgets the camera changes a single
 * server keeps from its API (server/app/kept-cameras.ts), all of them or
 * those of the cameras named, so that its next start runs the config file's
 * cameras. The data directory is locked for it: a running server refuses it
 * (DATABASE_LOCKED), stop it first. A cluster's cameras are in PostgreSQL,
 * changed over the API, and have nothing to reset here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveConfigPath } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';
import { CameraOverrideStore } from '../store/camera-override-store.js';
import { lockDataDir } from '../store/data-dir-lock.js';
import { DATABASE_FILE, openDatabase } from '../store/database.js';
import { parseCommandArgs, UsageError } from './command-options.js';
import { configFromArgs } from './config-args.js';

export function runCameras(argv: string[]): number {
  const [action, ...rest] = argv;
  if (action !== 'reset') throw new UsageError(action ? `unknown action ${JSON.stringify(action.slice(0, 40))}: reset` : 'no action given: shotscale cameras reset [ID...]');
  const { values, positionals } = parseCommandArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } });
  const loaded = configFromArgs({ config: values.config });
  const { config } = loaded;
  if (config.cluster.enabled) {
    throw new ShotscaleError('BAD_REQUEST', "this config is a cluster node's: the cluster's cameras are in PostgreSQL, not kept per server", {
      hint: 'change them over the API (PATCH or DELETE /api/cameras/ID) or the Cameras view',
    });
  }
  if (!config.shots.enabled) {
    process.stderr.write('nothing to reset: with shots.enabled false a server keeps no camera changes (they last until it stops)\n');
    return 0;
  }
  const configIds = new Set(config.cameras.map((c) => c.id));
  const dataDir = resolveConfigPath(loaded, config.shots.dataDir);
  const file = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) {
    process.stderr.write(`nothing to reset: no shot log in ${dataDir}\n`);
    return 0;
  }
  const lock = lockDataDir(dataDir);
  try {
    const db = openDatabase(file);
    try {
      const forgotten = new CameraOverrideStore(db).forget(positionals.length ? positionals : null);
      const untouched = positionals.filter((id) => !forgotten.includes(id));
      for (const id of untouched) {
        process.stderr.write(configIds.has(id) ? `camera "${id}": no change kept\n` : `warning: camera "${id}": no camera of that id is in the config file or kept (${knownCameras(configIds)})\n`);
      }
      process.stderr.write(
        forgotten.length
          ? `forgot the changes of ${forgotten.length} camera${forgotten.length === 1 ? '' : 's'} (${forgotten.join(', ')}): the next start runs the config file's cameras${positionals.length ? ' for them' : ''}\n`
          : 'no camera changes were kept: the next start runs the config file\'s cameras\n',
      );
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
  return 0;
}

/** The config file's cameras, for a warning about an id that is not one of them. */
function knownCameras(ids: ReadonlySet<string>): string {
  if (!ids.size) return 'the config file has no cameras';
  const list = [...ids];
  return `the config file's cameras: ${list.slice(0, 20).join(', ')}${list.length > 20 ? `, and ${list.length - 20} more` : ''}`;
}
