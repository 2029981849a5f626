/**
 * Held writes on a real SQLite file made genuinely full (PRAGMA
 * max_page_count at its page count, the last free bytes taken): writes are
 * held in order, coalesced and superseded, retried on a timer, and written
 * once there is room; errors that are not storage faults are not held.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DATABASE_FILE, openDatabase, type Db } from '../../server/store/database.js';
import { describeFault, isStorageFault, sqliteCode } from '../../server/store/storage-fault.js';
import { WriteBehind, type HeldState } from '../../server/store/write-behind.js';
import { fillUp, lift } from '../support/full-database.js';
import { tempDir } from '../support/media.js';

/** A database with a `log` table whose file can take no new row (SQLITE_FULL). */
function fullDb(): Db {
  const db = openDatabase(path.join(tempDir(), DATABASE_FILE), [
    { version: 1, description: 'log', sql: 'CREATE TABLE log (seq INTEGER PRIMARY KEY, shot INTEGER, what TEXT NOT NULL, body BLOB);' },
  ]);
  fillUp(db);
  return db;
}

function harness(db: Db, retryMs = 60_000) {
  const states: (HeldState | null)[] = [];
  const dropped: unknown[] = [];
  const held = new WriteBehind({
    retryMs,
    clock: () => 1000,
    isFault: isStorageFault,
    describe: describeFault,
    transaction: (work) => db.transaction(work)(),
    onState: (state) => states.push(state),
    onDropped: (error) => dropped.push(error),
  });
  const insert = db.prepare('INSERT INTO log (shot, what, body) VALUES (?, ?, ?)');
  // Rows larger than a page: each needs new pages, so none fits in the space a page has left.
  const inserted = { count: 0 };
  const row = (shot: number, what: string, bytes = 5000) => () => {
    insert.run(shot, what, Buffer.alloc(bytes, shot));
    inserted.count += 1;
  };
  const rows = () => db.prepare('SELECT shot, what FROM log ORDER BY seq').all().map((r) => { const { shot, what } = r as { shot: number; what: string }; return `${shot}:${what}`; });
  return { held, states, dropped, row, rows, inserted };
}

describe('WriteBehind on a full database', () => {
  test('writes are held in order behind the first that failed, updates coalesce, a close supersedes them; all land once there is room', () => {
    const db = fullDb();
    const { held, states, row, rows } = harness(db);
    held.write({ shotId: 1, run: row(1, 'open') });
    assert.deepEqual(rows(), [], 'the insert really failed');
    assert.equal(states.length, 1);
    assert.deepEqual(states[0], { since: 1000, reason: 'SQLITE_FULL: database or disk is full', shots: 1, writes: 1 });
    for (let i = 0; i < 8; i++) held.write({ shotId: 1, coalesce: 'extend:1', run: row(1, `extend ${i}`) });
    held.write({ shotId: 2, run: row(2, 'open') });
    held.write({ shotId: 2, coalesce: 'extend:2', run: row(2, 'extend') });
    held.write({ shotId: 1, supersedes: 'extend:1', run: row(1, 'close') });
    held.write({ run: row(0, 'alert') });
    assert.deepEqual(held.state, { since: 1000, reason: 'SQLITE_FULL: database or disk is full', shots: 2, writes: 5 });
    assert.equal(states.length, 2, 'told again only when the shots held changed (1 -> 2), not per write');

    assert.equal(held.flush(), false, 'still full');
    assert.equal(held.state!.writes, 5);
    lift(db);
    assert.equal(held.flush(), true);
    assert.deepEqual(rows(), ['1:open', '2:open', '2:extend', '1:close', '0:alert']);
    assert.equal(states.at(-1), null);
    assert.equal(held.state, null);
    // Nothing held: a write runs at once again.
    held.write({ shotId: 3, run: row(3, 'open') });
    assert.deepEqual(rows().at(-1), '3:open');
    held.dispose();
    db.close();
  });

  test('an update coalesces at the place of the first held one: later writes stay after it', () => {
    const db = fullDb();
    const { held, row, rows } = harness(db);
    held.write({ shotId: 1, run: row(1, 'open') });
    held.write({ shotId: 1, coalesce: 'extend:1', run: row(1, 'extend a') });
    held.write({ run: row(0, 'alert') });
    held.write({ shotId: 1, coalesce: 'extend:1', run: row(1, 'extend b') });
    lift(db);
    assert.equal(held.flush(), true);
    assert.deepEqual(rows(), ['1:open', '1:extend b', '0:alert']);
    db.close();
  });

  test('retried on its timer until the database takes it', async () => {
    const db = fullDb();
    const { held, states, row, rows } = harness(db, 50);
    held.write({ shotId: 1, run: row(1, 'open') });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(rows(), [], 'retries while full change nothing');
    assert.notEqual(held.state, null);
    lift(db);
    const deadline = Date.now() + 2000;
    while (held.state && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(rows(), ['1:open']);
    assert.equal(states.at(-1), null);
    held.dispose();
    db.close();
  });

  test('an error that is not a storage fault is not held: thrown at once, or dropped and reported on a retry', () => {
    const db = fullDb();
    lift(db);
    const { held, dropped, row, rows } = harness(db);
    const broken = () => void db.prepare("INSERT INTO log (shot, what) VALUES (9, NULL)").run();
    assert.throws(broken, (error: unknown) => sqliteCode(error) === 'SQLITE_CONSTRAINT_NOTNULL');
    assert.throws(() => held.write({ run: broken }), (error: unknown) => sqliteCode(error) === 'SQLITE_CONSTRAINT_NOTNULL');
    assert.equal(held.state, null);

    fillUp(db);
    held.write({ shotId: 1, run: row(1, 'open') });
    held.write({ shotId: 9, run: broken });
    held.write({ shotId: 1, run: row(1, 'close') });
    lift(db);
    assert.equal(held.flush(), true);
    assert.deepEqual(rows(), ['1:open', '1:close']);
    assert.equal(dropped.length, 1);
    assert.equal(sqliteCode(dropped[0]), 'SQLITE_CONSTRAINT_NOTNULL');
    db.close();
  });

  test('a batch that fails part-way stays held whole: nothing is written twice', () => {
    const db = fullDb();
    const { held, row, rows, inserted } = harness(db);
    held.write({ shotId: 1, run: row(1, 'open') });
    for (let i = 2; i <= 40; i++) held.write({ shotId: i, run: row(i, 'open') });
    // Room for a few rows only: the retry's transaction fails after some of them.
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 8}`);
    assert.equal(held.flush(), false);
    assert.ok(inserted.count >= 2, `some rows went in before the fault (${inserted.count})`);
    assert.deepEqual(rows(), [], 'the batch rolled back whole');
    assert.equal(held.state!.shots, 40);
    lift(db);
    assert.equal(held.flush(), true);
    assert.deepEqual(rows(), Array.from({ length: 40 }, (_, i) => `${i + 1}:open`));
    db.close();
  });
});
