/**
 * A reader for Final Cut Pro XML (FCPXML 1.x), written from Apple's
 * documented structure and independent of server/exports, so the round-trip
 * tests catch an exporter that is consistently wrong with itself. There is no
 * XML parser among the dependencies, so it brings a small one: elements,
 * attributes (quoted, unique, normalised), the five predefined entities and
 * character references, CDATA, comments, processing instructions and a
 * DOCTYPE without an internal subset.
 *
 * It is strict where Final Cut is: times are rational seconds ("1001/30000s",
 * "5s") that must fall on the frame grid of their format; the primary
 * storyline (the sequence's spine) is elements laid end to end from the
 * sequence's tcStart; a connected clip has a non-zero lane and an offset in
 * its parent's time that falls inside the parent; an asset-clip's range lies
 * inside its asset; children come in the order the DTD gives (note, anchored
 * items, markers and keywords, metadata). A keyword's value is a
 * comma-separated list of keywords.
 */

// ---------------------------------------------------------------- XML

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (character data directly inside it), entities decoded. */
  text: string;
}

export interface XmlDocument {
  declaration: Record<string, string> | null;
  doctype: string | null;
  root: XmlElement;
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const SPACE = /[ \t\r\n]*/y;
/** XML 1.0 Char: what a document may hold at all. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(raw: string, at: number): string {
  return raw.replace(/&([^;&\s]*);?/g, (whole, body: string, offset: number) => {
    const fail = () => new Error(`XML: bad entity ${JSON.stringify(whole)} at ${at + offset}`);
    if (!whole.endsWith(';')) throw fail();
    if (Object.hasOwn(PREDEFINED, body)) return PREDEFINED[body]!;
    const numeric = /^#(?:(\d+)|x([0-9a-fA-F]+))$/.exec(body);
    if (!numeric) throw fail();
    const code = numeric[1] !== undefined ? Number(numeric[1]) : parseInt(numeric[2]!, 16);
    if (code > 0x10ffff) throw fail();
    const char = String.fromCodePoint(code);
    if (NOT_XML_CHAR.test(char)) throw fail();
    return char;
  });
}

/** Parses a whole document; throws on anything not well-formed. */
export function parseXml(xml: string): XmlDocument {
  let i = xml.startsWith('\ufeff') ? 1 : 0;
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad) throw new Error(`XML: character U+${bad[0].codePointAt(0)!.toString(16)} at ${bad.index} is not allowed`);
  const fail = (why: string) => new Error(`XML: ${why} at ${i}`);
  const skipSpace = () => {
    SPACE.lastIndex = i;
    SPACE.test(xml);
    i = SPACE.lastIndex;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const match = NAME.exec(xml);
    if (!match) throw fail('a name expected');
    i = NAME.lastIndex;
    return match[0];
  };
  const until = (end: string, what: string): string => {
    const stop = xml.indexOf(end, i);
    if (stop < 0) throw fail(`${what} not closed`);
    const body = xml.slice(i, stop);
    i = stop + end.length;
    return body;
  };
  const attributes = (): Record<string, string> => {
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = i;
      skipSpace();
      if (xml[i] === '>' || xml[i] === '/' || xml[i] === '?') return attrs;
      if (i === before) throw fail('a space expected between attributes');
      const key = name();
      skipSpace();
      if (xml[i] !== '=') throw fail(`= expected after ${key}`);
      i++;
      skipSpace();
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") throw fail(`the value of ${key} is not quoted`);
      i++;
      const start = i;
      const raw = until(quote, `the value of ${key}`);
      if (raw.includes('<')) throw fail(`< in the value of ${key}`);
      if (Object.hasOwn(attrs, key)) throw fail(`attribute ${key} repeated`);
      // Attribute-value normalisation: literal white space becomes a space; references keep theirs.
      attrs[key] = decodeEntities(raw.replace(/[\t\n\r]/g, ' '), start);
    }
  };
  const misc = () => {
    for (;;) {
      skipSpace();
      if (xml.startsWith('<!--', i)) {
        i += 4;
        if (until('-->', 'comment').includes('--')) throw fail('-- inside a comment');
      } else if (xml.startsWith('<?', i)) {
        i += 2;
        if (name().toLowerCase() === 'xml') throw fail('an XML declaration not at the start');
        until('?>', 'processing instruction');
      } else return;
    }
  };

  let declaration: Record<string, string> | null = null;
  if (xml.startsWith('<?xml', i) && /[ \t\r\n]/.test(xml[i + 5] ?? '')) {
    i += 5;
    declaration = attributes();
    if (!xml.startsWith('?>', i)) throw fail('XML declaration not closed');
    i += 2;
    if (declaration.version !== '1.0') throw fail(`XML version ${declaration.version ?? '(none)'}`);
  }
  misc();
  let doctype: string | null = null;
  if (xml.startsWith('<!DOCTYPE', i)) {
    i += 9;
    skipSpace();
    doctype = name();
    const rest = until('>', 'DOCTYPE');
    if (rest.includes('[')) throw new Error('XML: a DOCTYPE internal subset is not supported');
    misc();
  }

  const parseElement = (): XmlElement => {
    if (xml[i] !== '<') throw fail('< expected');
    i++;
    const element: XmlElement = { name: name(), attributes: attributes(), children: [], text: '' };
    if (xml.startsWith('/>', i)) {
      i += 2;
      return element;
    }
    if (xml[i] !== '>') throw fail(`<${element.name}> not closed`);
    i++;
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) throw fail(`<${element.name}> never ends`);
      const chunk = xml.slice(i, lt);
      if (chunk.includes(']]>')) throw fail(']]> in text');
      element.text += decodeEntities(chunk, i);
      i = lt;
      if (xml.startsWith('</', i)) {
        i += 2;
        const closing = name();
        skipSpace();
        if (xml[i] !== '>' || closing !== element.name) throw fail(`</${closing}> closes <${element.name}>`);
        i++;
        return element;
      }
      if (xml.startsWith('<![CDATA[', i)) {
        i += 9;
        element.text += until(']]>', 'CDATA section');
      } else if (xml.startsWith('<!--', i) || xml.startsWith('<?', i)) misc();
      else element.children.push(parseElement());
    }
  };
  const root = parseElement();
  misc();
  if (i !== xml.length) throw fail('content after the root element');
  return { declaration, doctype, root };
}

// ---------------------------------------------------------------- FCPXML times and rates

/** A rational number of seconds, exactly. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** "1001/30000s", "5s", "0s" (the DTD's time: a 64-bit numerator over a 32-bit denominator, "s" at the end). */
export function parseTime(value: string, where: string): Rational {
  const match = /^(-?\d+)(?:\/(\d+))?s$/.exec(value);
  if (!match) throw new Error(`FCPXML ${where}: ${JSON.stringify(value)} is not a rational time`);
  const den = BigInt(match[2] ?? '1');
  if (den === 0n) throw new Error(`FCPXML ${where}: zero denominator`);
  return { num: BigInt(match[1]!), den };
}

/** A time as a whole number of frames of `frameDuration`; throws when it falls between frames. */
export function timeToFrames(time: Rational, frameDuration: Rational, where: string): number {
  const num = time.num * frameDuration.den;
  const den = time.den * frameDuration.num;
  if (num % den !== 0n) throw new Error(`FCPXML ${where}: ${time.num}/${time.den}s is not on the ${frameDuration.num}/${frameDuration.den}s frame grid`);
  return Number(num / den);
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/** Timecode rate names by exact frames per second ("num/den" reduced). */
const RATE_NAMES: Record<string, string> = {
  '24000/1001': '23.976',
  '24/1': '24',
  '25/1': '25',
  '30000/1001': '29.97',
  '30/1': '30',
  '50/1': '50',
  '60000/1001': '59.94',
  '60/1': '60',
};

/** The rate a frame duration and timecode format give: "25", "29.97DF", ... */
export function rateName(frameDuration: Rational, tcFormat: string | undefined): { name: string; nominal: number; dropFrame: boolean } {
  const divisor = gcd(frameDuration.den, frameDuration.num);
  const key = `${frameDuration.den / divisor}/${frameDuration.num / divisor}`;
  const base = RATE_NAMES[key];
  if (!base) throw new Error(`FCPXML: frame duration ${frameDuration.num}/${frameDuration.den}s is not a timecode rate`);
  const dropFrame = tcFormat === 'DF';
  if (dropFrame && base !== '29.97' && base !== '59.94') throw new Error(`FCPXML: drop-frame timecode at ${base} fps`);
  return { name: dropFrame ? `${base}DF` : base, nominal: Math.round(Number(frameDuration.den) / Number(frameDuration.num)), dropFrame };
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * SMPTE timecode of a frame count since 00:00:00:00, wrapping at 24 hours.
 * Drop-frame skips the first 2 (4 at 59.94) frame numbers of every minute
 * except each tenth, and writes ";" before the frames.
 */
export function framesToTimecode(frames: number, rate: { nominal: number; dropFrame: boolean }): string {
  const drop = rate.dropFrame ? rate.nominal / 15 : 0;
  const perMinute = rate.nominal * 60 - drop;
  const perTenMinutes = perMinute * 10 + drop;
  const day = perTenMinutes * 6 * 24;
  let n = ((frames % day) + day) % day;
  if (drop) {
    const tens = Math.floor(n / perTenMinutes);
    const inTen = n % perTenMinutes;
    // The first minute of ten keeps every number; each later one skips `drop`.
    const minutesSkipped = inTen < rate.nominal * 60 ? 0 : 1 + Math.floor((inTen - rate.nominal * 60) / perMinute);
    n += drop * (9 * tens + minutesSkipped);
  }
  const ff = n % rate.nominal;
  const seconds = Math.floor(n / rate.nominal);
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}${rate.dropFrame ? ';' : ':'}${two(ff)}`;
}

// ---------------------------------------------------------------- FCPXML documents

export interface FcpxmlFormat {
  id: string;
  name: string;
  frameDuration: Rational;
  width: number;
  height: number;
  /** The pixel aspect (paspH:paspV) when given; null for square pixels. */
  pixelAspect: { h: number; v: number } | null;
}

export interface FcpxmlAsset {
  id: string;
  name: string;
  formatId: string;
  /** In frames of the asset's format. */
  startFrames: number;
  durationFrames: number;
  src: string;
}

export interface FcpxmlMarker {
  value: string;
  note: string;
  /** In the clip's source time, frames. */
  startFrames: number;
  durationFrames: number;
}

export interface FcpxmlShot {
  name: string;
  assetId: string;
  /** The asset's name: the camera (or the file in file mode). */
  asset: string;
  mediaUrl: string;
  /** 0: the primary storyline; otherwise the lane of a connected clip. */
  lane: number;
  /** Source in (the asset-clip's start) and length, frames. */
  inFrames: number;
  durationFrames: number;
  /** Where the clip sits on the sequence timeline, frames from 00:00:00:00 (tcStart is the first). */
  timelineFrames: number;
  startTimecode: string;
  /** Exclusive, as in an EDL. */
  endTimecode: string;
  recordTimecode: string;
  tcFormat: string | null;
  /** The keyword that is a canonical scale, or null. */
  scale: string | null;
  keywords: string[];
  markers: FcpxmlMarker[];
  /** The first marker's value ("" without markers). */
  marker: string;
  note: string | null;
  metadata: Record<string, string>;
  /** The sequence's rate name ("25", "29.97DF"). */
  rate: string;
}

export interface FcpxmlGap {
  timelineFrames: number;
  durationFrames: number;
}

export interface FcpxmlDocument {
  version: string;
  doctype: string | null;
  formats: FcpxmlFormat[];
  assets: FcpxmlAsset[];
  eventName: string;
  projectName: string;
  sequence: { formatId: string; rate: string; tcFormat: string; tcStartFrames: number; tcStart: string; durationFrames: number };
  gaps: FcpxmlGap[];
  /** Primary storyline clips in order, each followed by the clips connected to it. */
  shots: FcpxmlShot[];
}

const SCALES = new Set(['ECU', 'CU', 'MCU', 'MS', 'MWS', 'FS', 'WS', 'EWS']);

function only(parent: XmlElement, name: string): XmlElement {
  const found = parent.children.filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`FCPXML: <${parent.name}> has ${found.length} <${name}>, not one`);
  return found[0]!;
}

function attribute(element: XmlElement, key: string): string {
  const value = element.attributes[key];
  if (value === undefined) throw new Error(`FCPXML: <${element.name}> has no ${key}`);
  return value;
}

/** Child order in clips and gaps, from the DTD: note?, anchored items*, markers/keywords*, metadata?. */
function childRank(name: string): number {
  if (name === 'note') return 0;
  if (['asset-clip', 'clip', 'ref-clip', 'sync-clip', 'mc-clip', 'audio', 'video', 'title', 'audition', 'spine', 'caption'].includes(name)) return 1;
  if (['marker', 'keyword', 'chapter-marker', 'rating', 'analysis-marker'].includes(name)) return 2;
  if (name === 'metadata') return 3;
  throw new Error(`FCPXML: <${name}> is not read here`);
}

function checkChildOrder(element: XmlElement): void {
  let rank = -1;
  for (const child of element.children) {
    const next = childRank(child.name);
    if (next < rank || (next === rank && (next === 0 || next === 3))) throw new Error(`FCPXML: <${child.name}> out of order in <${element.name}>`);
    rank = next;
  }
}

export function readFcpxml(text: string): FcpxmlDocument {
  const { declaration, doctype, root } = parseXml(text);
  if (!declaration) throw new Error('FCPXML: no XML declaration');
  if (root.name !== 'fcpxml') throw new Error(`FCPXML: the root is <${root.name}>`);
  if (doctype !== null && doctype !== 'fcpxml') throw new Error(`FCPXML: DOCTYPE ${doctype}`);
  const version = attribute(root, 'version');
  if (!/^1\.\d+$/.test(version)) throw new Error(`FCPXML: version ${version}`);

  const resources = only(root, 'resources');
  const formats = new Map<string, FcpxmlFormat>();
  const assets = new Map<string, FcpxmlAsset>();
  const ids = new Set<string>();
  for (const r of resources.children) {
    const id = attribute(r, 'id');
    if (ids.has(id)) throw new Error(`FCPXML: resource id ${id} repeated`);
    ids.add(id);
    if (r.name === 'format') {
      const { paspH, paspV } = r.attributes;
      if ((paspH === undefined) !== (paspV === undefined)) throw new Error(`FCPXML: format ${id} has only one of paspH and paspV`);
      const pixelAspect = paspH !== undefined && paspV !== undefined ? { h: Number(paspH), v: Number(paspV) } : null;
      if (pixelAspect && !(Number.isInteger(pixelAspect.h) && Number.isInteger(pixelAspect.v) && pixelAspect.h > 0 && pixelAspect.v > 0)) throw new Error(`FCPXML: format ${id} has a bad pixel aspect ${paspH}:${paspV}`);
      formats.set(id, { id, name: r.attributes.name ?? '', frameDuration: parseTime(attribute(r, 'frameDuration'), `format ${id}`), width: Number(r.attributes.width), height: Number(r.attributes.height), pixelAspect });
    }
  }
  const formatOf = (id: string) => {
    const format = formats.get(id);
    if (!format) throw new Error(`FCPXML: no format ${id}`);
    return format;
  };
  for (const r of resources.children.filter((c) => c.name === 'asset')) {
    const id = attribute(r, 'id');
    const format = formatOf(attribute(r, 'format'));
    const reps = r.children.filter((c) => c.name === 'media-rep');
    if (!reps.length) throw new Error(`FCPXML: asset ${id} has no media-rep`);
    const original = reps.find((m) => (m.attributes.kind ?? 'original-media') === 'original-media') ?? reps[0]!;
    const frames = (key: string) => timeToFrames(parseTime(r.attributes[key] ?? '0s', `asset ${id} ${key}`), format.frameDuration, `asset ${id} ${key}`);
    assets.set(id, { id, name: r.attributes.name ?? '', formatId: format.id, startFrames: frames('start'), durationFrames: frames('duration'), src: attribute(original, 'src') });
  }

  const event = only(only(root, 'library'), 'event');
  const project = only(event, 'project');
  const seq = only(project, 'sequence');
  const seqFormat = formatOf(attribute(seq, 'format'));
  const tcFormat = seq.attributes.tcFormat ?? 'NDF';
  const rate = rateName(seqFormat.frameDuration, tcFormat);
  const onTimeline = (value: string | undefined, where: string) => timeToFrames(parseTime(value ?? '0s', where), seqFormat.frameDuration, where);
  const tcStartFrames = onTimeline(seq.attributes.tcStart, 'sequence tcStart');
  const shots: FcpxmlShot[] = [];
  const gaps: FcpxmlGap[] = [];

  /**
   * An asset-clip whose first frame sits at `timeline` on the sequence, then
   * its anchored asset-clips (lane != 0) at their parent-time offsets,
   * recursively; returns its length in frames.
   */
  const readClip = (clip: XmlElement, timeline: number, lane: number): number => {
    checkChildOrder(clip);
    const where = `asset-clip ${clip.attributes.name ?? ''}`;
    const asset = assets.get(attribute(clip, 'ref'));
    if (!asset) throw new Error(`FCPXML ${where}: ref ${clip.attributes.ref} is no asset`);
    const frameDuration = formatOf(asset.formatId).frameDuration;
    const local = (value: string | undefined, what: string) => timeToFrames(parseTime(value ?? '0s', `${where} ${what}`), frameDuration, `${where} ${what}`);
    const inFrames = local(clip.attributes.start, 'start');
    const durationFrames = clip.attributes.duration === undefined ? asset.durationFrames - (inFrames - asset.startFrames) : onTimeline(clip.attributes.duration, `${where} duration`);
    if (durationFrames <= 0) throw new Error(`FCPXML ${where}: duration ${durationFrames}`);
    if (inFrames < asset.startFrames || inFrames + durationFrames > asset.startFrames + asset.durationFrames) throw new Error(`FCPXML ${where}: outside its asset ${asset.id}`);
    const within = (start: number, duration: number, what: string) => {
      if (start < inFrames || start + duration > inFrames + durationFrames) throw new Error(`FCPXML ${where}: ${what} outside the clip`);
    };
    const keywords: string[] = [];
    const markers: FcpxmlMarker[] = [];
    const metadata: Record<string, string> = {};
    for (const child of clip.children) {
      if (child.name === 'keyword') {
        const start = local(child.attributes.start ?? clip.attributes.start, 'keyword start');
        const duration = child.attributes.duration === undefined ? durationFrames : local(child.attributes.duration, 'keyword duration');
        within(start, duration, 'keyword');
        keywords.push(...attribute(child, 'value').split(',').map((k) => k.trim()).filter((k) => k !== ''));
      } else if (child.name === 'marker') {
        const start = local(attribute(child, 'start'), 'marker start');
        const duration = local(child.attributes.duration ?? frameDurationText(frameDuration), 'marker duration');
        within(start, duration, 'marker');
        markers.push({ value: attribute(child, 'value'), note: child.attributes.note ?? '', startFrames: start, durationFrames: duration });
      } else if (child.name === 'metadata') {
        for (const md of child.children) metadata[attribute(md, 'key')] = md.attributes.value ?? '';
      }
    }
    const scales = keywords.filter((k) => SCALES.has(k));
    if (scales.length > 1) throw new Error(`FCPXML ${where}: several scale keywords ${scales.join(', ')}`);
    const note = clip.children.find((c) => c.name === 'note')?.text ?? null;
    shots.push({
      name: clip.attributes.name ?? '',
      assetId: asset.id,
      asset: asset.name,
      mediaUrl: asset.src,
      lane,
      inFrames,
      durationFrames,
      timelineFrames: timeline,
      startTimecode: framesToTimecode(inFrames, rate),
      endTimecode: framesToTimecode(inFrames + durationFrames, rate),
      recordTimecode: framesToTimecode(timeline, rate),
      tcFormat: clip.attributes.tcFormat ?? null,
      scale: scales[0] ?? null,
      keywords,
      markers,
      marker: markers[0]?.value ?? '',
      note,
      metadata,
      rate: rate.name,
    });
    readAnchored(clip, timeline, inFrames, durationFrames);
    return durationFrames;
  };

  const readAnchored = (parent: XmlElement, timeline: number, localStart: number, duration: number): void => {
    for (const child of parent.children.filter((c) => childRank(c.name) === 1)) {
      if (child.name !== 'asset-clip') throw new Error(`FCPXML: <${child.name}> connected clips are not read here`);
      const lane = Number(child.attributes.lane ?? '0');
      if (!Number.isInteger(lane) || lane === 0) throw new Error(`FCPXML: a connected clip in <${parent.name}> has lane ${child.attributes.lane ?? '(none)'}`);
      const offset = onTimeline(child.attributes.offset, 'connected clip offset');
      if (offset < localStart || offset >= localStart + duration) throw new Error(`FCPXML: connected clip ${child.attributes.name ?? ''} is anchored outside its parent`);
      readClip(child, timeline + (offset - localStart), lane);
    }
  };

  let position = tcStartFrames;
  for (const item of only(seq, 'spine').children) {
    const offset = onTimeline(item.attributes.offset, `spine <${item.name}> offset`);
    if (offset !== position) throw new Error(`FCPXML: spine <${item.name}> at frame ${offset}, the storyline is at ${position} (a hole or an overlap)`);
    if (item.attributes.lane !== undefined && item.attributes.lane !== '0') throw new Error('FCPXML: a spine element with a lane');
    if (item.name === 'asset-clip') {
      position += readClip(item, offset, 0);
    } else if (item.name === 'gap') {
      checkChildOrder(item);
      const duration = onTimeline(attribute(item, 'duration'), 'gap duration');
      if (duration <= 0) throw new Error(`FCPXML: gap of ${duration} frames`);
      gaps.push({ timelineFrames: offset, durationFrames: duration });
      readAnchored(item, offset, onTimeline(item.attributes.start, 'gap start'), duration);
      position += duration;
    } else throw new Error(`FCPXML: <${item.name}> in the spine is not read here`);
  }
  const durationFrames = onTimeline(seq.attributes.duration, 'sequence duration');
  if (durationFrames !== position - tcStartFrames) throw new Error(`FCPXML: the sequence lasts ${durationFrames} frames, its spine ${position - tcStartFrames}`);

  return {
    version,
    doctype,
    formats: [...formats.values()],
    assets: [...assets.values()],
    eventName: event.attributes.name ?? '',
    projectName: project.attributes.name ?? '',
    sequence: { formatId: seqFormat.id, rate: rate.name, tcFormat, tcStartFrames, tcStart: framesToTimecode(tcStartFrames, rate), durationFrames },
    gaps,
    shots,
  };
}

function frameDurationText(frameDuration: Rational): string {
  return `${frameDuration.num}/${frameDuration.den}s`;
}
