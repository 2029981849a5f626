/** `shotscale serve`: run until SIGINT/SIGTERM, then stop every ffmpeg child cleanly. */
import { startServer, type RunningServer } from '../app/shotscale-server.js';
import type { Logger } from '../shared/logger.js';
import { parseCommandArgs } from './command-options.js';
import { configFromArgs } from './config-args.js';

/** EX_SOFTWARE (sysexits.h): an internal error; a supervisor (systemd, Docker, pm2) restarts the server. */
export const UNEXPECTED_ERROR_EXIT = 70;

/**
 * An error that nothing else caught leaves the process in a state nobody
 * knows: log it with its stack, close the open shots at their last frame (so
 * the log needs no recovery), stop the ffmpeg children, and exit non-zero.
 */
function exitOnUnexpectedError(server: RunningServer, log: Logger): void {
  let exiting = false;
  const fail = (what: string, error: unknown) => {
    if (exiting) return;
    exiting = true;
    log.error(`unexpected ${what}, exiting with ${UNEXPECTED_ERROR_EXIT} so that a supervisor restarts the server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    try {
      server.closeNow();
      log.error('open shots closed at their last frame; shot log closed');
    } catch (closeError) {
      log.error(`closing the shot log failed too (the next start recovers it): ${String(closeError)}`);
    }
    process.exit(UNEXPECTED_ERROR_EXIT);
  };
  process.on('uncaughtException', (error) => fail('error', error));
  process.on('unhandledRejection', (reason) => fail('promise rejection', reason));
}

export async function runServe(argv: string[], log: Logger): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string', short: 'p' } } });
  const loaded = configFromArgs(values);
  log.info(`config: ${loaded.file ?? '(defaults)'}`);
  const server = await startServer(loaded, { log });
  exitOnUnexpectedError(server, log);
  // The one line a user looks for: where to point the browser.
  process.stdout.write(`shotscale listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // Ctrl-C under npm arrives twice (from the terminal and forwarded by
      // npm): a second signal must not kill the process mid-close.
      if (stopping) return log.info(`${signal}: already stopping`);
      stopping = true;
      log.info(`${signal}: stopping cameras and server`);
      server.close().then(resolve, (error: unknown) => {
        log.error(`error while stopping: ${String(error)}`);
        resolve();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
