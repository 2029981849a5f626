/**
 * How the Coverage view words a take and its mark: "Take 3 · circled",
 * "Take 4 · NG: not counted (2 shots)", "Take 5 · running"; and how the
 * Shots view puts a mark it hears of on the shots it lists.
 */
import type { ShotRecord, SlateMark, Take, TakeMarkNote } from '../../../server/shared/shots.js';

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

/**
 * The shots with the marks of `changes` (the server's `take:mark`, oldest
 * first) on every shot of their scene and take number; the same array when
 * none changes.
 */
export function withSlateMarks<T extends ShotRecord>(shots: readonly T[], changes: readonly SlateMark[]): readonly T[] {
  let changed = false;
  const marked = shots.map((shot) => {
    let result = shot;
    for (const change of changes) {
      if (shot.scene !== change.scene || shot.take !== change.take || (result.takeMark ?? null) === change.mark) continue;
      const { takeMark: _old, ...rest } = result;
      result = (change.mark ? { ...rest, takeMark: change.mark } : rest) as T;
    }
    if (result !== shot) changed = true;
    return result;
  });
  return changed ? marked : shots;
}
