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
 */
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';

export interface ClusterFanout {
  adapter: ServerOptions['adapter'];
  /** Events not sent to the other nodes because Redis was unreachable. */
  dropped(): number;
}

export function clusterFanout(publisher: Redis, subscriber: Redis, keyPrefix: string): ClusterFanout {
  let dropped = 0;
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
  return {
    adapter: createAdapter(publisher, subscriber, { key: `${keyPrefix}:socket.io` }) as ServerOptions['adapter'],
    dropped: () => dropped,
  };
}
