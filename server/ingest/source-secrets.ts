/**
 * Secrets in camera sources: passwords in URLs, tokens and passphrases in
 * query strings, HTTP headers and SRT passphrases in input options. They are
 * needed by ffmpeg and shown to nobody: logs, statuses, the API and the kept
 * ffmpeg stderr lines all carry `***` instead. An edit form that sends a
 * scrubbed source back gets the stored secrets again, but only for the same
 * scheme, host and port: a secret never follows a camera to another host.
 */
import type { SourceConfig } from '../config/schema.js';
import { ShotscaleError } from '../errors.js';
import { SECRET_OPTIONS } from './input-options.js';

const HIDDEN = '***';

// SRT's streamid often carries the user and session that a server checks (#!::u=...,s=...).
const SECRET_PARAMS = /\b(password|passwd|pwd|pass|passphrase|token|access[_-]?token|api[_-]?key|key|secret|auth|signature|sig|streamid)=([^&\s]+)/gi;
/** An RTMP URL's stream key: the last part of a path of two or more (rtmp://host/app/KEY), as streaming services issue them. */
const RTMP_STREAM_KEY = /\b(rtmp[est]{0,2}:\/\/[^/?#\s]+\/[^?#\s]*\/)([^/?#\s]+)/gi;
const SECRET_HEADERS = /\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)(\s*:\s*)([^\r\n]+)/gi;

/** Hides credentials in URLs, key=value pairs and HTTP headers, for logs, status and the API. */
export function scrubCredentials(text: string): string {
  return (
    text
      // Userinfo runs to the LAST "@" before the path, query or fragment, as ffmpeg
      // parses it, so a raw "@" in a password (p@ss) is hidden whole.
      .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, (_m, scheme: string) => `${scheme}${HIDDEN}:${HIDDEN}@`)
      .replace(SECRET_PARAMS, `$1=${HIDDEN}`)
      .replace(RTMP_STREAM_KEY, `$1${HIDDEN}`)
      .replace(SECRET_HEADERS, `$1$2${HIDDEN}`)
  );
}

/** An input option's value as shown: secret options hidden whole (headers: their secret ones). */
function publicOptionValue(option: string | undefined, value: string): string {
  if (option === '-passphrase' || option === '-cookies') return HIDDEN;
  return scrubCredentials(value);
}

function publicOptions(options: readonly string[]): string[] {
  return options.map((value, i) => (i > 0 && SECRET_OPTIONS.has(options[i - 1]!) ? publicOptionValue(options[i - 1], value) : scrubCredentials(value)));
}

/** The source as the API shows it: no credentials in URLs, no secret option values. */
export function publicSource(source: SourceConfig): SourceConfig {
  if (source.kind === 'rtsp') return { ...source, url: scrubCredentials(source.url) };
  if (source.kind === 'url') return { ...source, url: scrubCredentials(source.url), inputOptions: publicOptions(source.inputOptions) };
  return source;
}

/** scheme://host:port of a URL, lower-cased: where its credentials may go. */
function originOf(url: string): string | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/?#\s]*@)?([^/?#\s]*)/i.exec(url);
  return match ? `${match[1]!.toLowerCase()}://${match[2]!.toLowerCase()}` : null;
}

function refuse(what: string, why: string): ShotscaleError {
  return new ShotscaleError('CAMERA_INVALID', `source.${what}: ${why}`);
}

/** The URL with its hidden userinfo and query secrets put back from `previous` (same origin checked by the caller). */
function restoreUrl(next: string, previous: string): string {
  let url = next;
  if (url.includes(`://${HIDDEN}:${HIDDEN}@`)) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]*)@/i.exec(previous)?.[1];
    if (!userinfo) throw refuse('url', 'the credentials are shown as *** but the camera had none: type them');
    url = url.replace(`://${HIDDEN}:${HIDDEN}@`, `://${userinfo}@`);
  }
  url = url.replace(new RegExp(RTMP_STREAM_KEY.source, 'gi'), (whole: string, head: string, key: string) => {
    if (key !== HIDDEN) return whole;
    const kept = new RegExp(RTMP_STREAM_KEY.source, 'i').exec(previous)?.[2];
    if (!kept || kept === HIDDEN) throw refuse('url', 'the stream key is shown as *** but the camera had none: type it');
    return `${head}${kept}`;
  });
  return url.replace(new RegExp(SECRET_PARAMS.source, 'gi'), (whole: string, name: string, value: string) => {
    if (value !== HIDDEN) return whole;
    const kept = new RegExp(`\\b${name}=([^&\\s]+)`).exec(previous)?.[1];
    if (!kept) throw refuse('url', `${name}=*** had no stored value: type it`);
    return `${name}=${kept}`;
  });
}

/** Input options with their hidden values put back from the stored ones of the same option. */
function restoreOptions(next: readonly string[], previous: readonly string[]): string[] {
  const shownBefore = publicOptions(previous);
  return next.map((value, i) => {
    if (!value.includes(HIDDEN)) return value;
    const option = i > 0 ? next[i - 1] : undefined;
    const at = previous.findIndex((v, k) => k > 0 && previous[k - 1] === option && shownBefore[k] === value);
    if (at < 0) throw refuse(`inputOptions[${i}]`, `${option ?? 'the value'} is shown as *** but no stored value matches it: type it`);
    return previous[at]!;
  });
}

function hasHidden(source: SourceConfig): boolean {
  if (source.kind === 'rtsp') return source.url.includes(HIDDEN);
  if (source.kind === 'url') return source.url.includes(HIDDEN) || source.inputOptions.some((o) => o.includes(HIDDEN));
  return false;
}

/**
 * A source sent back by an edit, with the secrets it shows as *** restored
 * from the stored source: only when the scheme, host and port are the same.
 */
export function restoreSecrets(next: SourceConfig, previous: SourceConfig): SourceConfig {
  if (!hasHidden(next) || (next.kind !== 'rtsp' && next.kind !== 'url')) return next;
  const previousUrl = previous.kind === 'rtsp' || previous.kind === 'url' ? previous.url : null;
  if (!previousUrl || originOf(next.url) !== originOf(previousUrl)) {
    throw refuse('url', `the secrets shown as *** belong to ${previousUrl ? originOf(previousUrl) : 'no URL'}; for ${originOf(next.url) ?? 'another address'} type them again`);
  }
  const url = restoreUrl(next.url, previousUrl);
  if (next.kind === 'rtsp') return { ...next, url };
  return { ...next, url, inputOptions: restoreOptions(next.inputOptions, previous.kind === 'url' ? previous.inputOptions : []) };
}
