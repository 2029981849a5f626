/**
 * The file behind a file-mode log (`shotscale log`): its path, title, rate
 * and picture and sound as probed, kept in the shot log itself so that
 * `shotscale export --db` of that log alone writes the same media links
 * (FCPXML asset, OTIO reference, ALE Source File), picture format (pixel
 * aspect and field order included), reel and timeline rate as the exports written beside it.
 */
import { isTimecodeRateName } from '../shots/timecode.js';
import type { TimecodeRateName } from '../shared/shots.js';
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

export interface MediaAudio {
  channels: number;
  sampleRate: number;
}

export interface MediaSource {
  cameraId: string;
  path: string;
  title: string;
  rate: TimecodeRateName;
  width: number | null;
  height: number | null;
  /** Non-square pixels, h:v wide; null or absent: square. */
  pixelAspect?: { h: number; v: number } | null;
  /** Interlaced: the field shown first; null or absent: progressive. */
  fieldOrder?: 'upper first' | 'lower first' | null;
  audio: MediaAudio | null;
  /** The file's reel name from its metadata; null or absent: none (the file's name is the reel). */
  reel?: string | null;
}

interface Row {
  camera_id: string;
  path: string;
  title: string;
  rate: string;
  width: number | null;
  height: number | null;
  pixel_aspect: string | null;
  field_order: 'upper first' | 'lower first' | null;
  audio: string | null;
  reel: string | null;
}

export class MediaSourceStore {
  constructor(private readonly db: Db) {}

  save(source: MediaSource): void {
    guardWrite(this.db, () =>
      this.db
        .prepare('INSERT OR REPLACE INTO media_sources (camera_id, path, title, rate, width, height, pixel_aspect, field_order, audio, reel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(source.cameraId, source.path, source.title, source.rate, source.width, source.height, source.pixelAspect ? JSON.stringify(source.pixelAspect) : null, source.fieldOrder ?? null, source.audio ? JSON.stringify(source.audio) : null, source.reel ?? null),
    );
  }

  /** Every file behind the log, by camera id; empty for a live log (or one written before schema version 8). */
  all(): MediaSource[] {
    const rows = this.db.prepare('SELECT camera_id, path, title, rate, width, height, pixel_aspect, field_order, audio, reel FROM media_sources ORDER BY camera_id').all() as Row[];
    // A rate this version does not know is left out rather than misread; the export then uses the shots' own.
    return rows.filter((row) => isTimecodeRateName(row.rate)).map((row) => ({
      cameraId: row.camera_id,
      path: row.path,
      title: row.title,
      rate: row.rate as TimecodeRateName,
      width: row.width,
      height: row.height,
      pixelAspect: row.pixel_aspect ? (JSON.parse(row.pixel_aspect) as { h: number; v: number }) : null,
      fieldOrder: row.field_order,
      audio: row.audio ? (JSON.parse(row.audio) as MediaAudio) : null,
      reel: row.reel,
    }));
  }
}
