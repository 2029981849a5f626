/**
 * The shot-log exports in one place: loggers and archivists hand the log to
 * editing and archive tools, each of which reads its own format. Every export
 * is a pure function of the shots and options (string out), so routes, the
 * CLI and tests call the same code. Shots are sorted by in time here, whatever
 * order they come in.
 *
 *   csv      spreadsheets, archive databases (each shot at its own rate)
 *   json     scripts; every ShotRecord field (each shot at its own rate)
 *   edl      CMX3600 with Avid locators: Avid, Resolve, Premiere
 *   ale      Avid Log Exchange: a Media Composer bin of one clip per shot
 *   otio     OpenTimelineIO: a track per camera, markers and metadata
 *   markers  Resolve's timeline-marker EDL (one coloured marker per shot)
 *   fcpxml   Final Cut Pro XML: a clip per shot, scale and subjects as keywords, a marker
 *
 * The timeline formats (edl, ale, otio, markers, fcpxml) use one rate: options.rate,
 * else the shots' own when they share one, else options.projectRate (the
 * configured timecode rate, also the rate of an export with no shots). The
 * edl and ale refuse shots at another rate (their source timecodes are the
 * cameras' own); otio, markers and fcpxml place them through their seconds
 * (timeline-layout.ts explains the rounding and the record-time rule).
 */
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { aleLog } from './ale-export.js';
import { cmx3600Edl } from './cmx3600-export.js';
import { shotsCsv } from './csv-export.js';
import { fcpxmlDocument } from './fcpxml-export.js';
import { shotsJson } from './json-export.js';
import { markerEdl } from './marker-edl-export.js';
import { otioTimeline } from './otio-export.js';
import { sortShots, timelineRateName } from './timeline-layout.js';
import type { MediaFormat } from './media-format.js';

export type { MediaFormat };

export const EXPORT_FORMATS = ['csv', 'json', 'edl', 'ale', 'otio', 'markers', 'fcpxml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file name ending each format is written with (`shotscale log` names its exports base + this). */
export const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, string>> = {
  csv: '.csv',
  json: '.json',
  edl: '.edl',
  ale: '.ale',
  otio: '.otio',
  // Still ".edl" at the end, so Resolve's import dialog lists it; ".markers" keeps it apart from the CMX3600 export.
  markers: '.markers.edl',
  fcpxml: '.fcpxml',
};

export interface ExportOptions {
  /** e.g. "shotscale cam-1 2026-11-22", or the file name in file mode. */
  title: string;
  /** Timeline rate; default: the shots' own when they share one, else projectRate. */
  rate?: TimecodeRateName;
  /** The project's timecode rate (the configured one): the timeline rate of shots at several rates, or of none; default 25. */
  projectRate?: TimecodeRateName;
  /** File mode: the source video, for OTIO and FCPXML media references, the ALE Source File column and the EDL's FROM CLIP NAME. */
  mediaPath?: string | null;
  /** File mode: the source video's picture size and audio, for the FCPXML format and the ALE's format headings and Tracks; default 1920x1080 without audio. */
  media?: MediaFormat | null;
  /** Epoch ms written as the JSON export's generatedAt; default: now. */
  generatedAt?: number;
  /** The CSV's byte-order mark (csv-export.ts); default true, false for standard output. */
  csvByteOrderMark?: boolean;
}

export interface ExportResult {
  body: string;
  contentType: string;
  /** File name extension with its dot, e.g. ".edl". */
  extension: string;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** The content type each format is served with (an export built on a thread comes back as bytes alone). */
export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: JSON_TYPE,
  edl: TEXT,
  ale: TEXT,
  otio: JSON_TYPE,
  markers: TEXT,
  fcpxml: 'application/xml; charset=utf-8',
};

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

export function exportShots(shots: readonly ShotRecord[], format: ExportFormat, options: ExportOptions): ExportResult {
  const sorted = sortShots(shots);
  const rate = timelineRateName(sorted, options.rate, options.projectRate);
  const mediaPath = options.mediaPath ?? null;
  switch (format) {
    case 'csv':
      return { body: shotsCsv(sorted, options.csvByteOrderMark ?? true), contentType: EXPORT_CONTENT_TYPES.csv, extension: EXPORT_EXTENSIONS.csv };
    case 'json':
      return { body: shotsJson(sorted, options.title, rate, options.generatedAt ?? Date.now()), contentType: EXPORT_CONTENT_TYPES.json, extension: EXPORT_EXTENSIONS.json };
    case 'edl':
      return { body: cmx3600Edl(sorted, options.title, rate, mediaPath, options.media?.reel ?? null), contentType: EXPORT_CONTENT_TYPES.edl, extension: EXPORT_EXTENSIONS.edl };
    case 'ale':
      return { body: aleLog(sorted, rate, mediaPath, options.media ?? null), contentType: EXPORT_CONTENT_TYPES.ale, extension: EXPORT_EXTENSIONS.ale };
    case 'otio':
      return { body: otioTimeline(sorted, options.title, rate, mediaPath), contentType: EXPORT_CONTENT_TYPES.otio, extension: EXPORT_EXTENSIONS.otio };
    case 'markers':
      return { body: markerEdl(sorted, options.title, rate), contentType: EXPORT_CONTENT_TYPES.markers, extension: EXPORT_EXTENSIONS.markers };
    case 'fcpxml':
      return { body: fcpxmlDocument(sorted, options.title, rate, mediaPath, options.media ?? null), contentType: EXPORT_CONTENT_TYPES.fcpxml, extension: EXPORT_EXTENSIONS.fcpxml };
  }
}
