/**
 * Live events between the nodes: the Socket.IO Redis adapter (pub/sub).
 *
 * Why pub/sub and not the Redis Streams adapter: a readout is worth
 * something for a fraction of a second. Streams would replay what a node
 * missed while Redis was away (and keep a backlog to trim); the wall wants
 * the next readout, not a minute of old ones. Pub/sub delivers each event
 * once to the nodes listening now, and costs Redis no memory.
 *
 * While Redis is down, a publish fails at once (no offline queue) and the
 * event is dropped and counted here, rather than rejecting a promise the
 * adapter does not handle; the node's own clients still get everything.
 *
 * What arrives is checked before it is delivered (cluster-messages.ts): a
 * message this version cannot decode, or an event of another shape, is
 * left out, counted and logged. The adapter's own handlers throw on such a
 * message, inside a Redis client callback or a promise nobody awaits, and
 * an uncaught error ends the process: one publish on the cluster's channel
 * used to stop every node.
 */
import { RedisAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Namespace, ServerOptions } from 'socket.io';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import { interServerEventProblem } from './cluster-messages.js';

export interface ClusterFanout {
  adapter: ServerOptions['adapter'];
  /** Events not sent to the other nodes because Redis was unreachable. */
  dropped(): number;
  /** Messages from Redis left out because this version cannot use them. */
  rejected(): number;
}

/** A refused message is logged at most this often (a node of another version may send many a second). */
const REJECT_LOG_MS = 60_000;

/** The adapter with its message handlers, which its typings keep private (Omit keeps only the public members, so the two can be joined). */
type AdapterClass = new (nsp: Namespace, publisher: Redis, subscriber: Redis, opts: { key: string }) => Omit<RedisAdapter, never> & {
  onmessage(pattern: unknown, channel: Buffer | string, message: Buffer): void;
  onrequest(channel: Buffer | string, message: Buffer): Promise<void>;
};

export function clusterFanout(publisher: Redis, subscriber: Redis, keyPrefix: string, log: Logger): ClusterFanout {
  let dropped = 0;
  let rejected = 0;
  let loggedAt = -Infinity;
  const reject = (why: string) => {
    rejected += 1;
    const now = Date.now();
    if (now - loggedAt < REJECT_LOG_MS) return;
    loggedAt = now;
    log.warn(`cluster: a message from Redis left out (${why}); another version's node, or a damaged publisher? ${rejected} so far`);
  };
  const publish = publisher.publish.bind(publisher) as (channel: string, message: string | Buffer) => Promise<number>;
  // The adapter calls publish(channel, message) and ignores the result.
  (publisher as unknown as { publish: typeof publish }).publish = (channel, message) =>
    publish(channel, message).catch(() => {
      dropped += 1;
      return 0;
    });
  // Its (un)subscribe calls are not awaited either: one failing while Redis is away (a SIGTERM then) must not reject unhandled.
  for (const method of ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'] as const) {
    const call = (subscriber[method] as (...args: unknown[]) => Promise<unknown>).bind(subscriber);
    (subscriber as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => call(...args).catch(() => 0);
  }
  class CheckedAdapter extends (RedisAdapter as unknown as AdapterClass) {
    constructor(nsp: Namespace) {
      super(nsp, publisher, subscriber, { key: `${keyPrefix}:socket.io` });
      // Every event another node sends with serverSideEmit arrives here, decoded.
      const deliver = nsp._onServerSideEmit.bind(nsp);
      nsp._onServerSideEmit = (args) => {
        const problem = interServerEventProblem(args);
        if (problem) return reject(problem);
        try {
          deliver(args);
        } catch (error) {
          reject(`"${args[0]}": ${errorMessage(error)}`);
        }
      };
    }

    // The Redis client calls these with what was published: bound in the adapter's constructor, so overridden here.
    override onmessage(pattern: unknown, channel: Buffer | string, message: Buffer): void {
      try {
        super.onmessage(pattern, channel, message);
      } catch (error) {
        reject(`a broadcast: ${errorMessage(error)}`);
      }
    }

    override async onrequest(channel: Buffer | string, message: Buffer): Promise<void> {
      try {
        await super.onrequest(channel, message);
      } catch (error) {
        reject(`a request: ${errorMessage(error)}`);
      }
    }
  }
  return {
    // Socket.IO makes one per namespace with `new`.
    adapter: CheckedAdapter as unknown as ServerOptions['adapter'],
    dropped: () => dropped,
    rejected: () => rejected,
  };
}
