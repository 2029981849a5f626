/**
 * Reel (tape) names for EDLs and ALEs. CMX3600 reads the reel from a fixed
 * 8-character column, and many readers only take upper-case letters, digits
 * and underscores there, so a camera id is upper-cased and every other
 * character becomes "_" ("cam-1" -> "CAM_1"). A camera's reel depends on its
 * id alone, never on which other cameras are in the export: a conform that
 * gets one camera's EDL on its own (as the README advises for cameras at
 * several rates) and then all cameras together must see one reel for it.
 * (Renaming colliding reels within an export gave "camera-left-2" the reel
 * CAMERA_2 beside "camera-left-1" and CAMERA_L alone.) So an id whose
 * spelling fits 8 characters is its reel; a longer one keeps its first four
 * characters and gets four of a hash of the whole id ("camera-left-1" ->
 * "CAME" + 4 characters of A-Z0-9): 36^4 (1.7 million) values, so two of a
 * production's cameras share one only by a hash collision, or when two ids
 * spell the same ("cam-1", "cam 1"). Only then, as a last resort, the later
 * camera in id order gets a numeric tail within the export. "BL" (black)
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
import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { asciiText, oneLine } from './export-text.js';

const REEL_LENGTH = 8;
const RESERVED_REELS = new Set(['BL', 'BLACK', 'BARS', 'AX']);
/** The hashed tail of a long id's reel: 36^4 values, so two of 8 long ids collide about once in 60,000 productions. */
const HASH_LENGTH = 4;

/** Camera ids in the order tracks and reels are assigned: natural order, so cam-2 comes before cam-10. */
export function sortCameraIds(cameraIds: Iterable<string>): string[] {
  return [...new Set(cameraIds)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The reel a camera gets whatever else is exported: its id's spelling when that fits, else a short form with a hash of the whole id. */
export function cameraReel(cameraId: string): string {
  const spelled = cameraId.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  if (spelled === '') return 'CAM';
  if (spelled.length <= REEL_LENGTH) return RESERVED_REELS.has(spelled) ? `${spelled.slice(0, REEL_LENGTH - 1)}1` : spelled;
  const hash = BigInt(`0x${createHash('sha256').update(cameraId).digest('hex').slice(0, 12)}`).toString(36).toUpperCase();
  return spelled.slice(0, REEL_LENGTH - HASH_LENGTH) + hash.padStart(HASH_LENGTH, '0').slice(-HASH_LENGTH);
}

/** Camera id -> reel name: unique, at most 8 characters of A-Z, 0-9 and "_"; each camera's own cameraReel but for a collision. */
export function reelNames(cameraIds: Iterable<string>): Map<string, string> {
  // Id order, so that the same set of cameras always gets the same names even in a collision.
  const ids = sortCameraIds(cameraIds);
  const own = new Map(ids.map((id) => [id, cameraReel(id)]));
  // Every camera's own reel is spoken for before a tail is chosen: a tail must never be another camera's own reel
  // ("cam_1" beside "cam-1" took CAM_11, and "cam-11", CAM_11 alone, became CAM_111 in the same export).
  const taken = new Set([...RESERVED_REELS, ...own.values()]);
  const given = new Set<string>();
  const names = new Map<string, string>();
  for (const id of ids) {
    const mine = own.get(id)!;
    let name = mine;
    if (given.has(mine)) {
      for (let n = 1; taken.has(name); n++) {
        const tail = String(n);
        name = mine.slice(0, REEL_LENGTH - tail.length) + tail;
      }
      taken.add(name);
    }
    names.set(id, name);
    given.add(name);
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
