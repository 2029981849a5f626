/**
 * Which sources wait for a sender to push to them (and so are not restarted
 * for having no picture before one comes), and which fetch their feed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sourceSchema } from '../../server/config/schema.js';
import { listensForSender } from '../../server/ingest/listener-source.js';

const url = (u: string, inputOptions: string[] = []) => sourceSchema.parse({ kind: 'url', url: u, inputOptions });

test('UDP and RTP always listen; SRT in listener mode; TCP with ?listen', () => {
  for (const source of [
    url('udp://127.0.0.1:47200'),
    url('udp://239.0.0.1:1234?overrun_nonfatal=1'),
    url('rtp://0.0.0.0:5004'),
    url('srt://0.0.0.0:9000?mode=listener'),
    url('srt://:9000?latency=200000&mode=listener'),
    url('srt://0.0.0.0:9000', ['-mode', 'listener']),
    url('tcp://0.0.0.0:9000?listen'),
    url('tcp://0.0.0.0:9000?listen=1'),
  ]) {
    assert.equal(listensForSender(source), true, source.kind === 'url' ? `${source.url} ${source.inputOptions.join(' ')}` : '');
  }
});

test('callers fetch their feed: no picture there is a fault', () => {
  for (const source of [
    url('srt://10.0.0.5:9000'),
    url('srt://10.0.0.5:9000?mode=caller'),
    // ffmpeg takes the URL's mode over the command line's.
    url('srt://10.0.0.5:9000?mode=caller', ['-mode', 'listener']),
    url('tcp://10.0.0.5:9000'),
    url('tcp://10.0.0.5:9000?listen=0'),
    url('http://10.0.0.5/live.ts'),
    url('rtmp://live.example/app/key'),
    sourceSchema.parse({ kind: 'rtsp', url: 'rtsp://10.0.0.5/s1' }),
    sourceSchema.parse({ kind: 'testsrc' }),
  ]) {
    assert.equal(listensForSender(source), false, JSON.stringify(source));
  }
});
