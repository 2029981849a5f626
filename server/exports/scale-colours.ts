/**
 * One marker colour per scale for each tool that colours markers, so an
 * editor sees the rhythm of close and wide shots on the timeline at a glance.
 * The colours follow the dashboard's palette (web/src/lib/format.ts: viridis,
 * dark blue for the tightest scale to yellow for the widest) as closely as
 * each tool's fixed colour list allows; where a list has fewer hues than we
 * have scales, neighbouring scales still differ.
 */
import type { CanonicalScale } from '../shared/scale.js';

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
