/**
 * `shotscale export`: the shot log in an editing or archive format, from the
 * server's database (its config's data directory) or any shot log file (a
 * file-mode DIR/shotscale.sqlite), filtered like GET /api/shots. The file is
 * only ever read: a file that is not a shot log is refused, an older one is
 * migrated in a copy in memory (see read-only-database.ts).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { shotFilterFrom } from '../api/shot-routes.js';
import { resolveConfigPath } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';
import { EXPORT_FORMATS, exportShots, isExportFormat } from '../exports/export-shots.js';
import { DATABASE_FILE } from '../store/database.js';
import { openShotLogReadOnly } from '../store/read-only-database.js';
import { ShotStore } from '../store/shot-store.js';
import { timecodeAtRate } from '../shots/timecode.js';
import { writeOutputFile } from './output-files.js';
import { configFromArgs } from './serve-command.js';
import { checkShotLogFile } from './input-file.js';

export async function runExport(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      config: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      camera: { type: 'string' },
      scene: { type: 'string' },
      take: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      title: { type: 'string' },
    },
  });
  if (!values.format || !isExportFormat(values.format)) {
    process.stderr.write(`shotscale export: --format is one of ${EXPORT_FORMATS.join(', ')}\n`);
    return 2;
  }
  const file = values.db ? path.resolve(values.db) : defaultDatabase(values.config);
  if (values.db && !values.db.endsWith('.sqlite') && !values.db.endsWith('.db')) throw new ShotscaleError('BAD_REQUEST', `--db ${values.db}: a shot log file (${DATABASE_FILE})`);
  checkShotLogFile(file);
  const db = openShotLogReadOnly(file);
  try {
    const store = new ShotStore(db, timecodeAtRate);
    const shots = store.list(shotFilterFrom({ camera: values.camera, scene: values.scene, take: values.take, from: values.from, to: values.to }));
    const result = exportShots(shots, values.format, { title: values.title ?? `shotscale ${path.basename(path.dirname(file))}` });
    if (values.out) {
      writeOutputFile('--out', values.out, result.body);
      process.stderr.write(`${shots.length} shots written to ${values.out}\n`);
    } else {
      process.stdout.write(result.body);
    }
  } finally {
    db.close();
  }
  return 0;
}

function defaultDatabase(config: string | undefined): string {
  const loaded = configFromArgs({ config });
  return path.join(resolveConfigPath(loaded, loaded.config.shots.dataDir), DATABASE_FILE);
}
