/**
 * The words every export uses for a shot, so a shot reads the same in an EDL
 * comment, an ALE column, an OTIO marker and a Resolve marker:
 * "MCU 0.82 single person (shoulders in, hips out)". A shot with no picture
 * from cut to cut (a camera black) reads as such, never as the scale it
 * carried over from the shot before; one no frame of which was analysed
 * keeps that scale, and says it was carried over.
 */
import { shotAnalysed } from '../coverage/coverage-stats.js';
import { describeNoPicture, describeTakeMark, operatorScaleText, shotWithoutPicture, type ShotRecord } from '../shared/shots.js';
import type { Subjects } from '../shared/socket-events.js';
import { oneLine } from './export-text.js';

/** Who is in the shot in a few words ("" when the model could not say); an operator's framing says so. */
export function subjectsText(shot: Pick<ShotRecord, 'subjects' | 'operatorFraming'>): string {
  if (shot.operatorFraming) return `${shot.operatorFraming} (framing set by operator)${shot.subjects?.overTheShoulder ? ', over the shoulder' : ''}`;
  return detectedSubjectsText(shot.subjects);
}

function detectedSubjectsText(subjects: Subjects | null): string {
  if (!subjects) return '';
  let words: string;
  if (subjects.framing === 'none' || subjects.count === 0) words = 'no people';
  else if (subjects.framing === 'single') words = subjects.kind === 'face' ? 'single face' : 'single person';
  else if (subjects.framing === 'two-shot') words = 'two-shot';
  else words = `group of ${subjects.count}`;
  return subjects.overTheShoulder ? `${words}, over the shoulder` : words;
}

/** The framing in one word for marker names: single, two-shot, group, empty (the operator's where set); "" when unknown. */
export function framingWord(shot: Pick<ShotRecord, 'subjects' | 'operatorFraming'>): string {
  if (shot.operatorFraming) return shot.operatorFraming;
  const { subjects } = shot;
  if (!subjects) return '';
  return subjects.framing === 'none' ? 'empty' : subjects.framing;
}

/** "MS to CU" when the framing changes inside the shot, else "". */
export function scaleChange(shot: Pick<ShotRecord, 'scaleStart' | 'scaleEnd'>): string {
  return shot.scaleStart && shot.scaleEnd && shot.scaleStart !== shot.scaleEnd ? `${shot.scaleStart} to ${shot.scaleEnd}` : '';
}

/** The scale's code for a marker or a keyword, or what a shot with no picture shows: "MCU", "BLACK", "WHITE", "NO PICTURE". */
export function scaleWord(shot: Pick<ShotRecord, 'scale' | 'noPicture' | 'classifierScale'>): string {
  const noPicture = shotWithoutPicture(shot);
  if (!noPicture) return shot.scale;
  return noPicture === 'plain' ? 'NO PICTURE' : noPicture.toUpperCase();
}

/** "(set by operator; classifier MCU)" for an operator's scale, "" for the classifier's own. */
function setByText(shot: Pick<ShotRecord, 'classifierScale'>): string {
  const text = operatorScaleText(shot);
  return text ? `(${text})` : '';
}

/** What the exports say of a shot no frame of which was analysed, in place of a reason. */
export const NOT_ANALYSED_TEXT = 'not analysed (scale carried over from the shot before)';

/**
 * A closed shot no frame of which was analysed (shorter than the analysis's
 * interval between frames: the sliver a cut leaves at a file's end, or
 * between two quick cuts): its scale, confidence and probabilities are the
 * shot before's, carried over. A shot with no picture says so instead, and
 * an operator's scale is read, not carried.
 */
export function shotNotAnalysed(shot: Pick<ShotRecord, 'status' | 'readouts' | 'noPicture' | 'classifierScale'>): boolean {
  return shot.status === 'closed' && !shot.noPicture && !shotAnalysed(shot);
}

/** Whether the classifier read the shot's own confidence and probabilities: not for a shot with no picture or none analysed (those are the shot before's). */
export function classifierRead(shot: Pick<ShotRecord, 'status' | 'readouts' | 'noPicture' | 'classifierScale'>): boolean {
  return !shot.noPicture && !shotNotAnalysed(shot);
}

/** The classifier's confidence, "" where it read nothing of the shot (a confidence carried over from the shot before says nothing). */
function confidenceText(shot: ShotRecord): string {
  return classifierRead(shot) ? shot.confidence.toFixed(2) : '';
}

/** Scale (and who set it), confidence, a change of scale inside the shot, subjects and the model's reason, on one line. */
export function shotComment(shot: ShotRecord): string {
  const noPicture = shotWithoutPicture(shot);
  if (noPicture) return oneLine(shot.reason) || `${describeNoPicture(noPicture)} throughout`;
  if (shotNotAnalysed(shot)) return `${shot.scale} ${NOT_ANALYSED_TEXT}`;
  const change = scaleChange(shot);
  const parts = [shot.scale, setByText(shot), confidenceText(shot), change ? `(${change})` : '', subjectsText(shot)].filter((part) => part !== '');
  const reason = oneLine(shot.reason);
  return oneLine(`${parts.join(' ')}${reason ? ` (${reason})` : ''}`);
}

/** "take 3 (circled)", "take 3 (NG)", "take 3": a take as a slate and a comment name it. */
export function takeText(shot: Pick<ShotRecord, 'take' | 'takeMark'>): string {
  if (!shot.take) return '';
  return `take ${oneLine(shot.take)}${shot.takeMark ? ` (${describeTakeMark(shot.takeMark)})` : ''}`;
}

/** A clip name editors can search for: camera and database id, "cam-1_0012". */
export function clipName(shot: ShotRecord): string {
  return `${oneLine(shot.cameraId)}_${String(shot.id).padStart(4, '0')}`;
}
