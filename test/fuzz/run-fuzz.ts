/**
 * `npm run fuzz [-- --http 10000 --socket 2000 --seed 1 --out bench-results/fuzz.json]` (`--help` lists the options):
 * seeded, bounded fuzzing of the HTTP API and the Socket.IO events against a
 * real `shotscale serve` process. Prints cases run, status counts, 5xx,
 * crashes, hangs, bypasses and time; writes the figures and every kept
 * finding (case, answer, server stderr) as JSON. Asserts nothing, but exits
 * 1 when it found anything, so a CI job can run it too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatFindings, type FuzzTally } from './fuzz-report.js';
import { DEFAULT_TIMEOUT_MS, FuzzSession } from './fuzz-session.js';
import { runHttpFuzz } from './http-fuzzer.js';
import { runSocketFuzz } from './socket-fuzzer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const OPTIONS = {
  http: { type: 'string', default: '10000' },
  socket: { type: 'string', default: '2000' },
  seed: { type: 'string', default: '1' },
  timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_MS) },
  out: { type: 'string', default: path.join(ROOT, 'bench-results', 'fuzz.json') },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const USAGE_LINE = 'usage: npm run fuzz -- [--http N] [--socket N] [--seed N] [--timeout MS] [--out FILE] (--help says what each is)';

const USAGE = `usage: npm run fuzz -- [--http N] [--socket N] [--seed N] [--timeout MS] [--out FILE]

Seeded fuzzing of the HTTP API and the Socket.IO events against a real
\`shotscale serve\`; exits 1 when it finds anything.

  --http N       HTTP cases (default ${OPTIONS.http.default})
  --socket N     Socket.IO cases (default ${OPTIONS.socket.default})
  --seed N       seed, so a run replays (default ${OPTIONS.seed.default})
  --timeout MS   longest wait for one answer before it counts as a hang (default ${OPTIONS.timeout.default})
  --out FILE     where the figures and findings go as JSON (default ${path.relative(process.cwd(), OPTIONS.out.default)})
  -h, --help     this text`;

const parse = () => parseArgs({ options: OPTIONS }).values;

/** The options; one it does not know (or an argument) is a usage line and exit 2 (parseArgs threw with a stack). */
function readOptions(): ReturnType<typeof parse> {
  try {
    return parse();
  } catch (error) {
    console.error(`error BAD_REQUEST: ${(error as Error).message.split('. ')[0]}\n${USAGE_LINE}`);
    process.exit(2);
  }
}

const values = readOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
for (const key of ['http', 'socket', 'seed', 'timeout'] as const) {
  if (!/^\d+$/.test(values[key])) {
    console.error(`error BAD_REQUEST: --${key} ${JSON.stringify(values[key])} is not a whole number\n${USAGE_LINE}`);
    process.exit(2);
  }
}
const httpCases = Number(values.http);
const socketCases = Number(values.socket);
const seed = Number(values.seed);

function line(name: string, tally: FuzzTally, seconds: number): string {
  const c = tally.counts;
  const statuses = Object.entries(tally.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return [
    `${name}: ${tally.cases} cases in ${seconds.toFixed(1)} s (${(tally.cases / Math.max(seconds, 0.001)).toFixed(0)}/s)`,
    `  answers: ${statuses}`,
    `  5xx ${c['5xx']}, crashes ${c.crash}, hangs ${c.hang}, bypasses ${c.bypass}, leaks ${c.leak}, state changes ${c.state}, stale reads ${c.stale}, unanswered closes ${c.closed}, unresponsive ${c.unresponsive}, missing acks ${c['no-ack']}, bad acks ${c['bad-ack']}, lost connections ${c.disconnect}`,
    ...wrap(Object.entries(tally.notes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`)),
  ].join('\n');
}

/** Items as indented lines of about 120 characters. */
function wrap(items: string[]): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + item.length < 120) lines[lines.length - 1] = `${last}, ${item}`;
    else lines.push(`  ${item}`);
  }
  return lines;
}

// Exiting (rather than dying of the signal) runs the exit hook that takes the server down with us.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const started = Date.now();
const session = await FuzzSession.start(Number(values.timeout));
const times = { http: 0, socket: 0 };
try {
  let t = Date.now();
  await runHttpFuzz(session, { cases: httpCases, seed, progress: (l) => console.error(l) });
  times.http = (Date.now() - t) / 1000;
  t = Date.now();
  await runSocketFuzz(session, { cases: socketCases, seed, progress: (l) => console.error(l) });
  times.socket = (Date.now() - t) / 1000;
} finally {
  await session.stop();
}

const { http, socket } = session.tally;
const findings = [...http.findings, ...socket.findings];
const total = http.total + socket.total;
console.log(`fuzz (seed ${seed}) against a real server; ${session.restarts} restarts`);
console.log(line('HTTP', http, times.http));
console.log(line('Socket.IO', socket, times.socket));
console.log(`total: ${total} findings in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (findings.length) console.log(formatFindings(findings, 30));

mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  JSON.stringify(
    {
      seed,
      when: new Date().toISOString(),
      timeoutMs: Number(values.timeout),
      restarts: session.restarts,
      seconds: { http: times.http, socket: times.socket, total: (Date.now() - started) / 1000 },
      http: http.summary(),
      socket: socket.summary(),
      findings,
    },
    null,
    2,
  ),
);
console.log(`wrote ${path.relative(process.cwd(), values.out)}`);
process.exitCode = total > 0 ? 1 : 0;
