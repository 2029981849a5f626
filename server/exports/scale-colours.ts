/**
 * One marker colour per scale for each tool that colours markers, so an
 * editor sees the rhythm of close and wide shots on the timeline at a glance.
 * The colours follow the dashboard's palette (web/src/lib/format.ts: viridis,
 * dark blue for the tightest scale to yellow for the widest) as closely as
 * each tool's fixed colour list allows; where a list has fewer hues than we
 * have scales, neighbouring scales still differ.
 */
import type { CanonicalScale } from '../shared/scale.js';
import { shotWithoutPicture, type ShotRecord } from '../shared/shots.js';
import type { NoPicture } from '../shared/socket-events.js';

/** Avid Media Composer locator colours, as written in "* LOC:" EDL comments (the 8 classic ones). */
export const AVID_LOCATOR_COLOURS: Readonly<Record<CanonicalScale, string>> = {
  ECU: 'MAGENTA',
  CU: 'BLUE',
  MCU: 'CYAN',
  MS: 'GREEN',
  MWS: 'YELLOW',
  FS: 'RED',
  WS: 'WHITE',
  EWS: 'BLACK',
};

/** DaVinci Resolve marker colours, as named in its marker EDL ("|C:ResolveColorBlue"). */
export const RESOLVE_MARKER_COLOURS: Readonly<Record<CanonicalScale, string>> = {
  ECU: 'ResolveColorPurple',
  CU: 'ResolveColorBlue',
  MCU: 'ResolveColorCyan',
  MS: 'ResolveColorMint',
  MWS: 'ResolveColorGreen',
  FS: 'ResolveColorLemon',
  WS: 'ResolveColorYellow',
  EWS: 'ResolveColorSand',
};

/** OpenTimelineIO's MarkerColor names. */
export const OTIO_MARKER_COLOURS: Readonly<Record<CanonicalScale, string>> = {
  ECU: 'PURPLE',
  CU: 'BLUE',
  MCU: 'CYAN',
  MS: 'GREEN',
  MWS: 'YELLOW',
  FS: 'ORANGE',
  WS: 'RED',
  EWS: 'PINK',
};

/**
 * A shot with no picture is marked in the colour nearest what it shows:
 * Resolve and OTIO have colours no scale uses; Avid's 8 are all taken, so
 * black and white share theirs with EWS and WS and the locator's name tells.
 */
const NO_PICTURE_COLOURS = {
  avid: { black: 'BLACK', white: 'WHITE', plain: 'BLACK' },
  resolve: { black: 'ResolveColorCocoa', white: 'ResolveColorCream', plain: 'ResolveColorCocoa' },
  otio: { black: 'BLACK', white: 'WHITE', plain: 'MAGENTA' },
} as const satisfies Record<string, Record<NoPicture, string>>;

/** The marker colour of a shot in one tool: its scale's, or its no-picture one. */
export function markerColour(tool: keyof typeof NO_PICTURE_COLOURS, shot: Pick<ShotRecord, 'scale' | 'noPicture' | 'classifierScale'>): string {
  const noPicture = shotWithoutPicture(shot);
  if (noPicture) return NO_PICTURE_COLOURS[tool][noPicture];
  const byScale = tool === 'avid' ? AVID_LOCATOR_COLOURS : tool === 'resolve' ? RESOLVE_MARKER_COLOURS : OTIO_MARKER_COLOURS;
  return byScale[shot.scale];
}
