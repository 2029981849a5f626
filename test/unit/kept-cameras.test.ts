/**
 * The rule a single server applies at start to the config file's cameras and
 * the changes kept from its API: those changes win for the cameras they
 * touched, the config file's other cameras (new ids included) are its own,
 * and a removal of a camera the file no longer lists is forgotten. The store
 * keeps a camera's definition as given (credentials included) and forgets
 * changes for `shotscale cameras reset`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeCameras } from '../../server/app/kept-cameras.js';
import { CameraOverrideStore, type CameraOverride } from '../../server/store/camera-override-store.js';
import { openDatabase } from '../../server/store/database.js';
import { cameraSchema } from '../../server/config/schema.js';

const camera = (id: string, extra: Record<string, unknown> = {}) => cameraSchema.parse({ id, source: { kind: 'testsrc' }, ...extra });
const kept = (cameraId: string, value: unknown): CameraOverride => ({ cameraId, camera: value, changedAt: 0 });

test('the API changes win for the cameras they touched; the config file has the rest, in its order, then the added cameras', () => {
  const config = [camera('a'), camera('b'), camera('c'), camera('new-in-file')];
  const merged = mergeCameras(config, [kept('added-1', camera('added-1')), kept('b', null), kept('a', camera('a', { name: 'Edited' })), kept('added-2', camera('added-2'))]);
  assert.deepEqual(
    merged.start.map((c) => [c.id, c.origin]),
    [
      ['a', 'edited'],
      ['c', 'config'],
      ['new-in-file', 'config'],
      ['added-1', 'added'],
      ['added-2', 'added'],
    ],
  );
  assert.equal((merged.start[0]!.input as { name: string }).name, 'Edited');
  assert.deepEqual(merged.removed, ['b']);
  assert.deepEqual([merged.unreadable, merged.stale], [[], []]);
});

test('an added camera whose id the config file lists later stays as added; a removal of a camera the file no longer lists is stale', () => {
  const merged = mergeCameras([camera('x')], [kept('x', camera('x', { name: 'From the API' })), kept('gone', null)]);
  assert.deepEqual(merged.start.map((c) => [c.id, c.origin, (c.input as { name?: string }).name]), [['x', 'edited', 'From the API']]);
  assert.deepEqual(merged.stale, ['gone']);
});

test('a stored row that cannot be read is left out (reported), whatever the config file says; its id is the row id', () => {
  const merged = mergeCameras([camera('a')], [kept('a', undefined), kept('b', 'not an object'), kept('c', { id: 'other', source: { kind: 'testsrc' } })]);
  assert.deepEqual(merged.start.map((c) => [c.id, (c.input as { id: string }).id]), [['c', 'c']]);
  assert.deepEqual(merged.unreadable, ['a', 'b']);
});

test('the store keeps credentials as given, tombstones config cameras only, and forgets changes', () => {
  const db = openDatabase(':memory:');
  try {
    const store = new CameraOverrideStore(db);
    const rtsp = cameraSchema.parse({ id: 'door', source: { kind: 'rtsp', url: 'rtsp://admin:s3cret@10.0.0.21/stream1' } });
    store.keep(camera('first'), 1);
    store.keep(rtsp, 2);
    store.removed('from-file', true, 3);
    store.removed('first', false, 4);
    store.keep(camera('first'), 5);
    assert.deepEqual(
      store.all().map((o) => [o.cameraId, o.camera === null ? null : (o.camera as { source: { url?: string } }).source.url ?? 'testsrc', o.changedAt]),
      [
        ['door', 'rtsp://admin:s3cret@10.0.0.21/stream1', 2],
        ['from-file', null, 3],
        ['first', 'testsrc', 5],
      ],
    );
    // A config camera added back over the API replaces its tombstone.
    store.keep(camera('from-file'), 6);
    assert.equal(store.all().find((o) => o.cameraId === 'from-file')!.camera !== null, true);
    assert.deepEqual(store.forget(['door', 'unknown']), ['door']);
    assert.deepEqual(store.forget(null), ['from-file', 'first']);
    assert.deepEqual(store.all(), []);
  } finally {
    db.close();
  }
});
