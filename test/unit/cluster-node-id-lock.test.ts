/**
 * A node id held by one process at a time, on a real PostgreSQL: a second
 * process with a live id is refused with CLUSTER_NODE_ID_IN_USE (who, where,
 * how long a dead one keeps it); a crashed holder frees it at once; and a
 * holder whose connection dropped while another process took the id can
 * write nothing more under it.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, test } from 'node:test';
import { isShotscaleError } from '../../server/errors.js';
import { KEEPALIVE_S, NodeIdLock } from '../../server/cluster/node-id-lock.js';
import { silentLogger } from '../../server/shared/logger.js';
import { startPostgres, type Engine } from '../support/cluster-engines.js';

let postgres: Engine;
/** One client, not a pool: its end() resolves once the connection is closed, so stopping PostgreSQL after it has nothing to tell it. */
let admin: pg.Client;
const locks: NodeIdLock[] = [];

before(async () => {
  postgres = await startPostgres();
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
});

after(async () => {
  await Promise.all(locks.map((lock) => lock.close()));
  await admin?.end();
  await postgres?.stop();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function acquire(nodeId: string, number: number, waitMs = 0): Promise<NodeIdLock> {
  const lock = await NodeIdLock.acquire({ postgresUrl: postgres.url, nodeId, number, log: silentLogger }, waitMs, sleep);
  locks.push(lock);
  return lock;
}

/** Ends the lock's connection on the server's side, as a partition or a restart of PostgreSQL would. */
async function dropConnectionsOf(nodeId: string): Promise<void> {
  const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1', [`shotscale ${nodeId}@%`]);
  assert.ok(rowCount, `a connection of ${nodeId} to drop`);
}

test('a second process with a live node id is refused, after a short wait, saying who holds it and how soon a dead one lets go; other ids are unaffected', async () => {
  const first = await acquire('n1', 101);
  const startedAt = Date.now();
  await assert.rejects(acquire('n1', 101, 1200), (error: unknown) => {
    assert.ok(isShotscaleError(error, 'CLUSTER_NODE_ID_IN_USE'), String(error));
    assert.match(error.message, /node "n1" is already running: another process holds its id in PostgreSQL at postgres:\/\/shotscale@127\.0\.0\.1:\d+\/postgres \(shotscale n1@\S+, from 127\.0\.0\.1, connected since \d{4}-/);
    assert.match(error.message, /waited 1 s/);
    assert.match(error.hint ?? '', new RegExp(`within ${KEEPALIVE_S} s`));
    return true;
  });
  assert.ok(Date.now() - startedAt >= 1100, 'it waited for a holder going away');
  await acquire('n2', 102);
  await first.verify();
});

test('a holder that stopped frees its id at once: a restart does not wait', async () => {
  const first = await acquire('n3', 103);
  await first.close();
  const startedAt = Date.now();
  await acquire('n3', 103, 10_000);
  assert.ok(Date.now() - startedAt < 2000, `taken in ${Date.now() - startedAt} ms`);
});

test('a holder whose connection dropped takes its id back when nobody else has; once another process has, it can write nothing more', async () => {
  const old = await acquire('n4', 104);
  await dropConnectionsOf('n4');
  // Noticed on its next use: it connects again and holds the id again.
  await waitUntil(async () => {
    await (await old.session()).query('SELECT 1');
    return true;
  });
  const { rows } = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 104 AND granted");
  assert.equal(rows[0]!.n, '1');

  await dropConnectionsOf('n4');
  const successor = await acquire('n4', 104, 5000);
  for (const use of [() => old.session(), () => old.verify()]) {
    await assert.rejects(use(), (error: unknown) => isShotscaleError(error, 'CLUSTER_NODE_ID_IN_USE') && /lost its connection/.test(error.message));
  }
  await successor.verify();
});

/** Retries `check` (which may throw while a dropped connection is being noticed) for up to 5 s. */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(100);
  }
}
