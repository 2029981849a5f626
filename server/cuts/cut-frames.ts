/**
 * The tiny frames the cut detector reads: their size, format and the ffmpeg
 * filter that makes them. One definition, used by the server's second ffmpeg
 * output, the benchmark and the tests, so all of them see the same pixels.
 *
 * 64x36 grey: cuts show in luma structure, and at 1/30 of 1080p's width the
 * picture keeps its layout while sensor noise, compression blocks and small
 * motion average away. The detector averages it further into a 16x9 grid for
 * its frame distances (where pans and handheld shake change far less than
 * cuts do) and keeps the 64x36 contrast to tell flat black or white frames
 * (fades, flashes) from textured ones. Colour was left out on purpose: shots
 * cut together in one programme share a grade, so chroma adds little that
 * luma lacks, and rgb24 would triple the bytes through the pipe. 16:9 fits the
 * usual camera; other aspects are stretched, which a frame-to-frame comparison
 * does not mind. A frame is 2,304 bytes: 58 KB/s per camera at 25 fps.
 */

export const CUT_FRAME = { width: 64, height: 36, pixelFormat: 'gray' } as const;

export const CUT_FRAME_BYTES: number = CUT_FRAME.width * CUT_FRAME.height * (CUT_FRAME.pixelFormat === 'gray' ? 1 : 3);

function fpsText(fps: number): string {
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(3);
}

/**
 * The ffmpeg video filter for the cut frames, e.g. `fps=25,scale=64:36:flags=area,format=gray`.
 * `flags=area` averages every source pixel into the tiny frame (bilinear would
 * sample a few and alias noise into false frame differences). fps null keeps the
 * source rate, which is what the detector wants: cuts land between source frames.
 */
export function cutFrameFilter(fps: number | null): string {
  if (fps !== null && !(Number.isFinite(fps) && fps > 0)) throw new RangeError(`fps must be a positive number or null, got ${fps}`);
  const scale = `scale=${CUT_FRAME.width}:${CUT_FRAME.height}:flags=area,format=${CUT_FRAME.pixelFormat}`;
  return fps === null ? scale : `fps=${fpsText(fps)},${scale}`;
}
