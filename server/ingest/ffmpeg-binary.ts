/**
 * Finds the ffmpeg binary in a stated order and probes what it can do.
 * Order: config `ffmpeg.path`, $SHOTSCALE_FFMPEG, ffmpeg-static (only if its
 * binary was really downloaded), @ffmpeg-installer/ffmpeg, then PATH.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { resolveConfigPath, type LoadedConfig } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';

export type FfmpegOrigin = 'config' | 'env' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface FfmpegBinary {
  path: string;
  origin: FfmpegOrigin;
  /** First line of `ffmpeg -version`. */
  version: string;
  /** RTSP socket timeout option: `-timeout` (ffmpeg >= 5) or `-stimeout` (older). */
  rtspTimeoutOption: '-timeout' | '-stimeout';
  /** Built with libndi_newtek (NDI input)? */
  hasNdi: boolean;
}

const require = createRequire(import.meta.url);

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromPackage(name: string, pick: (mod: unknown) => unknown): string | null {
  try {
    const found = pick(require(name));
    return typeof found === 'string' && isExecutable(found) ? found : null;
  } catch {
    return null; // not installed, or its binary download failed at install
  }
}

function fromPath(env: NodeJS.ProcessEnv): string | null {
  const exe = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, exe))) return path.join(dir, exe);
  }
  return null;
}

/** The candidates in order, each with where it came from (for the start-up log and tests). */
export function ffmpegCandidates(configured: string | null, env: NodeJS.ProcessEnv = process.env): { origin: FfmpegOrigin; path: string | null }[] {
  return [
    { origin: 'config', path: configured },
    { origin: 'env', path: env.SHOTSCALE_FFMPEG || null },
    { origin: 'ffmpeg-static', path: fromPackage('ffmpeg-static', (m) => m) },
    { origin: '@ffmpeg-installer/ffmpeg', path: fromPackage('@ffmpeg-installer/ffmpeg', (m) => (m as { path?: string }).path) },
    { origin: 'PATH', path: fromPath(env) },
  ];
}

function probe(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

export function resolveFfmpeg(configured: string | null, env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  for (const candidate of ffmpegCandidates(configured, env)) {
    if (!candidate.path) continue;
    const explicit = candidate.origin === 'config' || candidate.origin === 'env';
    if (!isExecutable(candidate.path)) {
      if (explicit) {
        throw new ShotscaleError('FFMPEG_NOT_FOUND', `ffmpeg from ${candidate.origin === 'config' ? 'config ffmpeg.path' : '$SHOTSCALE_FFMPEG'} is not an executable file: ${candidate.path}`);
      }
      continue;
    }
    let version: string;
    try {
      version = probe(candidate.path, ['-hide_banner', '-version']).split('\n')[0] ?? 'unknown';
    } catch (error) {
      if (explicit) throw new ShotscaleError('FFMPEG_NOT_FOUND', `ffmpeg at ${candidate.path} does not run`, { cause: error });
      continue;
    }
    let rtspHelp = '';
    let formats = '';
    try {
      rtspHelp = probe(candidate.path, ['-hide_banner', '-h', 'demuxer=rtsp']);
      formats = probe(candidate.path, ['-hide_banner', '-formats']);
    } catch {
      // Capabilities unknown: assume a modern ffmpeg without NDI.
    }
    return {
      path: candidate.path,
      origin: candidate.origin,
      version,
      rtspTimeoutOption: /^\s*-stimeout\b/m.test(rtspHelp) ? '-stimeout' : '-timeout',
      hasNdi: /libndi_newtek/.test(formats),
    };
  }
  throw new ShotscaleError('FFMPEG_NOT_FOUND', 'no ffmpeg found (config ffmpeg.path, $SHOTSCALE_FFMPEG, ffmpeg-static, @ffmpeg-installer/ffmpeg, PATH)', {
    hint: 'install ffmpeg (apt-get install ffmpeg) or set ffmpeg.path in the config',
  });
}

/** The ffmpeg a config names (ffmpeg.path, relative to the config file), else the one found: as serve, log, classify and doctor all read it. */
export function configuredFfmpeg(loaded: LoadedConfig): FfmpegBinary {
  const { path: configured } = loaded.config.ffmpeg;
  return resolveFfmpeg(configured ? resolveConfigPath(loaded, configured) : null);
}
