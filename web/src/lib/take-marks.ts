/**
 * How the Coverage view words a take and its mark: "Take 3 · circled",
 * "Take 4 · NG: not counted (2 shots)", "Take 5 · running".
 */
import type { Take, TakeMarkNote } from '../../../server/shared/shots.js';

export function takeMarkLine(take: Pick<Take, 'take' | 'mark' | 'endedAt'>, notes: readonly TakeMarkNote[] = []): string {
  const running = take.endedAt === null ? ' · running' : '';
  if (take.mark === 'circled') return `Take ${take.take} · circled${running}`;
  if (take.mark === 'ng') {
    const shots = notes.find((note) => note.take === take.take && note.mark === 'ng')?.shots ?? 0;
    return `Take ${take.take} · NG: not counted${shots ? ` (${shots} shot${shots === 1 ? '' : 's'})` : ''}${running}`;
  }
  return `Take ${take.take}${running}`;
}

/** The takes of each scene, in slate order. */
export function takesByScene(takes: readonly Take[]): Map<string, Take[]> {
  const byScene = new Map<string, Take[]>();
  for (const take of [...takes].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id)) {
    const list = byScene.get(take.scene) ?? [];
    list.push(take);
    byScene.set(take.scene, list);
  }
  return byScene;
}

/** The list with `marked` in place of the take it replaces (the server's answer to a mark). */
export function withMarkedTake(takes: readonly Take[], marked: Take): Take[] {
  return takes.map((take) => (take.id === marked.id ? marked : take));
}
