/** The logging adapter: one line per event, to stderr, with a scope. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  child(scope: string): Logger;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

export function createLogger(scope = 'shotscale', level: Level = (process.env.SHOTSCALE_LOG_LEVEL as Level | undefined) ?? 'info', write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info;
  const emit = (lvl: Exclude<Level, 'silent'>, message: string) => {
    if (LEVELS[lvl] < threshold) return;
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${scope}] ${message}`);
  };
  return {
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    debug: (m) => emit('debug', m),
    child: (sub) => createLogger(`${scope}:${sub}`, level, write),
  };
}

export const silentLogger: Logger = createLogger('silent', 'silent');

/** The same logger without its info lines (and its children's): for commands whose progress bar owns the terminal. */
export function withoutInfo(log: Logger): Logger {
  const quiet: Logger = { ...log, info: () => undefined, child: () => quiet };
  return quiet;
}
