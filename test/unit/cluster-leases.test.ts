/**
 * Camera leases on a real redis-server: a lease left without an expiry (a SET
 * typed by hand, a restored dump) or with a longer one no longer keeps its
 * camera unclaimed for ever, and a live holder that renews is never robbed.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after, before, test } from 'node:test';
import { CameraLeases } from '../../server/cluster/camera-leases.js';
import { startRedis, type Engine } from '../support/cluster-engines.js';

const LEASE_MS = 400;
let engine: Engine;
let redis: Redis;
let prefixes = 0;

before(async () => {
  engine = await startRedis();
  redis = new Redis(engine.url);
});

after(async () => {
  redis?.disconnect();
  await engine?.stop();
});

const prefix = () => `leases-${process.pid}-${(prefixes += 1)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a lease with no expiry and a holder that is gone: the claim gives it one lease time, then takes it with a new fencing token', async () => {
  const p = prefix();
  const b = new CameraLeases(redis, p, 'b', LEASE_MS);
  await redis.set(`${p}:lease:cam`, 'ghost#7');
  await redis.set(`${p}:fence:cam`, '7');
  const first = await b.claim('cam');
  assert.deepEqual(first, { token: null, stale: { value: 'ghost#7', ttlMs: -1 } });
  const ttl = await redis.pttl(`${p}:lease:cam`);
  assert.ok(ttl > 0 && ttl <= LEASE_MS, `expiry cut to the lease time: ${ttl}`);
  // Held until it expires: the next claim is an ordinary refusal, not another repair.
  assert.deepEqual(await b.claim('cam'), { token: null });
  await sleep(LEASE_MS + 100);
  assert.deepEqual(await b.claim('cam'), { token: 8 });
  assert.equal(await redis.get(`${p}:lease:cam`), 'b#8');
});

test('a value no node writes, and a lease far longer than a lease time, are cut to one lease time as well', async () => {
  const p = prefix();
  const b = new CameraLeases(redis, p, 'b', LEASE_MS);
  await redis.set(`${p}:lease:junk`, 'not a lease');
  await redis.set(`${p}:lease:long`, 'ghost#3', 'PX', 3_600_000);
  const junk = await b.claim('junk');
  assert.equal(junk.token, null);
  assert.deepEqual('stale' in junk && junk.stale, { value: 'not a lease', ttlMs: -1 });
  const long = await b.claim('long');
  assert.ok('stale' in long && long.stale && long.stale.ttlMs > LEASE_MS, JSON.stringify(long));
  await sleep(LEASE_MS + 100);
  assert.equal(typeof (await b.claim('junk')).token, 'number');
  assert.equal(typeof (await b.claim('long')).token, 'number');
});

test('a live holder whose lease lost its expiry keeps it: the claim of another node only restores the expiry, and the holder renews as ever', async () => {
  const p = prefix();
  const a = new CameraLeases(redis, p, 'a', LEASE_MS);
  const b = new CameraLeases(redis, p, 'b', LEASE_MS);
  const { token } = await a.claim('cam');
  assert.equal(token, 1);
  await redis.persist(`${p}:lease:cam`);
  const claimed = await b.claim('cam');
  assert.equal(claimed.token, null, 'b takes nothing');
  for (let i = 0; i < 4; i++) {
    await sleep(LEASE_MS / 4);
    assert.deepEqual(await a.renew(new Map([['cam', 1]])), [], 'a still holds it');
    assert.equal((await b.claim('cam')).token, null);
  }
  assert.equal(await redis.get(`${p}:lease:cam`), 'a#1');
  const ttl = await redis.pttl(`${p}:lease:cam`);
  assert.ok(ttl > 0 && ttl <= LEASE_MS, `an expiry again: ${ttl}`);
});

test('a free camera is claimed at once, and a held one refused, as before', async () => {
  const p = prefix();
  const a = new CameraLeases(redis, p, 'a', LEASE_MS);
  const b = new CameraLeases(redis, p, 'b', LEASE_MS);
  assert.deepEqual(await a.claim('cam'), { token: 1 });
  assert.deepEqual(await b.claim('cam'), { token: null });
});
