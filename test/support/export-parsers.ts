/**
 * Readers for the shot-log export formats, written from the formats' own
 * rules and independent of server/exports, so the round-trip tests catch an
 * exporter that is consistently wrong with itself. They are strict: a line
 * out of place, a column off by one or a malformed OTIO object throws, since
 * the tools that read these files are just as unforgiving.
 */

// ---------------------------------------------------------------- CSV (RFC 4180)

/** Records of an RFC 4180 file keyed by the header row; quoted fields may hold commas, "" and line breaks. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldWasQuoted = false;
  let i = text.startsWith('\ufeff') ? 1 : 0;
  const endField = () => {
    record.push(field);
    field = '';
    fieldWasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        inQuotes = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') throw new Error(`CSV: text after a closing quote at offset ${i}`);
      }
    } else if (ch === '"') {
      if (field !== '' || fieldWasQuoted) throw new Error(`CSV: a quote inside an unquoted field at offset ${i}`);
      inQuotes = true;
      fieldWasQuoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else field += ch;
  }
  if (inQuotes) throw new Error('CSV: a quoted field is not closed');
  if (field !== '' || record.length) endRecord();

  const [header, ...rows] = records;
  if (!header) throw new Error('CSV: no header row');
  if (new Set(header).size !== header.length) throw new Error('CSV: repeated column names');
  return rows.map((row, n) => {
    if (row.length !== header.length) throw new Error(`CSV: record ${n + 1} has ${row.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((name, k) => [name, row[k]!]));
  });
}

// ---------------------------------------------------------------- EDL (CMX3600 and Resolve markers)

export interface EdlMarker {
  tc: string;
  color: string;
  name: string;
  duration?: number;
}

export interface EdlEvent {
  number: number;
  reel: string;
  track: string;
  transition: string;
  srcIn: string;
  srcOut: string;
  recIn: string;
  recOut: string;
  comments: string[];
  markers: EdlMarker[];
}

export interface ParsedEdl {
  title: string;
  fcm: string;
  events: EdlEvent[];
}

const TC = /^\d{2}:\d{2}:\d{2}[:;]\d{2}$/;

/**
 * An event line by CMX3600 columns: event 1-3, reel 6-13, track 15-19,
 * transition 21-24, transition length 26-28, then four 11-character
 * timecodes from column 30, each after one space.
 */
function parseEventLine(line: string, lineNo: number): EdlEvent {
  const fail = (why: string) => new Error(`EDL line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
  if (!/^\d{3} {2}/.test(line)) throw fail('the event number is not three digits followed by two spaces');
  const column = (from: number, to: number) => line.slice(from, to);
  const blanksAt = [13, 19, 24, 28, 40, 52, 64];
  for (const at of blanksAt) if (line[at] !== ' ') throw fail(`column ${at + 1} should be a space`);
  const reel = column(5, 13).trimEnd();
  const track = column(14, 19).trimEnd();
  const transition = column(20, 24).trimEnd();
  const timecodes = [29, 41, 53, 65].map((at) => column(at, at + 11));
  if (!reel || /\s/.test(reel)) throw fail('the reel is empty or holds a space');
  if (!track || !transition) throw fail('track or transition missing');
  if (!timecodes.every((tc) => TC.test(tc))) throw fail('timecodes not in columns 30, 42, 54, 66');
  if (line.slice(76).trim() !== '') throw fail('text after the record out');
  const [srcIn, srcOut, recIn, recOut] = timecodes as [string, string, string, string];
  return { number: Number(column(0, 3)), reel, track, transition, srcIn, srcOut, recIn, recOut, comments: [], markers: [] };
}

/** A Resolve marker line: " |C:ResolveColorBlue |M:name |D:120" (fields in any order). */
function parseResolveMarker(line: string, at: string, lineNo: number): EdlMarker {
  const fields = new Map<string, string>();
  for (const part of line.trim().split(/ ?\|(?=[A-Z]:)/).filter((p) => p !== '')) {
    fields.set(part.slice(0, 1), part.slice(2).trim());
  }
  const color = fields.get('C');
  const name = fields.get('M');
  const duration = fields.get('D');
  if (!color || name === undefined) throw new Error(`EDL line ${lineNo}: a marker line needs |C: and |M:`);
  if (duration !== undefined && !/^\d+$/.test(duration)) throw new Error(`EDL line ${lineNo}: |D: is not a frame count`);
  return { tc: at, color, name, ...(duration === undefined ? {} : { duration: Number(duration) }) };
}

export function parseEdl(text: string): ParsedEdl {
  let title = '';
  let fcm = '';
  const events: EdlEvent[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    if (line.startsWith('TITLE:')) {
      if (events.length) throw new Error(`EDL line ${lineNo}: TITLE after the first event`);
      title = line.slice(6).trim();
      return;
    }
    if (line.startsWith('FCM:')) {
      const value = line.slice(4).trim();
      if (value !== 'DROP FRAME' && value !== 'NON-DROP FRAME') throw new Error(`EDL line ${lineNo}: unknown FCM ${value}`);
      if (!events.length) fcm = value;
      return;
    }
    if (/^\d/.test(line)) {
      events.push(parseEventLine(line, lineNo));
      return;
    }
    const event = events.at(-1);
    if (!event) throw new Error(`EDL line ${lineNo}: ${JSON.stringify(line)} before the first event`);
    if (line.startsWith('*')) {
      const comment = line.slice(1).trim();
      const loc = /^LOC:\s+(\S+)\s+(\S+)\s+(.*)$/.exec(comment);
      if (loc) {
        if (!TC.test(loc[1]!)) throw new Error(`EDL line ${lineNo}: LOC timecode ${loc[1]}`);
        event.markers.push({ tc: loc[1]!, color: loc[2]!, name: loc[3]!.trim() });
      } else event.comments.push(comment);
      return;
    }
    if (line.trimStart().startsWith('|')) {
      event.markers.push(parseResolveMarker(line, event.recIn, lineNo));
      return;
    }
    throw new Error(`EDL line ${lineNo}: not an event, comment or marker: ${JSON.stringify(line)}`);
  });
  if (!title) throw new Error('EDL: no TITLE line');
  if (!fcm) throw new Error('EDL: no FCM line');
  return { title, fcm, events };
}

// ---------------------------------------------------------------- Avid ALE

export interface ParsedAle {
  heading: Record<string, string>;
  columns: string[];
  rows: Record<string, string>[];
}

export function parseAle(text: string): ParsedAle {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const heading: Record<string, string> = {};
  let columns: string[] = [];
  const rows: Record<string, string>[] = [];
  type Section = 'start' | 'Heading' | 'Column' | 'Data';
  let section = 'start' as Section;
  lines.forEach((line, index) => {
    const fail = (why: string) => new Error(`ALE line ${index + 1}: ${why}`);
    if (line === 'Heading' || line === 'Column' || line === 'Data') {
      const order = ['start', 'Heading', 'Column', 'Data'];
      if (order.indexOf(line) !== order.indexOf(section) + 1) throw fail(`section ${line} out of order`);
      if (line !== 'Heading' && lines[index - 1] !== '') throw fail(`no blank line before ${line}`);
      section = line;
      return;
    }
    if (line === '') {
      if (section === 'Data') throw fail('blank line among the data rows');
      return;
    }
    const cells = line.split('\t');
    if (section === 'Heading') {
      if (cells.length !== 2 || !cells[0]) throw fail('a heading line is not KEY<tab>value');
      heading[cells[0]] = cells[1]!;
    } else if (section === 'Column') {
      if (columns.length) throw fail('a second column line');
      columns = cells;
      if (new Set(columns).size !== columns.length) throw fail('repeated column names');
    } else if (section === 'Data') {
      if (cells.length !== columns.length) throw fail(`${cells.length} cells for ${columns.length} columns`);
      rows.push(Object.fromEntries(columns.map((name, k) => [name, cells[k]!])));
    } else throw fail('text before Heading');
  });
  if (section !== 'Data') throw new Error('ALE: the Heading, Column and Data sections are not all there');
  if (heading.FIELD_DELIM !== 'TABS') throw new Error('ALE: FIELD_DELIM is not TABS');
  return { heading, columns, rows };
}

// ---------------------------------------------------------------- OpenTimelineIO

export interface OtioMarker {
  name: string;
  color: string;
  comment: string;
  startFrame: number;
  durationFrames: number;
}

export interface OtioItem {
  /** OTIO_SCHEMA as written: "Clip.1", "Clip.2" or "Gap.1". */
  schema: string;
  name: string;
  startFrame: number;
  durationFrames: number;
  rate: number;
  metadata: Record<string, unknown>;
  markers: OtioMarker[];
  /** The active media reference: its target_url, or null for a MissingReference (and for gaps). */
  mediaUrl: string | null;
}

export interface OtioTimeline {
  name: string;
  globalStart: { value: number; rate: number };
  tracks: { name: string; kind: string; items: OtioItem[] }[];
}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`OTIO ${where}: not an object`);
  return value as Json;
}

function schema(value: unknown, allowed: readonly string[], where: string): Json {
  const obj = object(value, where);
  if (typeof obj.OTIO_SCHEMA !== 'string' || !allowed.includes(obj.OTIO_SCHEMA)) {
    throw new Error(`OTIO ${where}: OTIO_SCHEMA ${JSON.stringify(obj.OTIO_SCHEMA)} is not one of ${allowed.join(', ')}`);
  }
  return obj;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`OTIO ${where}: not a string`);
  return value;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`OTIO ${where}: not an array`);
  return value;
}

function rationalTime(value: unknown, where: string): { value: number; rate: number } {
  const rt = schema(value, ['RationalTime.1'], where);
  const keys = Object.keys(rt).sort().join(',');
  if (keys !== 'OTIO_SCHEMA,rate,value') throw new Error(`OTIO ${where}: RationalTime has keys ${keys}`);
  if (typeof rt.rate !== 'number' || !Number.isFinite(rt.rate) || rt.rate <= 0) throw new Error(`OTIO ${where}: rate ${String(rt.rate)}`);
  if (typeof rt.value !== 'number' || !Number.isFinite(rt.value)) throw new Error(`OTIO ${where}: value ${String(rt.value)}`);
  return { value: rt.value, rate: rt.rate };
}

function timeRange(value: unknown, where: string): { start: number; duration: number; rate: number } {
  const range = schema(value, ['TimeRange.1'], where);
  const start = rationalTime(range.start_time, `${where}.start_time`);
  const duration = rationalTime(range.duration, `${where}.duration`);
  if (start.rate !== duration.rate) throw new Error(`OTIO ${where}: start and duration at different rates`);
  if (duration.value < 0) throw new Error(`OTIO ${where}: negative duration`);
  return { start: start.value, duration: duration.value, rate: start.rate };
}

function marker(value: unknown, where: string): OtioMarker {
  const m = schema(value, ['Marker.1', 'Marker.2'], where);
  const range = timeRange(m.marked_range, `${where}.marked_range`);
  return {
    name: text(m.name, `${where}.name`),
    color: text(m.color, `${where}.color`),
    comment: m.comment === undefined ? '' : text(m.comment, `${where}.comment`),
    startFrame: range.start,
    durationFrames: range.duration,
  };
}

function activeMediaUrl(clip: Json, where: string): string | null {
  let reference: unknown;
  if (clip.OTIO_SCHEMA === 'Clip.2') {
    const references = object(clip.media_references, `${where}.media_references`);
    const key = text(clip.active_media_reference_key, `${where}.active_media_reference_key`);
    if (!Object.hasOwn(references, key)) throw new Error(`OTIO ${where}: no media reference under ${key}`);
    reference = references[key];
  } else reference = clip.media_reference;
  const ref = schema(reference, ['ExternalReference.1', 'MissingReference.1'], `${where} media reference`);
  return ref.OTIO_SCHEMA === 'ExternalReference.1' ? text(ref.target_url, `${where}.target_url`) : null;
}

function item(value: unknown, where: string): OtioItem {
  const it = schema(value, ['Clip.1', 'Clip.2', 'Gap.1'], where);
  const range = timeRange(it.source_range, `${where}.source_range`);
  const isClip = it.OTIO_SCHEMA !== 'Gap.1';
  return {
    schema: it.OTIO_SCHEMA as string,
    name: text(it.name, `${where}.name`),
    startFrame: range.start,
    durationFrames: range.duration,
    rate: range.rate,
    metadata: object(it.metadata ?? {}, `${where}.metadata`),
    markers: array(it.markers ?? [], `${where}.markers`).map((m, k) => marker(m, `${where}.markers[${k}]`)),
    mediaUrl: isClip ? activeMediaUrl(it, where) : null,
  };
}

/** An OTIO timeline (JSON text or parsed) with its tracks flattened to clips and gaps, checked on the way. */
export function readOtio(json: string | unknown): OtioTimeline {
  const root = schema(typeof json === 'string' ? (JSON.parse(json) as unknown) : json, ['Timeline.1'], 'timeline');
  const stack = schema(root.tracks, ['Stack.1'], 'tracks');
  const tracks = array(stack.children, 'tracks.children').map((value, t) => {
    const where = `track[${t}]`;
    const track = schema(value, ['Track.1'], where);
    return {
      name: text(track.name, `${where}.name`),
      kind: text(track.kind, `${where}.kind`),
      items: array(track.children, `${where}.children`).map((child, k) => item(child, `${where}.children[${k}]`)),
    };
  });
  return {
    name: text(root.name, 'timeline.name'),
    globalStart: rationalTime(root.global_start_time, 'global_start_time'),
    tracks,
  };
}
