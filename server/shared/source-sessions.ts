/**
 * Session numbers of each camera's source (a session: one ffmpeg run, one
 * WebRTC publisher), counted per camera id for the life of the process. A
 * camera that is edited gets a new supervisor; its sessions go on from the
 * number the earlier one reached, so a late frame of the earlier supervisor
 * (still in an inference batch at the edit) is told apart by its number and
 * never opens a shot in the new one's log, or makes it drop the new frames
 * (shot-tracker.ts takes sessions in increasing order).
 */
const issued = new Map<string, number>();

/** The next session number of `cameraId`'s source. */
export function nextSourceSession(cameraId: string): number {
  const next = (issued.get(cameraId) ?? 0) + 1;
  issued.set(cameraId, next);
  return next;
}

/** The number the next session of `cameraId` will get: what a new tracker takes frames from. */
export function upcomingSourceSession(cameraId: string): number {
  return (issued.get(cameraId) ?? 0) + 1;
}
