/**
 * What WHIP publishers may take of a server. Each session runs native threads
 * and sockets (measured: about 4 threads and 28 file descriptors a session;
 * 65 sessions took a server from 27 to 267 threads and ~3,900 fds), and a
 * POST for an id nobody defined makes a camera. So at most
 * supervisor.whip.maxSessions publishers at once, connecting or connected,
 * and at most maxCameras cameras made for them; one more is refused 503
 * WHIP_CAPACITY (RFC 9725 lets an overloaded endpoint say so, with
 * Retry-After).
 *
 * A made camera is removed once its publisher has left (removeAfterS later,
 * at once when it never showed a picture): a phone that published once must
 * not leave a tile on the wall for good. A camera listed in the config or
 * added over the API stays, as does a made one an admin has since changed.
 */
import { ShotscaleError } from '../../errors.js';
import type { CameraSource } from '../camera-source.js';
import type { CameraStatus } from '../../shared/socket-events.js';
import { checkOffer } from './sdp-codecs.js';
import { WebRtcCamera, type PublishResult } from './webrtc-camera.js';

/** What this needs of the camera manager. */
export interface WhipCameraHost {
  has(cameraId: string): boolean;
  get(cameraId: string): CameraSource;
  list(): CameraStatus[];
  /** Answers the offer; makes the camera when there is none, and removes it again when the offer is refused. */
  publish(cameraId: string, offer: string, name?: string, peer?: string): Promise<PublishResult>;
  remove(cameraId: string): Promise<void>;
}

/**
 * In how many ms the first made camera is due to go (one whose publisher never connected goes
 * connectTimeoutS after its answer), or null when none is: what a refusal for want of made cameras
 * says in Retry-After. It said removeAfterS (300 s) when the 14 made cameras of offers that never
 * connected were all removed 13 s later.
 */
function nextRemovalMs(cameras: readonly WebRtcCamera[]): number | null {
  const due = cameras.map((camera) => camera.removalDueInMs()).filter((ms): ms is number => ms !== null);
  return due.length ? Math.min(...due) : null;
}

/** A refusal for capacity: 503, with the seconds after which trying again may succeed. */
export class WhipCapacityError extends ShotscaleError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super('WHIP_CAPACITY', message);
  }
}

export class WhipPublishers {
  /** Ids whose camera is being made for an offer now (not yet marked as made). */
  private readonly making = new Set<string>();

  constructor(private readonly cameras: WhipCameraHost) {}

  /** A WHIP offer for `cameraId`, within the caps; a camera made for it is removed once its publisher has left. */
  async publish(cameraId: string, offer: string, name?: string, peer?: string): Promise<PublishResult> {
    const make = !this.cameras.has(cameraId);
    // An offer that cannot bring a picture (no video, video off, no fingerprint or ICE credentials, only codecs this
    // server cannot decode) is refused before any camera is made for it: no tile flashes onto the wall.
    checkOffer(offer);
    this.admit(cameraId, make);
    if (!make) return this.cameras.publish(cameraId, offer, name, peer);
    this.making.add(cameraId);
    try {
      const result = await this.cameras.publish(cameraId, offer, name, peer);
      const camera = this.cameras.has(cameraId) ? this.cameras.get(cameraId) : null;
      if (camera instanceof WebRtcCamera) camera.removeWhenIdle(() => this.removeMade(cameraId, camera));
      return result;
    } finally {
      this.making.delete(cameraId);
    }
  }

  private admit(cameraId: string, make: boolean): void {
    const webrtc = this.webrtcCameras();
    // Every WebRTC camera of a server runs under the same settings. With none there is no session and
    // no made camera yet, and every cap is at least 1: nothing to refuse.
    const limits = webrtc[0]?.whip;
    if (!limits) return;
    const target = webrtc.find((camera) => camera.camera.id === cameraId);
    // An ffmpeg camera, or one with a publisher: its own refusal (409 CAMERA_BUSY) says more.
    if (!make && (!target || target.hasPublisher)) return;
    const sessions = webrtc.filter((camera) => camera.hasPublisher).length;
    if (sessions >= limits.maxSessions) {
      throw new WhipCapacityError(
        `the server has ${sessions} WHIP publishers, its most at once (supervisor.whip.maxSessions); publish again when one ends (one that does not connect is dropped after ${limits.connectTimeoutS} s), or raise the cap`,
        Math.ceil(limits.connectTimeoutS),
      );
    }
    if (!make) return;
    const made = webrtc.filter((camera) => camera.madeByPublisher).length + this.making.size;
    if (made >= limits.maxCameras) {
      const nextMs = nextRemovalMs(webrtc);
      const next = nextMs === null ? '' : `; the next is due to go in about ${Math.max(1, Math.ceil(nextMs / 1000))} s`;
      throw new WhipCapacityError(
        `the server has made ${made} cameras for WHIP publishers, its most (supervisor.whip.maxCameras); publish to one of them, remove one (each goes ${limits.removeAfterS} s after its publisher left, at once when it never showed a picture${next}), list the camera in the config, or raise the cap`,
        Math.max(1, Math.ceil((nextMs ?? limits.removeAfterS * 1000) / 1000)),
      );
    }
  }

  private webrtcCameras(): WebRtcCamera[] {
    return this.cameras
      .list()
      .filter((status) => status.sourceKind === 'webrtc')
      .map((status) => this.cameras.get(status.cameraId))
      .filter((camera): camera is WebRtcCamera => camera instanceof WebRtcCamera);
  }

  /** Removes a made camera, unless it has since been replaced (an admin changed it: it is theirs now). */
  private async removeMade(cameraId: string, camera: WebRtcCamera): Promise<void> {
    if (this.cameras.has(cameraId) && this.cameras.get(cameraId) === camera) await this.cameras.remove(cameraId);
  }
}
