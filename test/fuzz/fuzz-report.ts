/**
 * What a fuzz run found and counted: findings by kind with the case that
 * made each (as sent, shortened only where it would flood a report), the
 * answer and the server's stderr lines; status counts; and the summary the
 * script prints and writes to bench-results/fuzz.json.
 */

export const FINDING_KINDS = ['5xx', 'crash', 'hang', 'closed', 'bypass', 'leak', 'state', 'stale', 'unresponsive', 'no-ack', 'bad-ack', 'disconnect'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  /** What was wrong, in one line. */
  detail: string;
  /** The request or packets, as sent (see describeBytes). */
  case?: Record<string, unknown>;
  response?: { status: number | string; headers?: Record<string, unknown>; body: string };
  stderr: string[];
}

/** Findings past this many of one kind and route are counted, not kept: one bug found 500 times is one bug. */
const KEPT_PER_SIGNATURE = 3;
const KEPT_IN_ALL = 300;

/** A string or bytes as JSON-safe text: printable ASCII as is, anything else escaped, long ones cut with their length. */
export function describeBytes(value: string | Buffer | undefined, max = 300): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : value.toString('latin1');
  const shown = text.slice(0, max).replace(/[^\u0020-\u007e]/g, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return text.length > max ? `${shown}... (${text.length} ${typeof value === 'string' ? 'chars' : 'bytes'})` : shown;
}

export class FuzzTally {
  cases = 0;
  readonly statuses: Record<string, number> = {};
  readonly counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  readonly findings: Finding[] = [];
  private readonly seen = new Map<string, number>();
  /** Free-form counters (acks, disconnects, refused connects...). */
  readonly notes: Record<string, number> = {};

  status(status: number | string): void {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  /** The first case behind some notes, to show what such a case looked like. */
  readonly examples: Record<string, unknown> = {};

  note(name: string, example?: () => unknown): void {
    this.notes[name] = (this.notes[name] ?? 0) + 1;
    if (example && !(name in this.examples)) this.examples[name] = example();
  }

  /** Counts a finding and keeps the first few of its kind for `signature` (route, status...). */
  add(finding: Finding, signature: string): void {
    this.counts[finding.kind] += 1;
    const key = `${finding.kind} ${signature}`;
    const seen = this.seen.get(key) ?? 0;
    this.seen.set(key, seen + 1);
    if (seen < KEPT_PER_SIGNATURE && this.findings.length < KEPT_IN_ALL) this.findings.push(finding);
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** Distinct signatures and how often each was hit. */
  signatures(): Record<string, number> {
    return Object.fromEntries([...this.seen].sort((a, b) => b[1] - a[1]));
  }

  summary(): Record<string, unknown> {
    return { cases: this.cases, statuses: this.statuses, findings: this.counts, notes: this.notes, examples: this.examples, signatures: this.signatures() };
  }
}

/** Worst first: after a crash, every request of its batch also went unanswered, and the crash is the news. */
const SEVERITY: FindingKind[] = ['crash', 'unresponsive', '5xx', 'bypass', 'leak', 'state', 'stale', 'hang', 'no-ack', 'bad-ack', 'disconnect', 'closed'];

/** Lines for a terminal or an assertion message: the kept findings, worst first, each with its case, answer and stderr. */
export function formatFindings(findings: Finding[], max = 20): string {
  return [...findings]
    .sort((a, b) => SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind))
    .slice(0, max)
    .map((f, i) => {
      const lines = [`#${i + 1} ${f.kind}: ${f.detail}`];
      if (f.case) lines.push(`   case: ${describeBytes(JSON.stringify(f.case), 3_000)}`);
      if (f.response) lines.push(`   answer: ${f.response.status} ${describeBytes(f.response.body, 400)}`);
      if (f.stderr.length) lines.push('   stderr:', ...f.stderr.slice(-8).map((l) => `     ${describeBytes(l, 400)}`));
      return lines.join('\n');
    })
    .join('\n');
}
