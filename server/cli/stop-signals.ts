/**
 * Ctrl-C (SIGINT) or a supervisor's SIGTERM during a command that has no
 * stopping of its own (every one but serve and log, which close what they
 * were doing first): a line on stderr says what was stopped, then the
 * process dies of the signal, as it did before with nothing said (the shell
 * sees 130 or 143). Dying of it, not process.exit: exit runs native teardown
 * under an inference still in flight, which can abort (see log-command.ts).
 */

/** How far the command got, for the line ("after 3 of 10 files"); null when there is nothing to add. */
type Progress = () => string | null;

let progress: Progress = () => null;

/** Said on stop: classify's "after N of M files". The last one given stands. */
export function reportStopProgress(report: Progress): void {
  progress = report;
}

/** The line said when `command` is stopped by `signal`: "shotscale classify: stopped by SIGINT after 3 of 10 files". */
export function stoppedLine(command: string, signal: NodeJS.Signals, done: string | null): string {
  return `shotscale ${command}: stopped by ${signal} ${done ?? 'before it finished'}\n`;
}

/** Listens for SIGINT and SIGTERM on behalf of `command` until the process ends. */
export function sayStopSignals(command: string): void {
  const stop = (signal: NodeJS.Signals): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    try {
      // A progress bar on a terminal is cleared first, as ProgressLine.note does.
      process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${stoppedLine(command, signal, progress())}`);
    } finally {
      process.kill(process.pid, signal);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
