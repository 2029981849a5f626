/**
 * Sources where the camera is the one that waits: ffmpeg opens a port and a
 * sender (an encoder, a gateway, OBS) pushes to it. Until a sender comes,
 * no picture is the normal state, not a fault: killing ffmpeg for it closes
 * the port, and a sender that starts in that moment is refused or loses its
 * first packets (its key frame, so seconds of picture).
 */
import type { SourceConfig } from '../config/schema.js';

/** The value of `key` in a URL's query string (ffmpeg takes its protocol options there). */
function queryValue(url: string, key: string): string | null {
  const query = url.split('?')[1]?.split('#')[0] ?? '';
  for (const pair of query.split('&')) {
    const [k, v = ''] = pair.split('=');
    if (k !== key) continue;
    try {
      return decodeURIComponent(v);
    } catch {
      return v; // a stray "%": ffmpeg takes it as written
    }
  }
  return null;
}

/** The value given to an input option, when the camera sets it. */
function optionValue(options: readonly string[], option: string): string | null {
  const i = options.lastIndexOf(option);
  return i >= 0 ? (options[i + 1] ?? null) : null;
}

/**
 * Whether the camera listens for a sender: UDP and RTP always do (ffmpeg
 * binds the port and reads what arrives), SRT in listener mode (`?mode=listener`
 * or `-mode listener`), TCP with `?listen`. Callers (SRT's default mode,
 * HTTP, RTMP, RTSP) fetch the feed themselves, and no picture there is a fault.
 */
export function listensForSender(source: SourceConfig): boolean {
  if (source.kind !== 'url') return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(source.url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'udp':
    case 'rtp':
      return true;
    case 'srt':
      // ffmpeg reads the URL's options after the command line's: the URL wins.
      return (queryValue(source.url, 'mode') ?? optionValue(source.inputOptions, '-mode')) === 'listener';
    case 'tcp': {
      const listen = queryValue(source.url, 'listen');
      return listen !== null && listen !== '0';
    }
    default:
      return false;
  }
}
