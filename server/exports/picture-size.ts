/**
 * The picture as an editor shows it. A file with non-square pixels stores a
 * squeezed raster (HDV 1440x1080 at a pixel aspect of 4:3, DVCPRO HD
 * 1280x1080 at 3:2, PAL 16:9 720x576 at 64:45) that a player widens by the
 * pixel aspect; the exports name the project format by the picture so shown
 * (1920x1080 for HDV), and the FCPXML asset keeps the stored raster with its
 * pixel aspect (fcpxml-export.ts).
 */
import type { MediaFormat } from './media-format.js';

export interface PictureSize {
  width: number;
  height: number;
}

/**
 * The displayed size: the height kept, the width times the pixel aspect,
 * rounded to an even number as editors' rasters are (NTSC 16:9's 853.3 is
 * 854, as in 854x480). Square pixels: the stored size as it is.
 */
export function displaySize(media: Pick<MediaFormat, 'pixelAspect'>, width: number, height: number): PictureSize {
  const aspect = media.pixelAspect;
  if (!aspect || aspect.h === aspect.v) return { width, height };
  return { width: Math.max(2, 2 * Math.round((width * aspect.h) / aspect.v / 2)), height };
}
