/**
 * An allowed edit must be what a read shows next. After a batch, each shot
 * that exactly one request edited (PATCH /api/shots/:id answered 2xx with the
 * shot) is read back as the admin, and the edited fields must match the
 * answer. Batches in which a take started or ended are skipped: a take
 * stamps its scene and take on open shots by right.
 */
import type { HttpCase } from './http-cases.js';
import type { FuzzSession } from './fuzz-session.js';

/** A case that got past validation, with what it was answered. */
export interface Passed {
  c: HttpCase;
  status: number;
  body: string;
}

const EDITED = ['tags', 'note', 'scene', 'take'] as const;

type ShotFields = Partial<Record<(typeof EDITED)[number] | 'id' | 'status', unknown>>;

function parse(body: string): ShotFields | null {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' && 'id' in value ? (value as ShotFields) : null;
  } catch {
    return null;
  }
}

/** The first shot whose read-back differs from the answer to its one edit, or null. */
export async function staleShotEdits(session: FuzzSession, passed: Passed[]): Promise<{ c: HttpCase; detail: string; read: string } | null> {
  const writes = passed.filter((p) => p.status < 300 && p.c.method.toUpperCase() !== 'GET' && p.c.method.toUpperCase() !== 'HEAD');
  if (writes.some((p) => p.c.route.startsWith('POST /api/takes') || p.c.route.startsWith('PATCH /api/cameras') || p.c.route.startsWith('DELETE /api/cameras'))) return null;
  const edits = new Map<number, { c: HttpCase; answer: ShotFields }[]>();
  for (const p of writes) {
    const answer = p.c.route === 'PATCH /api/shots/:id' ? parse(p.body) : null;
    if (answer && typeof answer.id === 'number') edits.set(answer.id, [...(edits.get(answer.id) ?? []), { c: p.c, answer }]);
  }
  for (const [id, list] of edits) {
    if (list.length !== 1) continue;
    const { c, answer } = list[0]!;
    const read = await session.admin('GET', `/api/shots/${id}`);
    const now = parse(read.body);
    const differs = now ? EDITED.filter((k) => JSON.stringify(now[k]) !== JSON.stringify(answer[k])) : ['the shot'];
    if (differs.length) {
      const shown = (f: ShotFields | null) => JSON.stringify(Object.fromEntries(EDITED.map((k) => [k, f?.[k]])));
      return { c, detail: `PATCH /api/shots/${id} answered ${shown(answer)} (status ${String(answer.status)}), but GET /api/shots/${id} then shows ${shown(now)} (status ${String(now?.status)}): ${differs.join(', ')} differ`, read: read.body.slice(0, 1_000) };
    }
  }
  return null;
}
