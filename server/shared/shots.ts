/**
 * Shots, takes, coverage and alerts as the server stores and sends them.
 * Shared by server/ and web/ (and every export format reads ShotRecord).
 */
import type { CanonicalScale, ScaleProbabilities } from './scale.js';
import type { NoPicture, Subjects } from './frame-content.js';

/**
 * Why a shot starts or ends: the source's first frame, a hard cut, the middle
 * of a dissolve, a fade to or from black or white, a take started or ended by
 * an operator, the source restarting (reconnect, stall, server stop), the end
 * of a file.
 */
export const SHOT_BOUNDARIES = ['start', 'hard', 'dissolve', 'fade', 'take', 'restart', 'end'] as const;
export type ShotBoundary = (typeof SHOT_BOUNDARIES)[number];

/** A timecode rate by name: 23.976, 24, 25, 29.97, 29.97DF, 30, 50, 59.94, 59.94DF, 60. */
export type TimecodeRateName = '23.976' | '24' | '25' | '29.97' | '29.97DF' | '30' | '50' | '59.94' | '59.94DF' | '60';

export interface ShotRecord {
  /** Database id; 0 for a shot that is not stored. */
  id: number;
  cameraId: string;
  status: 'open' | 'closed';
  /** Epoch ms of the shot's first frame. */
  inTime: number;
  /** Epoch ms just after its last frame (in + duration). */
  outTime: number;
  /** Timecode rate of tcIn/tcOut and the frame counts. */
  rate: TimecodeRateName;
  /** Frames since 00:00:00:00 at `rate` of the first frame. */
  inFrame: number;
  /** Frames since 00:00:00:00 of the first frame after the shot (exclusive, as in an EDL). */
  outFrame: number;
  /** SMPTE timecode of inFrame / outFrame ("HH:MM:SS:FF", ";" before the frames when drop-frame). */
  tcIn: string;
  tcOut: string;
  durationS: number;
  /** Seconds from the start of the file (file mode) or of the source session (live). */
  startS: number;
  /**
   * The scale held longest in the shot (the camera's stable label, weighted
   * by time): what the shot is, for exports and coverage.
   */
  scale: CanonicalScale;
  /**
   * The scale the shot opens and closes on (each the one held longest in its
   * first and last quarter); they differ when the framing changes inside the
   * shot (a push-in, a pull-out, someone walking to the camera). null: no
   * frame of the shot was analysed.
   */
  scaleStart: CanonicalScale | null;
  scaleEnd: CanonicalScale | null;
  confidence: number;
  probabilities: ScaleProbabilities;
  /** Readouts that went into the scale (0: no frame was analysed, or none had a picture; scale is carried over, a guess). */
  readouts: number;
  subjects: Subjects | null;
  reason: string | null;
  cutIn: ShotBoundary;
  cutOut: ShotBoundary | null;
  scene: string | null;
  take: string | null;
  /** Operator tags, e.g. character names for coverage plans. */
  tags: string[];
  note: string | null;
  hasThumbnail: boolean;
  /**
   * Set when an operator set `scale` (see scaleSetByOperator): the
   * classifier's own scale, kept beside it; null when the classifier read
   * none (a shot with no picture from cut to cut, whose scale was only
   * carried over from the shot before).
   */
  classifierScale?: CanonicalScale | null;
  /**
   * The framing an operator set (the detector's stays in `subjects.framing`):
   * plans and exports read it first (see shotFraming). Absent: never set.
   */
  operatorFraming?: ShotFraming;
  /**
   * The mark of the shot's take (circled: a print take; ng: no good), as
   * the take stands now; absent when unmarked or not in a take. Filled when
   * shots are listed, never stored with the shot (a mark is the take's).
   */
  takeMark?: TakeMark;
  /**
   * Set when no frame of the shot had a picture (a camera black, white or
   * one plain colour from cut to cut): `scale` is then the previous shot's,
   * carried over, and the shot counts towards no scale (see shotWithoutPicture).
   */
  noPicture?: NoPicture;
  /**
   * Seconds of the shot with no picture (all of it with `noPicture`; part of
   * it when a camera went black and came back without a cut); absent when
   * none. Coverage counts them in no scale (secondsWithoutPicture).
   */
  noPictureS?: number;
}

/** The framings a plan item asks for and an operator may set on a shot (a detector may also read 'none'). */
export const SHOT_FRAMINGS = ['single', 'two-shot', 'group'] as const;
export type ShotFraming = (typeof SHOT_FRAMINGS)[number];

/** A script supervisor's mark on a take: circled (print it) or NG (no good: its shots cover nothing). */
export const TAKE_MARKS = ['circled', 'ng'] as const;
export type TakeMark = (typeof TAKE_MARKS)[number];

/** The shot's framing: the operator's where set, else the detector's (null: none read). */
export function shotFraming(shot: Pick<ShotRecord, 'operatorFraming' | 'subjects'>): Subjects['framing'] | null {
  return shot.operatorFraming ?? shot.subjects?.framing ?? null;
}

/** "circled", "NG": a take mark as a script supervisor writes it. */
export function describeTakeMark(mark: TakeMark): string {
  return mark === 'ng' ? 'NG' : 'circled';
}

/** "no picture (black)": the words a reading, a shot, an alert and an export use. */
export function describeNoPicture(kind: NoPicture): string {
  return kind === 'plain' ? 'no picture (one plain colour)' : `no picture (${kind})`;
}

/** Whether an operator set the shot's scale (whatever the classifier read, if anything). */
export function scaleSetByOperator(shot: Pick<ShotRecord, 'classifierScale'>): boolean {
  return shot.classifierScale !== undefined;
}

/** "set by operator; classifier MCU" (or "...; no picture for the classifier") for an operator's scale; null for the classifier's own. As exports and the film report say it. */
export function operatorScaleText(shot: Pick<ShotRecord, 'classifierScale'>): string | null {
  if (!scaleSetByOperator(shot)) return null;
  return `set by operator; ${shot.classifierScale ? `classifier ${shot.classifierScale}` : 'no picture for the classifier'}`;
}

/**
 * What a shot with no picture shows (black, white, one plain colour), or
 * null when it has a scale: one with a picture, or one an operator gave a
 * scale to (they saw a picture the flat check did not, e.g. a very dark one).
 */
export function shotWithoutPicture(shot: Pick<ShotRecord, 'noPicture' | 'classifierScale'>): NoPicture | null {
  return shot.noPicture && !scaleSetByOperator(shot) ? shot.noPicture : null;
}

/** The seconds of a shot that count in no scale: all of a shot without a picture, none of one an operator gave a scale to. */
export function secondsWithoutPicture(shot: Pick<ShotRecord, 'noPicture' | 'noPictureS' | 'classifierScale' | 'durationS'>): number {
  if (shotWithoutPicture(shot)) return Math.max(0, shot.durationS);
  if (shot.noPicture) return 0;
  return Math.min(Math.max(0, shot.noPictureS ?? 0), Math.max(0, shot.durationS));
}

/** A slate: "scene 12, take 3" on some or all cameras. */
export interface Take {
  id: number;
  scene: string;
  take: string;
  /** null: every camera. */
  cameras: string[] | null;
  /**
   * Cameras a take on every camera has left while it runs on the others: a
   * take was started there alone, or it was ended there alone. Empty when it
   * left none (and always for a take on named cameras, whose list shrinks instead).
   */
  exceptCameras: string[];
  /** Times the server was down during the take (a crash and restart): no shots from `from` to `to` (epoch ms). */
  gaps: TakeGap[];
  startedAt: number;
  endedAt: number | null;
  /** Circled or NG, set by an operator (PATCH /api/takes/:id); null: unmarked. */
  mark: TakeMark | null;
}

export interface TakeGap {
  from: number;
  to: number;
}

/** What per-camera coverage reads of a shot (coverage-stats.ts): its camera, length, scale and whether it had a picture. */
export type CoverageShot = Pick<ShotRecord, 'id' | 'cameraId' | 'status' | 'durationS' | 'scale' | 'readouts' | 'classifierScale' | 'noPicture' | 'noPictureS'>;

export interface ScaleTally {
  count: number;
  seconds: number;
}

/** Coverage of a set of shots: per scale, plus the averages a film analyst reads. */
export interface CoverageStats {
  /** Shots with a picture, and their time with a picture. */
  shots: number;
  seconds: number;
  /** Average shot length in seconds (0 without shots). */
  averageShotLengthS: number;
  /** Count and time per canonical scale (every scale present, zeros included). */
  byScale: Record<CanonicalScale, ScaleTally>;
  /**
   * Shots with no picture from cut to cut (shotWithoutPicture), and every
   * second with no picture (theirs, and black spells inside other shots):
   * apart from the scales and from the totals above.
   */
  noPicture: ScaleTally;
  /**
   * Shots with no analysed frame (their scale only carried over: a take
   * started and ended within a frame or two, a cut before the analysis
   * caught up), and their time: apart from the scales and the totals above;
   * every export still lists them.
   */
  unanalysed: ScaleTally;
  /** Share of time per scale, 0..1, canonical order. */
  histogram: number[];
}

export interface CoveragePlanItem {
  /** Stable id within the plan, e.g. "master". */
  id: string;
  /** What the script supervisor calls it, e.g. "Master (WS or wider)". */
  label: string;
  /** Tightest and widest scale that count, inclusive. */
  tightest: CanonicalScale;
  widest: CanonicalScale;
  framing?: ShotFraming;
  /** A shot must be tagged with this name (e.g. a character) to count. */
  tag?: string;
  /** Shots needed (default 1). */
  count: number;
  /** A shot shorter than this does not count (default DEFAULT_MIN_DURATION_S, 2 s). */
  minDurationS: number;
}

export interface CoveragePlan {
  scene: string;
  items: CoveragePlanItem[];
}

/**
 * A plan as the plans API answers it: with its revision, which a client
 * names (If-Match) when it changes or deletes the plan, so that it never
 * overwrites a change it has not seen. A stored plan's revision grows on
 * every save and is never reused, even after a delete; a plan from the
 * config file (or no plan at all) is revision 0.
 */
export interface PlanRecord extends CoveragePlan {
  revision: number;
  /** Where the plan comes from: the config file (not deletable over the API) or stored over the API. */
  source: 'config' | 'stored';
  /** A stored plan that replaces one of the config file's: deleting it brings the config's back. */
  overridesConfig?: true;
}

export interface PlanItemStatus {
  id: string;
  label: string;
  met: boolean;
  /** Shots that satisfy the item, ids. */
  shotIds: number[];
  needed: number;
}

export interface SceneCoverage {
  scene: string;
  /** null: the scene as a whole. */
  take: string | null;
  stats: CoverageStats;
  perCamera: Record<string, CoverageStats>;
  plan: PlanItemStatus[] | null;
  missing: string[];
  /**
   * The marked takes among the shots given, in slate order: an NG take's
   * shots are left out of stats, perCamera and plan ("take 3 NG: not
   * counted"); a circled one's count as any other. Absent: none marked.
   */
  marks?: TakeMarkNote[];
}

export interface TakeMarkNote {
  take: string;
  mark: TakeMark;
  /** Shots of the take among those given. */
  shots: number;
}

/**
 * Pushed as `take:mark` when a take is circled, marked NG or cleared: the
 * mark every shot of that scene and take number carries now (null: none).
 * Shots name their take by scene and number, so a number slated again reads
 * its latest take's mark: marking an earlier take of it changes no shot.
 */
export interface SlateMark {
  scene: string;
  take: string;
  mark: TakeMark | null;
}

/** Pushed as `coverage` whenever a shot closes or a take changes. */
export interface CoverageUpdate {
  perCamera: Record<string, CoverageStats>;
  /**
   * The current take's coverage: the latest running, else (on a single
   * server) the one that ended last. Kept for the clients that read one
   * take; `running` has every take that runs.
   */
  current: SceneCoverage | null;
  /**
   * Every running take's coverage, newest first (empty when none runs):
   * two scenes shot at once on different cameras each have their take's
   * line. While one runs, its first is `current`.
   */
  running: SceneCoverage[];
  scenes: SceneCoverage[];
}

/**
 * storage: the shot log cannot be written (a full or failing disk); shots are held in memory meanwhile.
 * take-interrupted: the server restarted during a take (a crash): no shots for a while, the take resumed or was ended.
 */
export const ALERT_KINDS = ['doubling', 'stuck', 'plan-missing', 'stalled', 'no-picture', 'frozen', 'storage', 'cluster', 'take-interrupted'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  /** Stable while the condition lasts, e.g. "doubling:cam-1+cam-2". */
  key: string;
  kind: AlertKind;
  severity: 'info' | 'warning' | 'critical';
  cameraIds: string[];
  /** The scale a doubling or stuck alert is about. */
  scale?: CanonicalScale;
  /** The scene a plan-missing alert is about. */
  scene?: string;
  message: string;
  /** Epoch ms when the condition started. */
  since: number;
  /** null while active; epoch ms when it cleared. */
  resolvedAt: number | null;
}
