/** A decoded frame, already at the model's input size, as packed RGB24 (HWC). */
export interface Frame {
  cameraId: string;
  /** Per-camera sequence number, from 0 at each (re)start of the source. */
  seq: number;
  /** Which (re)start of the source this frame is from, counting from 1. */
  session: number;
  /** Seconds into the session on the source's own clock (frame count / sampling rate). */
  timeS: number;
  /** Epoch ms at which the frame was complete on the decoder's output. */
  captureTime: number;
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB, row-major. */
  data: Uint8Array;
}
