/**
 * A SQLite database made genuinely full, as a full disk makes it: no page may
 * be added (PRAGMA max_page_count at the page count, for this connection)
 * and the free bytes left in its pages are taken, so any insert or growing
 * update fails with SQLITE_FULL until lift().
 */
import assert from 'node:assert/strict';
import type { Db } from '../../server/store/database.js';
import { sqliteCode } from '../../server/store/storage-fault.js';

export function fillUp(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS test_filler (b BLOB)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const insert = db.prepare('INSERT INTO test_filler VALUES (?)');
  for (const size of [4096, 512, 64, 8, 1]) {
    assert.throws(
      () => {
        for (let i = 0; i < 100_000; i++) insert.run(Buffer.alloc(size));
      },
      (error: unknown) => sqliteCode(error) === 'SQLITE_FULL',
      `filling with ${size}-byte rows ends in SQLITE_FULL`,
    );
  }
}

/** Room again (the largest page count SQLite allows). */
export function lift(db: Db): void {
  db.pragma('max_page_count = 4294967294');
}
