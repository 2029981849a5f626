/**
 * Reel (tape) names for EDLs and ALEs. CMX3600 reads the reel from a fixed
 * 8-character column, and many readers only take upper-case letters, digits
 * and underscores there, so a camera id is upper-cased, every other character
 * becomes "_" and the result is cut to 8 characters ("cam-1" -> "CAM_1").
 * Cutting can make two cameras collide ("camera-left-1" and "camera-left-2"
 * both give "CAMERA_L"), so within one export the colliding cameras get a
 * numeric tail instead ("CAMERA_1", "CAMERA_2", ...), assigned in camera-id
 * order, so the same set of cameras always gets the same names. "BL" (black)
 * and "AX" (auxiliary source) mean something in CMX3600, and EDL readers take
 * "BLACK" for black and "BARS" for colour bars too (OpenTimelineIO's reader
 * turns such events into generators, not clips), so none of them is ever
 * given to a camera ("black" -> "BLACK1").
 *
 * File mode (`shotscale log`): the reel is the file's, not the camera's
 * ("FILE" for every log would make two cameras' files with the same start
 * timecode, a multicam pair, one reel at one timecode, which a reel-based
 * conform cannot tell apart). It is the file's reel or tape name from its
 * metadata where it has one (QuickTime's tmcd reel_name, MXF's reel_name:
 * what the camera or Resolve wrote), else its name without the extension.
 * The ALE Tape and the FCPXML reel carry that name as it is; the EDL its
 * CMX3600 spelling (fileEdlReel): ASCII, upper case, one "_" for each run of
 * anything else, at most 8 characters, a longer name's first four and last four, as
 * camera files name their roll and camera at the start and their clip or
 * angle at the end ("Interview_camA" -> "INTECAMA", "A001C003" stays).
 */
import { basename, extname } from 'node:path';
import { asciiText, oneLine } from './export-text.js';

const REEL_LENGTH = 8;
const RESERVED_REELS = new Set(['BL', 'BLACK', 'BARS', 'AX']);

/** Camera ids in the order tracks and reels are assigned: natural order, so cam-2 comes before cam-10. */
export function sortCameraIds(cameraIds: Iterable<string>): string[] {
  return [...new Set(cameraIds)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0));
}

function reelBase(cameraId: string): string {
  const cleaned = cameraId.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, REEL_LENGTH);
  return cleaned === '' ? 'CAM' : cleaned;
}

/** Camera id -> reel name: unique, at most 8 characters of A-Z, 0-9 and "_". */
export function reelNames(cameraIds: Iterable<string>): Map<string, string> {
  const cameras = sortCameraIds(cameraIds);
  const bases = new Map(cameras.map((id) => [id, reelBase(id)]));
  const uses = new Map<string, number>();
  for (const base of bases.values()) uses.set(base, (uses.get(base) ?? 0) + 1);

  const names = new Map<string, string>();
  const taken = new Set(RESERVED_REELS);
  // Cameras whose base is unique keep it, so renaming one camera never renames another.
  for (const [id, base] of bases) {
    if (uses.get(base) === 1 && !taken.has(base)) {
      names.set(id, base);
      taken.add(base);
    }
  }
  for (const [id, base] of bases) {
    if (names.has(id)) continue;
    for (let n = 1; ; n++) {
      const tail = String(n);
      const candidate = base.slice(0, REEL_LENGTH - tail.length) + tail;
      if (!taken.has(candidate)) {
        names.set(id, candidate);
        taken.add(candidate);
        break;
      }
    }
  }
  return names;
}

/** A file-mode log's reel as the ALE Tape and the FCPXML reel write it: the file's reel metadata, else its name without the extension. */
export function fileReel(mediaPath: string, tagged: string | null | undefined): string {
  return oneLine(tagged) || oneLine(basename(mediaPath, extname(mediaPath))) || 'FILE';
}

/** The same reel in CMX3600's 8 characters of A-Z, 0-9 and "_" (never a reserved name). */
export function fileEdlReel(mediaPath: string, tagged: string | null | undefined): string {
  // A run of spaces and punctuation is one "_", none at the ends: "Interview camA" -> "INTERVIEW_CAMA".
  const legal = asciiText(fileReel(mediaPath, tagged)).toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'FILE';
  const short = legal.length <= REEL_LENGTH ? legal : legal.slice(0, REEL_LENGTH / 2) + legal.slice(-REEL_LENGTH / 2);
  return RESERVED_REELS.has(short) ? `${short.slice(0, REEL_LENGTH - 1)}1` : short;
}
