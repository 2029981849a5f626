/**
 * Which scenes the Coverage view lists, in what order, and which it marks:
 * pure, unit-tested under node (test/unit/web-scene-list.test.ts).
 */
import type { CoverageStats, CoverageUpdate, SceneCoverage, Take, TakeMarkNote } from '../../../server/shared/shots.js';
import { formatCount, formatDuration, formatSeconds } from './format.js';

/** How a scene card is marked: a take of it is running, it was slated last, or neither. */
export type SceneMark = 'shooting' | 'last' | null;

/**
 * The scenes with a take running, each once, in the order their takes began.
 * Every one of them: two units may shoot scenes 14 and 20 at once on
 * different cameras, and both are being shot.
 */
export function runningScenes(running: readonly Pick<Take, 'scene' | 'startedAt'>[]): string[] {
  const scenes: string[] = [];
  for (const take of [...running].sort((a, b) => a.startedAt - b.startedAt)) if (!scenes.includes(take.scene)) scenes.push(take.scene);
  return scenes;
}

/**
 * A scene's title, "Scene 14": a scene named "Scene of the crime" (or
 * "SCENE 4A") is titled by its name alone, never "Scene Scene of the crime".
 */
export function sceneTitle(scene: string): string {
  return /^scene\b/i.test(scene.trim()) ? scene : `Scene ${scene}`;
}

/** A slate in full, for a tile's tooltip where the label is cut short: "Scene 14 · Take 3". */
export function slateTitle(scene: string, take: string): string {
  return `${sceneTitle(scene)} · Take ${take}`;
}

/** A scene's mark: shooting now, else the last slated one (when it is `last`). */
export function sceneMark(scene: string, running: readonly string[], last: string | null | undefined): SceneMark {
  if (running.includes(scene)) return 'shooting';
  return last != null && scene === last ? 'last' : null;
}

/**
 * The takes whose own line ("Take 3: 1 of 2 met · missing in this take:
 * ...") a scene's card shows: each of its running takes, newest first (two
 * units may shoot scenes 12 and 14 at once, and each card has its line);
 * when no take runs, the one that ended last, on its scene's card. A server
 * of an older version (a node in a cluster) sends no `running`: its one
 * current take then.
 */
export function takeLines(update: (Pick<CoverageUpdate, 'current'> & { running?: readonly SceneCoverage[] }) | null, scene: string): SceneCoverage[] {
  if (!update) return [];
  const takes = update.running?.length ? update.running : update.current ? [update.current] : [];
  return takes.filter((take) => take.scene === scene && take.take !== null);
}

/**
 * Scenes for the Coverage view: those being shot first, then the last slated
 * one, then the rest by name (12 before 12A before 13).
 */
export function orderScenes<T extends { scene: string }>(scenes: readonly T[], running: readonly string[], last?: string | null): T[] {
  const rank = (scene: string): number => {
    const mark = sceneMark(scene, running, last);
    return mark === 'shooting' ? 0 : mark === 'last' ? 1 : 2;
  };
  return [...scenes].sort((a, b) => rank(a.scene) - rank(b.scene) || byName(a.scene, b.scene));
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

/**
 * The scenes whose name holds what was typed, ignoring case and the
 * surrounding spaces; "Scene " typed before the name is ignored too, as the
 * cards read "Scene 12". An empty filter keeps every scene.
 */
export function filterScenes<T extends { scene: string }>(scenes: readonly T[], query: string): T[] {
  const wanted = query
    .trim()
    .replace(/^scene\s+/i, '')
    .toLocaleLowerCase();
  if (!wanted) return [...scenes];
  return scenes.filter((s) => s.scene.toLocaleLowerCase().includes(wanted));
}

/**
 * A scene's figures in one line: "3 shots · average 4.2 s · 12 s of camera
 * time". The time is every camera's summed (a 6 s take on 2 cameras is 12 s),
 * so it says so: read as the scene's length it misled by a factor of the
 * cameras. A scene whose every take is NG has shots, none of them counted
 * (`marks`, the scene's marked takes): "no shots yet" there read as a scene
 * never shot.
 */
export function sceneStatsLine(stats: Pick<CoverageStats, 'shots' | 'seconds' | 'averageShotLengthS'> & { noPicture?: CoverageStats['noPicture'] }, marks: readonly TakeMarkNote[] = []): string {
  if (stats.shots === 0 && !stats.noPicture?.count) {
    const ng = marks.filter((note) => note.mark === 'ng').reduce((sum, note) => sum + note.shots, 0);
    return ng ? `no shots counted: ${formatCount(ng)} shot${ng === 1 ? '' : 's'} in NG takes` : 'no shots yet';
  }
  // Nodes of an older version send no noPicture tally.
  const blank = stats.noPicture?.seconds ? ` · no picture ${formatDuration(stats.noPicture.seconds * 1000)}` : '';
  return `${formatCount(stats.shots)} shot${stats.shots === 1 ? '' : 's'} · average ${formatSeconds(stats.averageShotLengthS)} · ${cameraTime(stats.seconds)} of camera time${blank}`;
}

/** Under a minute to the tenth, as the average beside it ("1 shot · average 11.6 s · 11.6 s"); longer, in minutes and seconds or hours and minutes. */
function cameraTime(seconds: number): string {
  return seconds < 59.95 ? formatSeconds(seconds) : formatDuration(seconds * 1000);
}
