/**
 * The camera form's model, pure (no DOM, no Svelte): form state to the JSON
 * that POST / PATCH /api/cameras take and back, the checks the browser can do
 * before asking (the same rules as server/config/schema.ts), and the server's
 * CAMERA_INVALID message split into errors per field.
 * Unit-tested under node (test/unit/web-camera-form.test.ts), where the output
 * is also parsed by the server's own schema so the two cannot drift apart.
 */
import { CAMERA_ID_PATTERN, CAMERA_ID_RULE, CAMERA_NAME_MAX, MAX_ANALYSIS_FPS, RTSP_URL_PATTERN, TESTSRC_MAX } from '../../../server/shared/input-limits.js';
import type { SourceKind } from '../../../server/shared/socket-events.js';

export const SOURCE_KINDS: readonly SourceKind[] = ['testsrc', 'rtsp', 'webcam', 'ndi', 'file', 'url', 'webrtc'];

export const SOURCE_KIND_LABELS: Readonly<Record<SourceKind, string>> = {
  rtsp: 'RTSP camera',
  webcam: 'Webcam / capture card',
  ndi: 'NDI source',
  file: 'Video file',
  testsrc: 'Test pattern',
  url: 'Other URL (SRT, UDP, HTTP, RTMP)',
  webrtc: 'WebRTC publisher (WHIP: phone, browser, OBS)',
};

/** ffmpeg lavfi patterns the server accepts (server/config/schema.ts TESTSRC_PATTERNS). */
export const TESTSRC_PATTERNS = ['testsrc', 'testsrc2', 'smptebars', 'smptehdbars', 'rgbtestsrc', 'mandelbrot', 'life', 'cellauto'] as const;
export type TestsrcPattern = (typeof TESTSRC_PATTERNS)[number];

export const RTSP_TRANSPORTS = ['tcp', 'udp'] as const;
export type RtspTransport = (typeof RTSP_TRANSPORTS)[number];

export const WEBCAM_DRIVERS = ['auto', 'v4l2', 'avfoundation', 'dshow'] as const;
export type WebcamDriver = (typeof WEBCAM_DRIVERS)[number];

/** The camera id rule and the highest analysis rate, as the server's schema reads them (server/shared/input-limits.ts). */
export { CAMERA_ID_PATTERN, CAMERA_ID_RULE, MAX_ANALYSIS_FPS };

/** The source as the API sends and takes it. */
export type SourceJson =
  | { kind: 'rtsp'; url: string; transport?: RtspTransport; timeoutS?: number }
  | { kind: 'webcam'; device: string; driver?: WebcamDriver; width?: number; height?: number; fps?: number }
  | { kind: 'ndi'; name: string }
  | { kind: 'file'; path: string; loop?: boolean; realtime?: boolean }
  | { kind: 'testsrc'; pattern?: TestsrcPattern; width?: number; height?: number; fps?: number }
  | { kind: 'url'; url: string; inputOptions?: string[] }
  | { kind: 'webrtc' };

/** The camera fields this form edits (the API's config may carry more, such as models; PATCH leaves those alone). */
export interface CameraJson {
  id: string;
  name?: string;
  enabled?: boolean;
  analysisFps?: number;
  source: SourceJson;
}

/**
 * Everything the form holds. Numbers are kept as typed (strings) so that a
 * half-typed or wrong value can be shown back with its error; each kind keeps
 * its own fields so switching kinds back and forth loses nothing.
 */
export interface CameraFormState {
  id: string;
  name: string;
  kind: SourceKind;
  analysisFps: string;
  enabled: boolean;
  rtsp: { url: string; transport: RtspTransport; timeoutS: string };
  webcam: { device: string; driver: WebcamDriver; width: string; height: string; fps: string };
  ndi: { name: string };
  file: { path: string; loop: boolean; realtime: boolean };
  testsrc: { pattern: TestsrcPattern; width: string; height: string; fps: string };
  /** inputOptions as one line, split like a shell would ("quoted parts" stay whole). */
  url: { url: string; inputOptions: string };
}

/** Field keys are the API's paths, so server errors land on the right input. */
export type FieldKey =
  | 'id'
  | 'name'
  | 'analysisFps'
  | 'enabled'
  | 'source.kind'
  | 'source.url'
  | 'source.transport'
  | 'source.timeoutS'
  | 'source.device'
  | 'source.driver'
  | 'source.width'
  | 'source.height'
  | 'source.fps'
  | 'source.name'
  | 'source.path'
  | 'source.loop'
  | 'source.realtime'
  | 'source.pattern'
  | 'source.inputOptions';

export type FieldErrors = Partial<Record<FieldKey, string>>;

const COMMON_FIELDS: readonly FieldKey[] = ['id', 'name', 'analysisFps', 'enabled', 'source.kind'];

const SOURCE_FIELDS: Readonly<Record<SourceKind, readonly FieldKey[]>> = {
  rtsp: ['source.url', 'source.transport', 'source.timeoutS'],
  webcam: ['source.device', 'source.driver', 'source.width', 'source.height', 'source.fps'],
  ndi: ['source.name'],
  file: ['source.path', 'source.loop', 'source.realtime'],
  testsrc: ['source.pattern', 'source.width', 'source.height', 'source.fps'],
  url: ['source.url', 'source.inputOptions'],
  webrtc: [],
};

/** The fields the form shows for a source kind, in order. */
export function fieldsFor(kind: SourceKind): FieldKey[] {
  return [...COMMON_FIELDS, ...SOURCE_FIELDS[kind]];
}

/** A fresh form with the server's defaults filled in. */
export function emptyForm(kind: SourceKind = 'testsrc'): CameraFormState {
  return {
    id: '',
    name: '',
    kind,
    analysisFps: '5',
    enabled: true,
    rtsp: { url: '', transport: 'tcp', timeoutS: '5' },
    webcam: { device: '', driver: 'auto', width: '', height: '', fps: '' },
    ndi: { name: '' },
    file: { path: '', loop: true, realtime: true },
    testsrc: { pattern: 'testsrc2', width: '1280', height: '720', fps: '25' },
    url: { url: '', inputOptions: '' },
  };
}

function numText(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

function oneOf<T extends string>(options: readonly T[], value: unknown, fallback: T): T {
  return options.includes(value as T) ? (value as T) : fallback;
}

/** The form for editing a camera, from GET /api/cameras/:id's `config` (credentials already scrubbed). */
export function formFromConfig(config: CameraJson): CameraFormState {
  const form = emptyForm(config.source.kind);
  form.id = config.id;
  form.name = config.name ?? '';
  form.enabled = config.enabled ?? true;
  if (config.analysisFps !== undefined) form.analysisFps = numText(config.analysisFps);
  const s = config.source;
  switch (s.kind) {
    case 'rtsp':
      form.rtsp = { url: s.url, transport: oneOf(RTSP_TRANSPORTS, s.transport, 'tcp'), timeoutS: s.timeoutS === undefined ? form.rtsp.timeoutS : numText(s.timeoutS) };
      break;
    case 'webcam':
      form.webcam = { device: s.device, driver: oneOf(WEBCAM_DRIVERS, s.driver, 'auto'), width: numText(s.width), height: numText(s.height), fps: numText(s.fps) };
      break;
    case 'ndi':
      form.ndi = { name: s.name };
      break;
    case 'file':
      form.file = { path: s.path, loop: s.loop ?? true, realtime: s.realtime ?? true };
      break;
    case 'testsrc':
      form.testsrc = {
        pattern: oneOf(TESTSRC_PATTERNS, s.pattern, 'testsrc2'),
        width: s.width === undefined ? form.testsrc.width : numText(s.width),
        height: s.height === undefined ? form.testsrc.height : numText(s.height),
        fps: s.fps === undefined ? form.testsrc.fps : numText(s.fps),
      };
      break;
    case 'url':
      form.url = { url: s.url, inputOptions: joinOptions(s.inputOptions ?? []) };
      break;
    case 'webrtc':
      break;
  }
  return form;
}

/**
 * Splits ffmpeg input options the way a shell would: on spaces, keeping
 * "double" or 'single' quoted parts whole. Null when a quote is left open.
 */
export function splitOptions(text: string): string[] | null {
  const out: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) out.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) return null;
  if (inToken) out.push(current);
  return out;
}

/** The inverse of splitOptions: options with spaces or quotes are quoted. */
export function joinOptions(options: readonly string[]): string {
  return options
    .map((o) => {
      if (o !== '' && !/[\s"']/.test(o)) return o;
      return o.includes('"') ? `'${o}'` : `"${o}"`;
    })
    .join(' ');
}

interface NumberRule {
  integer?: boolean;
  /** Largest allowed value, inclusive. */
  max?: number;
}

/**
 * A positive number from its text: the number, undefined when blank (the
 * server's default applies), or an error in words.
 */
export function parsePositive(text: string, rule: NumberRule = {}): { value?: number; error?: string } {
  const t = text.trim();
  if (t === '') return {};
  // Number('') and Number(' ') are 0 and Number('0x10') is 16: only plain decimals count.
  // A minus sign is a number all the same, only not one above 0: said as such ("-5" is no "not a number").
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { error: 'a number' };
  const value = Number(t);
  if (!Number.isFinite(value)) return { error: 'a number' };
  if (rule.integer && !Number.isInteger(value)) return { error: 'a whole number' };
  if (value <= 0) return { error: 'more than 0' };
  if (rule.max !== undefined && value > rule.max) return { error: `at most ${rule.max}` };
  return { value };
}

export interface BuildResult {
  /** The camera JSON, or null when a field is wrong (see errors). */
  camera: CameraJson | null;
  errors: FieldErrors;
}

/**
 * Checks the form and builds the camera JSON. Blank optional numbers are left
 * out so the server's defaults apply. `mode: 'edit'` sends a blank name as the
 * id (PATCH merges, so leaving it out would keep the old name).
 */
export function buildCamera(form: CameraFormState, mode: 'add' | 'edit' = 'add'): BuildResult {
  const errors: FieldErrors = {};
  const id = form.id.trim();
  if (!id) errors.id = 'required';
  else if (!CAMERA_ID_PATTERN.test(id)) errors.id = CAMERA_ID_RULE;

  const num = (key: FieldKey, text: string, rule?: NumberRule): number | undefined => {
    const parsed = parsePositive(text, rule);
    if (parsed.error) errors[key] = parsed.error;
    return parsed.value;
  };
  const required = (key: FieldKey, text: string): string => {
    const t = text.trim();
    if (!t) errors[key] = 'required';
    return t;
  };

  const analysisFps = num('analysisFps', form.analysisFps, { max: MAX_ANALYSIS_FPS });
  let source: SourceJson;
  switch (form.kind) {
    case 'rtsp': {
      const url = required('source.url', form.rtsp.url);
      if (url && !/^rtsps?:\/\//i.test(url)) errors['source.url'] = 'an rtsp:// or rtsps:// URL';
      else if (url && !RTSP_URL_PATTERN.test(url)) errors['source.url'] = 'a host after rtsp://, e.g. rtsp://10.0.0.21/stream1';
      source = withDefined<SourceJson>({ kind: 'rtsp', url, transport: form.rtsp.transport, timeoutS: num('source.timeoutS', form.rtsp.timeoutS) });
      break;
    }
    case 'webcam':
      source = withDefined<SourceJson>({
        kind: 'webcam',
        device: required('source.device', form.webcam.device),
        driver: form.webcam.driver,
        width: num('source.width', form.webcam.width, { integer: true }),
        height: num('source.height', form.webcam.height, { integer: true }),
        fps: num('source.fps', form.webcam.fps),
      });
      break;
    case 'ndi':
      source = { kind: 'ndi', name: required('source.name', form.ndi.name) };
      break;
    case 'file':
      source = { kind: 'file', path: required('source.path', form.file.path), loop: form.file.loop, realtime: form.file.realtime };
      break;
    case 'testsrc':
      source = withDefined<SourceJson>({
        kind: 'testsrc',
        pattern: form.testsrc.pattern,
        width: num('source.width', form.testsrc.width, { integer: true, max: TESTSRC_MAX.width }),
        height: num('source.height', form.testsrc.height, { integer: true, max: TESTSRC_MAX.height }),
        fps: num('source.fps', form.testsrc.fps, { max: TESTSRC_MAX.fps }),
      });
      break;
    case 'url': {
      const inputOptions = splitOptions(form.url.inputOptions);
      if (!inputOptions) errors['source.inputOptions'] = 'a quote is not closed';
      source = { kind: 'url', url: required('source.url', form.url.url), inputOptions: inputOptions ?? [] };
      break;
    }
    case 'webrtc':
      // Nothing to set: the picture arrives when a publisher POSTs to /whip/ID.
      source = { kind: 'webrtc' };
      break;
  }
  const name = form.name.trim();
  if (name.length > CAMERA_NAME_MAX) errors.name = `at most ${CAMERA_NAME_MAX} characters (${name.length} now)`;
  if (Object.keys(errors).length) return { camera: null, errors };
  const camera: CameraJson = withDefined({
    id,
    name: name || (mode === 'edit' ? id : undefined),
    enabled: form.enabled,
    analysisFps,
    source,
  });
  return { camera, errors };
}

/** The object without its undefined properties (JSON would drop them anyway; tests compare exactly). */
function withDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** What PATCH /api/cameras/:id takes: some of the camera's fields, never its id (which cannot change). */
export type CameraPatchJson = Partial<Omit<CameraJson, 'id'>>;

/** Same JSON value, whatever the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The PATCH for an edit: only the fields that differ from `loaded`, the
 * camera as the form loaded it (buildCamera of the loaded form, so that "5"
 * and "5.0" or a trimmed name count as the same). The server merges a PATCH
 * into the camera as it is then, so two people saving the form for one camera
 * at once, each changing a different field, both keep their change; a form
 * that sent every field would put back the values it loaded over the other's.
 *
 * The source goes whole when any part of it changed: the server replaces the
 * source as a whole (a shallow merge), and puts back credentials shown as
 * `***` (same host) itself. A number left blank is left out, as in add
 * mode, so it keeps the camera's value. An empty object: nothing changed.
 * Without `loaded` (not known), every field goes.
 */
export function patchBody(camera: CameraJson, loaded: CameraJson | null): CameraPatchJson {
  const { id: _id, ...all } = camera;
  if (!loaded) return all;
  const patch: CameraPatchJson = {};
  if (camera.name !== undefined && camera.name !== loaded.name) patch.name = camera.name;
  if (camera.enabled !== undefined && camera.enabled !== loaded.enabled) patch.enabled = camera.enabled;
  if (camera.analysisFps !== undefined && camera.analysisFps !== loaded.analysisFps) patch.analysisFps = camera.analysisFps;
  if (!sameJson(camera.source, loaded.source)) patch.source = camera.source;
  return patch;
}

export interface ServerFieldErrors {
  /** Errors the form can show next to a field it shows. */
  fields: FieldErrors;
  /** Everything else, in words, for the top of the form. */
  general: string[];
}

const ISSUE = /^((?:[A-Za-z_$][\w$]*|\[\d+\])(?:\.[A-Za-z_$][\w$]*|\[\d+\])*|\(top level\)): (.+)$/s;

/**
 * Splits an API error into per-field errors where the message names a field
 * the form shows for `kind`. CAMERA_INVALID messages read
 * `camera[ "id"]: path: text; path: text` (server/app/camera-manager.ts);
 * CAMERA_EXISTS is about the id.
 */
export function serverErrors(code: string, message: string, kind: SourceKind): ServerFieldErrors {
  const fields: FieldErrors = {};
  const general: string[] = [];
  if (code === 'CAMERA_EXISTS') {
    fields.id = 'a camera with this id already exists';
    return { fields, general };
  }
  if (code !== 'CAMERA_INVALID') {
    general.push(message);
    return { fields, general };
  }
  const visible = new Set<string>(fieldsFor(kind));
  const body = message.replace(/^camera(?: "[^"]*")?: /, '');
  // Issues are joined with "; ", and an issue's text may hold "; " of its own
  // ("the secrets shown as *** belong to rtsp://a:554; for rtsp://b:554 type
  // them again"): a part that names no field goes on with the issue before it,
  // or the field showed half a sentence and the top of the form the other half.
  const issues: { path: string | null; text: string }[] = [];
  for (const part of body.split('; ')) {
    const match = ISSUE.exec(part);
    const last = issues.at(-1);
    if (match) issues.push({ path: match[1]!, text: match[2]! });
    else if (last) last.text = `${last.text}; ${part}`;
    else issues.push({ path: null, text: part });
  }
  for (const issue of issues) {
    // "source.inputOptions[2]" belongs to the inputOptions field.
    const path = issue.path?.replace(/\[\d+\].*$/, '');
    if (path && visible.has(path)) {
      const key = path as FieldKey;
      fields[key] = fields[key] ? `${fields[key]}; ${issue.text}` : issue.text;
    } else {
      general.push(issue.path === null ? issue.text : `${issue.path}: ${issue.text}`);
    }
  }
  return { fields, general };
}
