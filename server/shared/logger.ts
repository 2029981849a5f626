/** The logging adapter: one line per event, to stderr, with a scope. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  child(scope: string): Logger;
}

/**
 * Control characters (other than the newline and the tab), C1 controls, the
 * Unicode line and paragraph separators, lone surrogates and the invisible
 * format characters (Unicode category Cf: direction overrides, isolates and
 * marks, zero-width spaces, tag characters ...), written as \u escapes: a
 * name or key a client sent cannot move the cursor, colour the terminal,
 * start a line, or reverse the rest of a line so that it reads as another.
 * The zero-width joiners are left as they are: they join emoji and letters
 * and move nothing.
 */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]|(?![\u200c\u200d])\p{Cf}/gu;

function escaped(char: string): string {
  const code = char.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A message as one log entry: its unprintable characters escaped, and every
 * line after the first indented, so that only an entry's own first line
 * starts with a timestamp (a stack trace stays readable; a forged "2026-...
 * ERROR" line inside a message does not read as an entry).
 */
export function logText(message: string): string {
  return message.replace(UNPRINTABLE, escaped).replace(/\n(?! {2})/g, '\n  ');
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

export function createLogger(scope = 'shotscale', level: Level = (process.env.SHOTSCALE_LOG_LEVEL as Level | undefined) ?? 'info', write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info;
  const emit = (lvl: Exclude<Level, 'silent'>, message: string) => {
    if (LEVELS[lvl] < threshold) return;
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${scope}] ${logText(message)}`);
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
