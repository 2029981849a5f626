/**
 * Runs Socket.IO fuzz cases in batches: lanes of each role (two per role)
 * work through their cases in parallel, handshakes run one at a time beside
 * them. Judged per case: acks that were owed arrived (and a viewer's take:*
 * was FORBIDDEN, never ok), no ack says INTERNAL, a well-formed packet did
 * not cost the connection, the probe never waited past the timeout, and no
 * handshake got in without a token that may. Every third batch is viewers
 * only, and the takes must be the same after it. After every batch the
 * process must be up and /api/health must answer the admin.
 */
import { io } from 'socket.io-client';
import type { Role } from '../../server/shared/access-roles.js';
import { describeBytes, type Finding, type FindingKind } from './fuzz-report.js';
import { FUZZ_TOKENS } from './fuzz-server.js';
import type { FuzzSession } from './fuzz-session.js';
import { Rng } from './fuzz-values.js';
import { socketConnectCase, socketPacketCase, type LaneRole, type SocketCase, type SocketConnectCase, type SocketPacketCase } from './socket-cases.js';
import { SocketLane, type LaneResult } from './socket-lane.js';

export interface SocketFuzzOptions {
  cases: number;
  seed: number;
  batchSize?: number;
  lanesPerRole?: number;
  progress?: (line: string) => void;
}

const LANE_ROLES: LaneRole[] = ['admin', 'operator', 'viewer'];

/** A probe is answered in milliseconds; after a malformed case, this long without one means it will not be. */
const MALFORMED_PROBE_MS = 1_500;

export function describeSocketCase(c: SocketCase): Record<string, unknown> {
  if (c.kind === 'connect') return { id: c.id, kind: 'connect', auth: describeBytes(JSON.stringify(c.auth) ?? 'undefined', 200), query: c.query ? describeBytes(JSON.stringify(c.query), 200) : undefined, mutations: c.mutations };
  return {
    id: c.id,
    kind: 'packets',
    role: c.role,
    event: describeBytes(c.event, 60),
    expect: c.expect,
    frames: c.frames.map((f) => `${f.via}: ${typeof f.data === 'string' ? describeBytes(f.data, 300) : `<${f.data.length} binary bytes>`}`),
    mutations: c.mutations,
  };
}

/** What is wrong with how the server treated a packets case. */
function judgePackets(c: SocketPacketCase, result: LaneResult): { kind: FindingKind; detail: string; ack?: unknown }[] {
  const out: { kind: FindingKind; detail: string; ack?: unknown }[] = [];
  // A malformed case may leave the namespace ("1") or the decoder waiting for attachments: the probe then goes unanswered by right.
  if (result.timedOut && c.expect !== 'any') out.push({ kind: 'hang', detail: 'the probe after this case got no ack in time; the connection is still open' });
  if (result.disconnected && c.expect !== 'any') out.push({ kind: 'disconnect', detail: `a well-formed ${c.event} packet cost the connection (${result.disconnected})` });
  if (c.ackId === null || result.disconnected || result.timedOut) return out;
  const ack = result.acks.get(c.ackId);
  if (ack === undefined) return [...out, { kind: 'no-ack', detail: `${c.event} with ack id ${c.ackId}: no ack, though later packets were answered` }];
  const answer = ack[0] as { ok?: unknown; error?: { code?: unknown } } | null | undefined;
  if (c.expect === 'unknown') {
    if (answer?.ok !== false || answer.error?.code !== 'BAD_REQUEST') out.push({ kind: 'bad-ack', detail: `the unknown event ${JSON.stringify(c.event.slice(0, 40))} was answered ${JSON.stringify(answer).slice(0, 200)}, not BAD_REQUEST`, ack });
  } else if (c.expect === 'forbidden' && (answer?.ok !== false || answer.error?.code !== 'FORBIDDEN')) {
    out.push({ kind: 'bypass', detail: `a viewer's ${c.event} was answered ${JSON.stringify(answer).slice(0, 200)}, not FORBIDDEN`, ack });
  } else if (typeof answer?.ok !== 'boolean') {
    out.push({ kind: 'bad-ack', detail: `${c.event} ack is not { ok, ... }`, ack });
  } else if (answer.error?.code === 'INTERNAL') {
    out.push({ kind: 'bad-ack', detail: `${c.event} answered INTERNAL`, ack });
  } else if (c.event.endsWith('subscribe')) {
    const subscribed = (answer as { subscribed?: unknown }).subscribed;
    if (subscribed !== null && !(Array.isArray(subscribed) && subscribed.every((id) => typeof id === 'string'))) out.push({ kind: 'bad-ack', detail: `${c.event} ack's subscribed is neither null nor a list of camera ids`, ack });
  }
  return out;
}

/** The roles whose token the handshake carries: as a word, as the server reads a token with the spaces around it trimmed. */
function carried(value: unknown): Role[] {
  const text = JSON.stringify(value) ?? '';
  return (Object.keys(FUZZ_TOKENS) as Role[]).filter((role) => new RegExp(`(?<![A-Za-z0-9_-])${FUZZ_TOKENS[role].replace(/[-]/g, '\\-')}(?![A-Za-z0-9_-])`).test(text));
}

/** A handshake: refused unless it carries a viewer, operator or admin token, and then as no more than that role. */
async function runConnect(session: FuzzSession, c: SocketConnectCase): Promise<{ kind: FindingKind; detail: string } | null> {
  const client = io(session.url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: session.timeoutMs, ...(c.auth !== undefined ? { auth: c.auth as Record<string, unknown> } : {}), ...(c.query ? { query: c.query } : {}) });
  const outcome = await new Promise<{ role: string | null } | { refused: string } | { hang: true }>((resolve) => {
    const timer = setTimeout(() => resolve({ hang: true }), session.timeoutMs);
    const done = (v: { role: string | null } | { refused: string }) => {
      clearTimeout(timer);
      resolve(v);
    };
    client.once('hello', (info) => done({ role: (info as { role?: string }).role ?? null }));
    client.once('connect_error', (error) => done({ refused: error.message }));
    client.io.once('close', (reason) => done({ refused: `closed: ${reason}` }));
  });
  client.close();
  session.tally.socket.note('role' in outcome ? 'connects accepted' : 'refused' in outcome ? 'connects refused' : 'connects unanswered');
  if ('hang' in outcome) return { kind: 'hang', detail: `the handshake got neither hello nor a refusal within ${session.timeoutMs} ms` };
  if (!('role' in outcome)) return null;
  const roles: Role[] = carried({ auth: c.auth, query: c.query }).filter((r) => r !== 'publish');
  if (!roles.length) return { kind: 'bypass', detail: `connected as ${outcome.role} without a viewer, operator or admin token` };
  if (!roles.some((r) => r === outcome.role)) return { kind: 'bypass', detail: `connected as ${outcome.role} carrying only ${roles.join(', ')} tokens` };
  return null;
}

export class SocketFuzzer {
  private ackId = 1_000_000;
  private lanes: SocketLane[] = [];
  private readonly nextAckId = () => ++this.ackId;

  constructor(
    private readonly session: FuzzSession,
    private readonly options: SocketFuzzOptions,
  ) {}

  private async openLanes(): Promise<void> {
    for (const lane of this.lanes) lane.close();
    this.lanes = [];
    for (const role of LANE_ROLES) for (let i = 0; i < (this.options.lanesPerRole ?? 2); i++) this.lanes.push(await SocketLane.open(this.session.url, role, FUZZ_TOKENS[role], this.nextAckId, this.session.timeoutMs));
  }

  /** The lane at `index`, opened again if a case closed it (null if it cannot be). */
  private async lane(index: number): Promise<SocketLane | null> {
    const lane = this.lanes[index]!;
    if (lane.open) return lane;
    const fresh = await SocketLane.open(this.session.url, lane.role, FUZZ_TOKENS[lane.role], this.nextAckId, this.session.timeoutMs).catch(() => null);
    if (fresh) this.lanes[index] = fresh;
    return fresh;
  }

  /** Runs one case (packets on lane `index`). */
  private async runCase(c: SocketCase, index: number | null): Promise<void> {
    const tally = this.session.tally.socket;
    const mark = this.session.server.stderrMark;
    tally.cases += 1;
    const verdicts: { kind: FindingKind; detail: string; ack?: unknown }[] = [];
    if (c.kind === 'connect') {
      const verdict = await runConnect(this.session, c);
      if (verdict) verdicts.push(verdict);
    } else {
      const lane = await this.lane(index!);
      if (!lane) {
        verdicts.push({ kind: 'unresponsive', detail: `a ${c.role} client could not connect again` });
      } else {
        // A malformed case's probe may go unanswered by right; waiting the full timeout on each would be most of the run.
        const result = await lane.run(c.frames, c.expect === 'any' ? Math.min(MALFORMED_PROBE_MS, this.session.timeoutMs) : this.session.timeoutMs);
        tally.status(result.disconnected ? 'disconnected' : result.timedOut ? (c.expect === 'any' ? 'left unanswered (malformed)' : 'timeout') : c.ackId !== null && result.acks.has(c.ackId) ? 'acked' : 'no ack due');
        verdicts.push(...judgePackets(c, result));
        if (c.ackId !== null && result.acks.has(c.ackId)) tally.note(`acks (${c.expect})`);
        if (result.disconnected) tally.note(`disconnects (${c.expect})`);
        if (result.timedOut) {
          tally.note(`probe unanswered (${c.expect})`);
          lane.close();
        }
      }
    }
    for (const v of verdicts) {
      const finding: Finding = { kind: v.kind, detail: v.detail, case: describeSocketCase(c), ...(v.ack !== undefined ? { response: { status: 'ack', body: JSON.stringify(v.ack).slice(0, 1_000) } } : {}), stderr: this.session.server.stderrSince(mark, 20) };
      tally.add(finding, `${c.kind === 'packets' ? `${c.event.slice(0, 40)} ${c.expect}` : 'connect'} ${v.detail.slice(0, 40)}`);
    }
  }

  /** Each lane works through the cases of its role in order; handshakes run beside them. */
  private async runBatch(cases: SocketCase[]): Promise<void> {
    const connects = cases.filter((c): c is SocketConnectCase => c.kind === 'connect');
    const byLane = new Map<number, SocketPacketCase[]>();
    const counters = new Map<LaneRole, number>();
    for (const c of cases) {
      if (c.kind !== 'packets') continue;
      const candidates = this.lanes.map((l, i) => [l, i] as const).filter(([l]) => l.role === c.role);
      const turn = counters.get(c.role) ?? 0;
      counters.set(c.role, turn + 1);
      const index = candidates[turn % candidates.length]![1];
      byLane.set(index, [...(byLane.get(index) ?? []), c]);
    }
    const laneWork = [...byLane].map(async ([index, queue]) => {
      for (const c of queue) await this.runCase(c, index);
    });
    const connectWork = (async () => {
      for (const c of connects) await this.runCase(c, null);
    })();
    await Promise.all([...laneWork, connectWork]);
  }

  /** After a crash: the batch once more, one case at a time on a fresh server. */
  private async replay(cases: SocketCase[]): Promise<SocketCase | null> {
    await this.session.restart();
    await this.openLanes();
    for (const c of cases) {
      await this.runCase(c, c.kind === 'packets' ? this.lanes.findIndex((l) => l.role === c.role) : null);
      if ((await this.session.healthProblem()) !== null) return c;
    }
    return null;
  }

  async run(): Promise<void> {
    const { session, options } = this;
    const rng = new Rng(options.seed ^ 0x5eed);
    const batchSize = options.batchSize ?? 40;
    const tally = session.tally.socket;
    await this.openLanes();
    try {
      for (let start = 0, batch = 0; start < options.cases; start += batchSize, batch++) {
        const viewersOnly = batch % 3 === 0;
        const cases: SocketCase[] = Array.from({ length: Math.min(batchSize, options.cases - start) }, (_, i) =>
          rng.chance(0.08) ? socketConnectCase(rng, FUZZ_TOKENS, start + i) : socketPacketCase(rng, session.events, start + i, viewersOnly ? 'viewer' : rng.pick(LANE_ROLES), this.nextAckId),
        );
        const takesBefore = viewersOnly ? (await session.admin('GET', '/api/takes')).body : null;
        const mark = session.server.stderrMark;
        await this.runBatch(cases);
        const problem = await session.healthProblem();
        if (problem) {
          const stderr = session.server.stderrSince(mark, 30);
          const still = await session.recovers(20_000);
          const crashed = !session.server.alive;
          if (!crashed && !still) {
            tally.add({ kind: 'unresponsive', detail: `${problem}; answered again within 20 s`, stderr }, `batch ${batch}`);
            continue;
          }
          const culprit = await this.replay(cases);
          tally.add({ kind: crashed ? 'crash' : 'unresponsive', detail: `${problem}${culprit ? `; replayed alone, case ${culprit.id} does it` : '; not reproduced case by case'}`, case: culprit ? describeSocketCase(culprit) : { batch: cases.slice(0, 5).map(describeSocketCase) }, stderr: culprit ? session.server.stderrTail(30) : stderr }, `batch ${batch}`);
          if (await session.healthProblem()) await session.restart();
          await this.openLanes();
          continue;
        }
        if (takesBefore !== null) {
          const takesAfter = (await session.admin('GET', '/api/takes')).body;
          if (takesAfter !== takesBefore) tally.add({ kind: 'state', detail: `a batch of viewer packets changed the takes: ${takesBefore.slice(0, 400)} -> ${takesAfter.slice(0, 400)}`, case: { batch: cases.map(describeSocketCase).slice(0, 40) }, stderr: session.server.stderrSince(mark, 20) }, `batch-state ${batch}`);
        }
        if (options.progress && (batch + 1) % 10 === 0) options.progress(`socket: ${tally.cases}/${options.cases} cases, ${tally.total} findings`);
      }
    } finally {
      for (const lane of this.lanes) lane.close();
    }
  }
}

export async function runSocketFuzz(session: FuzzSession, options: SocketFuzzOptions): Promise<void> {
  await new SocketFuzzer(session, options).run();
}
