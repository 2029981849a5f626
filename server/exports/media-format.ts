/**
 * What probing a source file says of it that the exports name: its picture,
 * fields, sound and reel (file mode, media-probe.ts).
 */

/** The source video's picture (raster and pixel aspect) and sound as probed (file mode), for the FCPXML formats and asset and the ALE's headings and Tracks. */
export interface MediaFormat {
  /** The raster in pixels, turned as a player turns it (a phone's portrait clip is 1080x1920; media-probe.ts). */
  width: number | null;
  height: number | null;
  /** A pixel's width to its height when not square (HDV 1440x1080: 4:3); null or absent for square pixels (picture-size.ts). */
  pixelAspect?: { h: number; v: number } | null;
  /** Interlaced material: the field shown first; null or absent for progressive. */
  fieldOrder?: 'upper first' | 'lower first' | null;
  /** The first audio stream, or null when the file has none. */
  audio: { channels: number; sampleRate: number } | null;
  /** The file's reel (tape) name from its metadata (QuickTime or MXF reel_name); null or absent: none, the file's name is the reel (reel-names.ts fileReel). */
  reel?: string | null;
}
