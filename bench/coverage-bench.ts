/**
 * What the dashboards' live coverage costs the main thread as the day's log
 * grows: a real shot log (SQLite in a temp folder) filled with N shots since
 * the server started, over 4 cameras, and the `coverage` event counted as the
 * server counts it (ShotLog.coverageUpdate), against the same per-camera
 * figures counted from whole shots (the way it was counted before). Prints
 * ms per count and the spacing of pushes that follows from it (ShotLog:
 * at least 1 s, and 20 times the last count), and writes JSON; asserts
 * nothing.
 *
 *   npm run bench:coverage [-- --shots 1000,5000,20000,50000 --out bench-results/coverage.json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../server/config/schema.js';
import { coverageByCamera } from '../server/coverage/coverage-stats.js';
import { CANONICAL_SCALES } from '../server/shared/scale.js';
import { silentLogger } from '../server/shared/logger.js';
import type { ShotRecord } from '../server/shared/shots.js';
import { ShotLog } from '../server/shots/shot-log.js';
import { shotLog } from '../test/support/shot-records.js';
import { benchArgs, listOf, positiveNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run bench:coverage [-- --shots 1000,5000,20000,50000 --rounds 5 --out bench-results/coverage.json]
  --shots N,...   shots in the log since the start, one run each (default 1000,5000,20000,50000)
  --rounds N      counts timed per run, the median reported (default 5)
  --out FILE      where the JSON goes (default bench-results/coverage.json)
  -h, --help      this text`;
const { sizes, rounds, values } = benchArgs(
  USAGE,
  process.argv.slice(2),
  { shots: { type: 'string', default: '1000,5000,20000,50000' }, rounds: { type: 'string', default: '5' }, out: { type: 'string', default: path.join(ROOT, 'bench-results', 'coverage.json') } },
  (values) => ({
    sizes: listOf('shots', values.shots, (name, item) => Math.round(positiveNumber(name, item, 1_000_000))),
    rounds: Math.round(positiveNumber('rounds', values.rounds, 100)),
    values,
  }),
);

const CAMERAS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];

const shot = shotLog();

/** A closed shot of 2 to 8 s; every 20th has no picture, every 50th an operator's scale (set once it is stored). */
function shotAt(i: number, inTime: number): ShotRecord {
  const seconds = 2 + (i % 7);
  return shot(CANONICAL_SCALES[i % CANONICAL_SCALES.length]!, seconds, {
    cameraId: CAMERAS[i % CAMERAS.length]!,
    inTime,
    scene: null,
    take: null,
    ...(i % 20 === 0 ? { noPicture: 'black' as const, noPictureS: seconds } : {}),
  });
}

function medianMs(work: () => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 10) / 10;
}

const rows: { shots: number; coverageMs: number; wholeShotsMs: number; pushSpacingS: number }[] = [];
process.stdout.write('   shots  coverage event (ms)  per camera from whole shots (ms)  pushes at most every (s)\n');
for (const size of sizes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'shotscale-coverage-bench-'));
  const log = ShotLog.open(dir, configSchema.parse({}), () => Date.now(), silentLogger, { shot() {}, takes() {}, coverage() {}, alert() {} });
  try {
    const start = Date.now() + 1000;
    log.db.transaction(() => {
      for (let i = 0; i < size; i++) {
        const id = log.shots.add(shotAt(i, start + Math.floor(i / CAMERAS.length) * 9000), null);
        if (i % 50 === 25) log.shots.setScale(id, 'MS');
      }
    })();
    const coverageMs = medianMs(() => log.coverageUpdate());
    const wholeShotsMs = medianMs(() => coverageByCamera(log.listShots({ from: start - 1000 })));
    const row = { shots: size, coverageMs, wholeShotsMs, pushSpacingS: Math.max(1, (20 * coverageMs) / 1000) };
    rows.push(row);
    process.stdout.write(`${String(size).padStart(8)}  ${String(coverageMs).padStart(19)}  ${String(wholeShotsMs).padStart(32)}  ${row.pushSpacingS.toFixed(1).padStart(24)}\n`);
  } finally {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify({ bench: 'coverage', rounds, rows }, null, 2));
process.stdout.write(`wrote ${values.out}\n`);
