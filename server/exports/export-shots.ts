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
 * else the first shot's; shots at another rate are converted through their
 * seconds (timeline-layout.ts explains the rounding and the record-time rule).
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

export const EXPORT_FORMATS = ['csv', 'json', 'edl', 'ale', 'otio', 'markers', 'fcpxml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** e.g. "shotscale cam-1 2026-11-22", or the file name in file mode. */
  title: string;
  /** Timeline rate; default: the first shot's rate. Shots at another rate are converted via their seconds. */
  rate?: TimecodeRateName;
  /** File mode: the source video, for OTIO and FCPXML media references and the ALE Source File column. */
  mediaPath?: string | null;
  /** Epoch ms written as the JSON export's generatedAt; default: now. */
  generatedAt?: number;
}

export interface ExportResult {
  body: string;
  contentType: string;
  /** File name extension with its dot, e.g. ".edl". */
  extension: string;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

export function exportShots(shots: readonly ShotRecord[], format: ExportFormat, options: ExportOptions): ExportResult {
  const sorted = sortShots(shots);
  const rate = timelineRateName(sorted, options.rate);
  const mediaPath = options.mediaPath ?? null;
  switch (format) {
    case 'csv':
      return { body: shotsCsv(sorted), contentType: 'text/csv; charset=utf-8; header=present', extension: '.csv' };
    case 'json':
      return { body: shotsJson(sorted, options.title, rate, options.generatedAt ?? Date.now()), contentType: JSON_TYPE, extension: '.json' };
    case 'edl':
      return { body: cmx3600Edl(sorted, options.title, rate), contentType: TEXT, extension: '.edl' };
    case 'ale':
      return { body: aleLog(sorted, rate, mediaPath), contentType: TEXT, extension: '.ale' };
    case 'otio':
      return { body: otioTimeline(sorted, options.title, rate, mediaPath), contentType: JSON_TYPE, extension: '.otio' };
    case 'markers':
      // Still ".edl" at the end, so Resolve's import dialog lists it; ".markers" keeps it apart from the CMX3600 export.
      return { body: markerEdl(sorted, options.title, rate), contentType: TEXT, extension: '.markers.edl' };
    case 'fcpxml':
      return { body: fcpxmlDocument(sorted, options.title, rate, mediaPath), contentType: 'application/xml; charset=utf-8', extension: '.fcpxml' };
  }
}
