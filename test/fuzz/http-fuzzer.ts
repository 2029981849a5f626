/**
 * Runs HTTP fuzz cases against the session's server in batches: a few
 * requests in flight at once, each judged as it answers (http-oracle.ts);
 * after every batch the process must be up and /api/health must answer the
 * admin. Every other batch carries no operator or admin token at all, and
 * the server's state must be the same after it as before; after the others,
 * the shots they edited must read back as edited (read-back.ts). After a
 * crash the batch is replayed one case at a time on a fresh server to name
 * the case.
 */
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { rawRequestBytes, rawSocketRequest } from '../support/raw-socket-http.js';
import { describeBytes, type Finding } from './fuzz-report.js';
import { FUZZ_CAMERAS, FUZZ_TOKENS } from './fuzz-server.js';
import { FuzzSession } from './fuzz-session.js';
import { Rng } from './fuzz-values.js';
import { httpCase, type HttpCase, type HttpFuzzContext } from './http-cases.js';
import { staleShotEdits, type Passed } from './read-back.js';
import { coverageNote, judgeHttp, type HttpOutcome, type OracleContext } from './http-oracle.js';

export interface HttpFuzzOptions {
  cases: number;
  seed: number;
  /** Requests in flight at once. */
  concurrency?: number;
  batchSize?: number;
  /** A line of progress now and then. */
  progress?: (line: string) => void;
}

/** The case as a report shows it: enough to send it again by hand. */
export function describeHttpCase(c: HttpCase): Record<string, unknown> {
  return {
    id: c.id,
    route: c.route,
    method: c.method,
    target: describeBytes(c.target, 400),
    headers: c.headers.slice(0, 12).map(([n, v]) => `${describeBytes(n, 60)}: ${describeBytes(v, 120)}`),
    ...(c.headers.length > 12 ? { moreHeaders: c.headers.length - 12 } : {}),
    ...(c.body ? { body: describeBytes(c.body, 300), bodyBytes: c.body.length } : {}),
    transport: c.transport,
    mutations: c.mutations,
  };
}

/** A deadline for the whole exchange: node:http's own timeout is for an idle socket, and a socket can go away without a word. */
function deadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (deadline)`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Sends one case and reports what came back (never rejects). */
export async function sendHttpCase(url: string, host: string, c: HttpCase, timeoutMs: number): Promise<HttpOutcome> {
  const started = Date.now();
  try {
    let response: RawResponse;
    if (c.transport === 'http') {
      // node:http frames a GET's or DELETE's body with nothing at all, so the length is given here.
      const headers = { ...Object.fromEntries(c.headers), ...(c.body ? { 'Content-Length': String(c.body.length) } : {}) };
      response = await deadline(rawRequest(url, c.method, c.target, { headers, ...(c.body ? { body: c.body } : {}), timeoutMs }), timeoutMs + 1_000);
    } else {
      const chunked = c.headers.some(([n, v]) => n.toLowerCase() === 'transfer-encoding' && /chunked\s*$/i.test(v));
      const body = c.body ?? Buffer.alloc(0);
      // The framing is always right, so that a server waiting for more is a hang of its own.
      const framing: [string, string][] = chunked ? [] : c.body ? [['Content-Length', String(body.length)]] : [];
      const payload = chunked ? Buffer.concat([Buffer.from(body.length ? `${body.length.toString(16)}\r\n` : '', 'latin1'), body, Buffer.from(body.length ? '\r\n0\r\n\r\n' : '0\r\n\r\n', 'latin1')]) : body;
      const bytes = rawRequestBytes(c.method, c.target, [['Host', host], ...c.headers, ...framing, ['Connection', 'close']], payload);
      response = await rawSocketRequest(url, bytes, { headOnly: c.method.toUpperCase() === 'HEAD', timeoutMs });
    }
    return { kind: 'response', status: response.status, headers: response.headers as Record<string, unknown>, body: response.body, ms: Date.now() - started };
  } catch (error) {
    const message = (error as Error).message;
    return { kind: /no answer within/.test(message) ? 'timeout' : 'closed', message, ms: Date.now() - started };
  }
}

function oracleContext(session: FuzzSession): OracleContext {
  return { routes: session.routes, tokens: FUZZ_TOKENS, publicFiles: session.publicFiles, secrets: [...Object.values(FUZZ_TOKENS), ...FUZZ_CAMERAS, 'shotscale_', 'shotscale-fuzz-', 'sqlite'] };
}

async function fuzzContext(session: FuzzSession): Promise<HttpFuzzContext> {
  const alerts = JSON.parse((await session.admin('GET', '/api/alerts')).body) as { active: { key: string }[] };
  return {
    routes: session.routes,
    tokens: FUZZ_TOKENS,
    host: session.host,
    cameraIds: [...FUZZ_CAMERAS, 'fz-1', 'no-such-cam'],
    shotIds: ['1', '2', '3', '999999'],
    alertKeys: [...alerts.active.map((a) => a.key), 'doubling:cam-a+cam-b', 'stalled:cam-a', 'no-such-alert'],
    publicFiles: session.publicFiles.names,
  };
}

/** Runs `cases` and judges each; returns those answered below 400 or with a 5xx: the only ones that could have changed anything. */
async function runBatch(session: FuzzSession, cases: HttpCase[], concurrency: number, oracle: OracleContext): Promise<Passed[]> {
  const tally = session.tally.http;
  const through: Passed[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const mark = session.server.stderrMark;
      const outcome = await sendHttpCase(session.url, session.host, c, session.timeoutMs);
      tally.cases += 1;
      tally.status(outcome.kind === 'response' ? outcome.status : outcome.kind);
      if (outcome.kind === 'response' && (outcome.status < 400 || outcome.status >= 500)) through.push({ c, status: outcome.status, body: outcome.body });
      const note = coverageNote(c, outcome, oracle);
      // A 2xx worth a look: a role on a route it may not use that reached another route, or a tokenless one.
      if (note) tally.note(note, note.endsWith('2xx') || note.startsWith('no valid token, 2xx') || note.startsWith('error body') ? () => ({ case: describeHttpCase(c), status: outcome.kind === 'response' ? outcome.status : outcome.kind, body: outcome.kind === 'response' ? outcome.body.slice(0, 300) : '' }) : undefined);
      for (const verdict of judgeHttp(c, outcome, oracle)) {
        const finding: Finding = {
          kind: verdict.kind,
          detail: verdict.detail,
          case: describeHttpCase(c),
          response: outcome.kind === 'response' ? { status: outcome.status, headers: outcome.headers, body: outcome.body.slice(0, 2_000) } : { status: outcome.kind, body: outcome.message },
          stderr: session.server.stderrSince(mark, 20),
        };
        tally.add(finding, `${c.route} ${outcome.kind === 'response' ? outcome.status : outcome.kind}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return through;
}

/** After a crash: the batch again, one case at a time on a fresh server, to find the one that kills it. */
async function replayCrash(session: FuzzSession, cases: HttpCase[]): Promise<HttpCase | null> {
  await session.restart();
  for (const c of cases) {
    await sendHttpCase(session.url, session.host, c, session.timeoutMs);
    await new Promise((r) => setTimeout(r, 50));
    if ((await session.healthProblem()) !== null) return c;
  }
  return null;
}

export async function runHttpFuzz(session: FuzzSession, options: HttpFuzzOptions): Promise<void> {
  const rng = new Rng(options.seed);
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 6;
  const oracle = oracleContext(session);
  const tally = session.tally.http;
  let ctx = await fuzzContext(session);
  for (let start = 0, batch = 0; start < options.cases; start += batchSize, batch++) {
    // Odd batches may use operator and admin tokens; even ones must leave no trace.
    const privileged = batch % 2 === 1;
    const cases = Array.from({ length: Math.min(batchSize, options.cases - start) }, (_, i) => httpCase(rng, ctx, start + i, privileged));
    const before = privileged ? null : await session.state();
    const mark = session.server.stderrMark;
    const through = await runBatch(session, cases, concurrency, oracle);
    const problem = await session.healthProblem();
    if (problem) {
      const stderr = session.server.stderrSince(mark, 30);
      // A process killed a moment ago may still look alive; recovers() waits until it answers or is gone.
      const still = await session.recovers(20_000);
      const crashed = !session.server.alive;
      if (crashed || still) {
        const culprit = await replayCrash(session, cases);
        tally.add(
          {
            kind: crashed ? 'crash' : 'unresponsive',
            detail: `${problem}${culprit ? `; replayed alone, case ${culprit.id} does it` : `; not reproduced by replaying the batch's ${cases.length} cases one at a time`}`,
            ...(culprit ? { case: describeHttpCase(culprit) } : { case: { batch: cases.map((c) => describeHttpCase(c)).slice(0, 5) } }),
            stderr: culprit ? session.server.stderrTail(30) : stderr,
          },
          `batch ${batch}`,
        );
        if (!session.server.alive || (await session.healthProblem())) await session.restart();
        ctx = await fuzzContext(session);
      } else {
        tally.add({ kind: 'unresponsive', detail: `${problem}; answered again within 20 s`, stderr }, `batch ${batch}`);
      }
      continue;
    }
    if (before) {
      const change = FuzzSession.stateChange(before, await session.state());
      if (change) {
        const suspects = through.map((p) => p.c).filter((c) => c.method.toUpperCase() !== 'GET' && c.method.toUpperCase() !== 'HEAD');
        const who = suspects.length
          ? `the suspects are its requests that changed something and were answered below 400`
          : 'no request of the batch that could change anything got past validation, so the server changed this on its own (an earlier allowed edit that showed late?)';
        tally.add({ kind: 'state', detail: `between the start and the end of a batch without operator or admin tokens: ${change}; ${who}`, ...(suspects.length ? { case: { suspects: suspects.slice(0, 8).map(describeHttpCase) } } : {}), stderr: session.server.stderrSince(mark, 20) }, `batch-state ${batch}`);
      }
    } else {
      const stale = await staleShotEdits(session, through);
      if (stale) tally.add({ kind: 'stale', detail: stale.detail, case: describeHttpCase(stale.c), response: { status: 'read back', body: stale.read }, stderr: session.server.stderrSince(mark, 10) }, `stale ${stale.c.route}`);
      await session.restoreCameras();
    }
    if (options.progress && (batch + 1) % 20 === 0) options.progress(`http: ${tally.cases}/${options.cases} cases, ${tally.total} findings`);
  }
}
