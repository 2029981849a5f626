/**
 * The checks an offer's text gets before any camera is made for it
 * (checkOffer): what each refusal says, and what is not refused (a
 * bundle-only video section, with port 0 in an offer, carries video).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { checkOffer, sdpVideoCodecs } from '../../server/ingest/webrtc/sdp-codecs.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

after(collectWrtcGarbage);

const SESSION = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1'];
const AUDIO = ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuv', 'a=fingerprint:sha-256 AA:BB', 'a=setup:actpass', 'a=rtpmap:111 opus/48000/2'];
const video = (port: number, extra: string[] = []) => [`m=video ${port} UDP/TLS/RTP/SAVPF 96 97`, 'c=IN IP4 0.0.0.0', 'a=mid:1', ...extra, 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000'];
const sdp = (...sections: string[][]) => [...SESSION, ...sections.flat(), ''].join('\r\n');

const refusal = (offer: string) => {
  try {
    checkOffer(offer);
  } catch (error) {
    return error as { code: string; message: string };
  }
  return null;
};

test('an offer with an active video section passes, naming its picture codecs', () => {
  assert.deepEqual(checkOffer(sdp(AUDIO, video(9))), ['VP8']);
});

test('a bundle-only video section (port 0 in an offer) carries video; in an answer port 0 is a rejection', () => {
  const offer = sdp(AUDIO, video(0, ['a=bundle-only']));
  assert.deepEqual(checkOffer(offer), ['VP8']);
  assert.deepEqual(sdpVideoCodecs(offer, true), []);
});

test('each refusal names the real problem', () => {
  const cases: [string, RegExp, string][] = [
    [sdp(AUDIO, video(0)), /video turned off \(m=video 0/, 'BAD_REQUEST'],
    [sdp(AUDIO), /no video \(m=video\) section: it offers audio only/, 'BAD_REQUEST'],
    [sdp(AUDIO.filter((line) => !line.startsWith('a=fingerprint')), video(9)), /no DTLS fingerprint/, 'BAD_REQUEST'],
    [sdp(AUDIO.filter((line) => !line.startsWith('a=ice-pwd')), video(9)), /no ICE credentials \(a=ice-pwd\)/, 'BAD_REQUEST'],
    ['<html>not sdp</html>', /not an SDP offer/, 'BAD_REQUEST'],
    [sdp(AUDIO, video(9)).replace('VP8/90000', 'H264/90000'), /its video is H264 only/, 'WHIP_CODEC'],
  ];
  for (const [offer, message, code] of cases) {
    const error = refusal(offer);
    assert.ok(error, `refused: ${message}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
  }
});
