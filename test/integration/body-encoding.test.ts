/**
 * Bytes a client sends that are not what they claim, each refused with a
 * code and words that say what and where, and nothing stored:
 * - a JSON body in Latin-1 ("café" as 63 61 66 E9) was answered 201 and kept
 *   as "caf\uFFFD" in the take slate (and the shot log, its exports); UTF-8
 *   bytes of a surrogate (ED A0 80) were kept as three U+FFFD; a declared
 *   charset=iso-8859-1 was ignored (now read as declared);
 * - a WHIP offer with such bytes was read with U+FFFD in it;
 * - a page path with a NUL (/index.html%00) answered "Bad Request" alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { errorCode, rawRequest, type RawResponse } from '../support/raw-http.js';
import { startTestServer } from '../support/server-harness.js';
import { offeringPeer } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const messageOf = (response: RawResponse) => (JSON.parse(response.body) as { error: { message: string } }).error.message;

describe('request bytes', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ cameras: [] });
  });

  after(async () => {
    await server?.close();
    await collectWrtcGarbage();
  });

  const postTake = (body: Buffer, type = 'application/json') => rawRequest(server.url, 'POST', '/api/takes', { headers: { 'content-type': type }, body });
  const scenes = () => server.shotLog!.takeStore.list().map((take) => take.scene);

  test('a JSON body that is not UTF-8 is refused 400 saying at which byte; nothing is stored', async () => {
    const latin1 = await postTake(Buffer.from('{"scene":"caf\xe9"}', 'latin1'));
    assert.equal(latin1.status, 400, latin1.body);
    assert.equal(errorCode(latin1.body), 'BAD_REQUEST');
    assert.match(messageOf(latin1), /^the body is not UTF-8 text: it breaks at byte 13 \(0xE9/);

    const bom = await postTake(Buffer.from('{"scene":"\xff\xfe"}', 'latin1'));
    assert.equal(bom.status, 400, bom.body);
    assert.match(messageOf(bom), /byte 10 \(0xFF/);

    // A surrogate written as UTF-8 bytes (ED A0 80), which "\ud800" in JSON escapes is already refused as.
    const surrogate = await postTake(Buffer.concat([Buffer.from('{"scene":"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('b"}')]));
    assert.equal(surrogate.status, 400, surrogate.body);
    assert.match(messageOf(surrogate), /byte 11 \(0xED/);

    // A character cut off at the end of the body.
    const cut = await postTake(Buffer.concat([Buffer.from('{"scene":"12"}'), Buffer.from([0xe2, 0x82])]));
    assert.equal(cut.status, 400, cut.body);
    assert.match(messageOf(cut), /byte 14 \(0xE2/);

    assert.deepEqual(scenes(), [], 'no take was slated');
  });

  test('a charset declared is the one read (Latin-1 as some client libraries label JSON); one no decoder knows is refused 415', async () => {
    const before = scenes().length;
    for (const [type, scene] of [['application/json; charset=iso-8859-1', 'caf\xe9 L1'], ['application/json;charset="windows-1252"', 'caf\xe9 W'], ['application/json; charset=us-ascii', 'plain A']] as const) {
      const response = await postTake(Buffer.from(`{"scene":"${scene}"}`, 'latin1'), type);
      assert.equal(response.status, 201, `${type}: ${response.body}`);
    }
    assert.deepEqual(scenes().slice(before), ['caf\u00e9 L1', 'caf\u00e9 W', 'plain A'], 'read as declared, never U+FFFD');
    await rawRequest(server.url, 'POST', '/api/takes/end', { headers: { 'content-type': 'application/json' }, body: '{}' });
    const unknown = await postTake(Buffer.from('{"scene":"x"}'), 'application/json; charset=x-klingon');
    assert.equal(unknown.status, 415, unknown.body);
    assert.equal(errorCode(unknown.body), 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(messageOf(unknown), /^the body is declared as charset="x-klingon", which this server cannot read: send it as UTF-8/);
    // Bytes that are not what the charset says (an odd number of bytes as UTF-16): 400, nothing stored.
    const odd = await postTake(Buffer.from('{"scene":"y"}'), 'application/json; charset=utf-16le');
    assert.equal(odd.status, 400, odd.body);
    assert.match(messageOf(odd), /^the body is not "utf-16le" text, as its content-type says/);
    assert.equal(scenes().length, before + 3);
  });

  test('UTF-8 is kept exactly, with or without a charset and a byte order mark', async () => {
    const before = scenes().length;
    for (const [type, scene] of [['application/json; charset=UTF-8', 'café 1'], ['application/json; charset=utf8', 'café 2'], ['application/json', 'Ünter 3 😀']] as const) {
      const response = await postTake(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ scene }))]), type);
      assert.equal(response.status, 201, `${type}: ${response.body}`);
      assert.equal((JSON.parse(response.body) as { scene: string }).scene, scene);
    }
    assert.deepEqual(scenes().slice(before).sort(), ['café 1', 'café 2', 'Ünter 3 😀']);
  });

  test('a WHIP offer that is not UTF-8 is refused 400 saying where; no camera is made', async () => {
    const peer = await offeringPeer();
    try {
      const offer = Buffer.from(peer.offer.replace(/^s=.*$/m, 's=caf\xe9'), 'latin1');
      const response = await rawRequest(server.url, 'POST', '/whip/latin1-cam', { headers: { 'content-type': 'application/sdp' }, body: offer });
      assert.equal(response.status, 400, response.body);
      assert.equal(errorCode(response.body), 'BAD_REQUEST');
      assert.match(messageOf(response), /^the offer is not UTF-8 text: it breaks at byte \d+ \(0xE9/);
      assert.equal(server.cameras.list().some((camera) => camera.cameraId === 'latin1-cam'), false, 'no camera was made');
    } finally {
      peer.close();
    }
  });

  test('a page path with a NUL says what and where, with the path escaped', async () => {
    for (const [target, at] of [['/x%00', 2], ['/index.html%00', 11], ['/assets/a%00b.js', 9]] as const) {
      const response = await rawRequest(server.url, 'GET', target);
      assert.equal(response.status, 400, `${target}: ${response.body}`);
      assert.equal(errorCode(response.body), 'BAD_REQUEST');
      assert.equal(messageOf(response), `the path ${JSON.stringify(target)} has a NUL character (%00) at character ${at}; no file name holds one`);
    }
  });
});
