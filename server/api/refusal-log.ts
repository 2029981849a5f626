/**
 * Refusals in the server log, a few at a time: Socket.IO events, and HTTP
 * requests refused their token (http-access.ts). A client that sends a
 * refused event or request in a loop would otherwise write a line for
 * each, gigabytes an hour, until the disk the shot log shares is full. Per
 * client (on Socket.IO its token's name and its address, so reconnecting
 * starts no new allowance; on HTTP its address) the first few refusals of
 * each minute are logged as they come; the rest are counted and summed up
 * in one line when the minute is over.
 */
import type { Logger } from '../shared/logger.js';

/** Refusals logged one by one per client and minute. */
export const REFUSALS_LOGGED_PER_MINUTE = 5;
const WINDOW_MS = 60_000;

interface Window {
  logged: number;
  unlogged: number;
  timer: NodeJS.Timeout;
}

export class RefusalLog {
  private readonly windows = new Map<string, Window>();

  /** `what`: what is refused, as the summary line names it ("event", "request"). */
  constructor(
    private readonly log: Logger,
    private readonly what = 'event',
  ) {}

  /** Logs `line` for `client`, unless it has had its allowance this minute (then counts it). */
  refused(client: string, line: string): void {
    let window = this.windows.get(client);
    if (!window) {
      window = { logged: 0, unlogged: 0, timer: setTimeout(() => this.close(client), WINDOW_MS).unref() };
      this.windows.set(client, window);
    }
    if (window.logged < REFUSALS_LOGGED_PER_MINUTE) {
      window.logged++;
      this.log.warn(line);
    } else {
      window.unlogged++;
    }
  }

  /** Sums up every open window now (the server is stopping). */
  closeAll(): void {
    for (const client of [...this.windows.keys()]) this.close(client);
  }

  private close(client: string): void {
    const window = this.windows.get(client);
    if (!window) return;
    clearTimeout(window.timer);
    this.windows.delete(client);
    if (window.unlogged) this.log.warn(`${client}: ${window.unlogged} more refused ${this.what}${window.unlogged === 1 ? '' : 's'} in the last minute, not logged one by one`);
  }
}
