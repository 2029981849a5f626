import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sourceSchema, type SourceConfig } from '../../server/config/schema.js';
import { isShotscaleError } from '../../server/errors.js';
import { readFileSync } from 'node:fs';
import { ALLOWED_INPUT_OPTIONS, inputOptionProblems } from '../../server/ingest/input-options.js';
import { publicSource, restoreSecrets, scrubCredentials } from '../../server/ingest/source-secrets.js';
import { parseCamera } from '../../server/app/camera-manager.js';

const source = (input: unknown): SourceConfig => sourceSchema.parse(input);

describe('url input options: an allowlist', () => {
  test('options that add inputs or outputs, or read and write files, are refused with their place', () => {
    for (const options of [
      ['-f', 'lavfi', '-i', 'color=red', '-frames:v', '1', '-y', '/tmp/x.png'],
      ['-i', 'file:/etc/passwd'],
      ['-y'],
      ['-filter_complex', 'movie=/etc/passwd'],
      ['-protocol_whitelist', 'file,http'],
      ['-dump_attachment:t', '/tmp/x'],
      ['/tmp/out.png'],
      ['-map', '0'],
      ['-f', 'concat'],
      ['-f', 'image2'],
    ]) {
      const problems = inputOptionProblems(options);
      assert.ok(problems.length > 0, options.join(' '));
      const parsed = sourceSchema.safeParse({ kind: 'url', url: 'udp://239.0.0.1:1234', inputOptions: options });
      assert.equal(parsed.success, false, options.join(' '));
    }
    assert.deepEqual(
      inputOptionProblems(['-analyzeduration', '0', '-y', '/tmp/x.png']).map((p) => p.index),
      [2, 3],
      'each refused argument is named by its index',
    );
  });

  test('the refusal lists the allowed options once, however many arguments it refuses', () => {
    try {
      parseCamera({ id: 'enc', source: { kind: 'url', url: 'udp://127.0.0.1:47200', inputOptions: ['-y', '/tmp/x.png', '-map', '0'] } }, 'camera');
      assert.fail('refused');
    } catch (error) {
      assert.ok(isShotscaleError(error, 'CAMERA_INVALID'), String(error));
      assert.equal(error.message.split('(allowed: ').length - 1, 1, error.message);
      assert.equal(error.message.split('-use_wallclock_as_timestamps').length - 1, 1, error.message);
      // Each refused argument is still named by its place.
      for (const i of [0, 1, 2, 3]) assert.ok(error.message.includes(`source.inputOptions[${i}]`), error.message);
    }
  });

  test('values are checked: a number is a number, an enum one of its values', () => {
    assert.equal(inputOptionProblems(['-probesize', '32']).length, 0);
    assert.equal(inputOptionProblems(['-probesize', '-i']).length, 1);
    assert.equal(inputOptionProblems(['-rtsp_transport', 'tcp']).length, 0);
    assert.equal(inputOptionProblems(['-rtsp_transport', 'file']).length, 1);
    assert.equal(inputOptionProblems(['-timeout']).length, 1, 'a missing value');
    assert.equal(inputOptionProblems(['-fflags', '+genpts+discardcorrupt', '-re', '-f', 'mpegts']).length, 0);
  });

  test("the README lists exactly the options allowed", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const listed = /each must be one of `([^`]+)`/.exec(readme)?.[1]?.split(/\s+/) ?? [];
    assert.deepEqual([...listed].sort(), [...ALLOWED_INPUT_OPTIONS].sort());
  });

  test('the URL must be a network URL', () => {
    for (const url of ['file:/etc/passwd', '/etc/passwd', 'concat:a|b', 'pipe:0', 'subfile,,start,0,end,0,,:/etc/passwd', 'data:,x'])
      assert.equal(sourceSchema.safeParse({ kind: 'url', url }).success, false, url);
    for (const url of ['srt://0.0.0.0:9000?mode=listener', 'udp://239.0.0.1:1234', 'https://cdn.example/live.m3u8', 'rtmp://live.example/app/key'])
      assert.equal(sourceSchema.safeParse({ kind: 'url', url }).success, true, url);
  });
});

describe('secrets in sources', () => {
  test('every secret form is scrubbed: userinfo, passphrase=, token=, key=, Authorization headers', () => {
    const out = scrubCredentials('srt://h:9000?passphrase=swordfish&streamid=#!::u=bob,s=sess1&mode=caller rtmp://live/app?key=abc rtmps://ingest.example:443/live2/sk-live-77 Authorization: Bearer s3cr3t\r\nX-Api-Key: k9');
    for (const secret of ['swordfish', 'abc', 'sess1', 'sk-live-77', 's3cr3t', 'k9']) assert.ok(!out.includes(secret), `${secret} in ${out}`);
    assert.ok(out.includes('streamid=***&mode=caller') && out.includes('rtmps://ingest.example:443/live2/***'), out);
    assert.equal(scrubCredentials('rtmp://live.example/app'), 'rtmp://live.example/app', 'an application alone is no key');
  });

  test('the API never shows secret input options', () => {
    const shown = publicSource(
      source({
        kind: 'url',
        url: 'https://u:pw@cdn.example/live.m3u8?token=t1',
        inputOptions: ['-headers', 'Authorization: Bearer hdr-secret\r\nUser-Agent: cam', '-passphrase', 'pass-secret', '-cookies', 'sid=cookie-secret', '-user_agent', 'shotscale'],
      }),
    );
    const text = JSON.stringify(shown);
    for (const secret of ['pw', 'token=t1', 'hdr-secret', 'pass-secret', 'cookie-secret']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.ok(text.includes('User-Agent: cam') && text.includes('shotscale'), 'what is not secret is still shown');
  });

  test('a scrubbed source sent back gets its secrets for the same scheme, host and port', () => {
    const stored = source({ kind: 'url', url: 'srt://cam.example:9000?passphrase=swordfish&mode=caller', inputOptions: ['-passphrase', 'opt-secret', '-latency', '200'] });
    const edited = { ...(publicSource(stored) as Extract<SourceConfig, { kind: 'url' }>), inputOptions: ['-passphrase', '***', '-latency', '120'] };
    const restored = restoreSecrets(edited, stored) as Extract<SourceConfig, { kind: 'url' }>;
    assert.equal(restored.url, 'srt://cam.example:9000?passphrase=swordfish&mode=caller');
    assert.deepEqual(restored.inputOptions, ['-passphrase', 'opt-secret', '-latency', '120']);

    const rtsp = source({ kind: 'rtsp', url: 'rtsp://admin:hunter2@10.0.0.5:554/s' });
    assert.equal((restoreSecrets(source({ kind: 'rtsp', url: 'rtsp://***:***@10.0.0.5:554/other' }), rtsp) as { url: string }).url, 'rtsp://admin:hunter2@10.0.0.5:554/other');

    const rtmpUrl = 'rtmp://live.example/app/sk-live-77?vhost=a';
    const rtmp = source({ kind: 'url', url: rtmpUrl, inputOptions: [] });
    const shownRtmp = publicSource(rtmp) as { url: string };
    assert.equal(shownRtmp.url, 'rtmp://live.example/app/***?vhost=a');
    assert.equal((restoreSecrets(source({ kind: 'url', url: shownRtmp.url, inputOptions: [] }), rtmp) as { url: string }).url, rtmpUrl);
    const srtUrl = 'srt://cam.example:9000?streamid=#!::u=bob,s=sess1';
    const srt = source({ kind: 'url', url: srtUrl, inputOptions: [] });
    assert.equal((restoreSecrets(publicSource(srt), srt) as { url: string }).url, srtUrl);
  });

  test('never to another host, port or scheme: refused with CAMERA_INVALID, not sent', () => {
    const rtsp = source({ kind: 'rtsp', url: 'rtsp://admin:hunter2@10.0.0.5:554/s' });
    for (const url of ['rtsp://***:***@10.0.0.6:554/s', 'rtsp://***:***@10.0.0.5:8554/s', 'rtsps://***:***@10.0.0.5:554/s', 'rtsp://***:***@evil.example/s']) {
      assert.throws(
        () => restoreSecrets(source({ kind: 'rtsp', url }), rtsp),
        (e: unknown) => isShotscaleError(e, 'CAMERA_INVALID') && !e.message.includes('hunter2'),
        url,
      );
    }
    const stored = source({ kind: 'url', url: 'srt://a.example:9000', inputOptions: ['-passphrase', 'opt-secret'] });
    assert.throws(() => restoreSecrets(source({ kind: 'url', url: 'srt://b.example:9000', inputOptions: ['-passphrase', '***'] }), stored), (e: unknown) => isShotscaleError(e, 'CAMERA_INVALID'));
  });

  test('a source without *** is taken as given', () => {
    const stored = source({ kind: 'rtsp', url: 'rtsp://admin:hunter2@10.0.0.5/s' });
    const next = source({ kind: 'rtsp', url: 'rtsp://other:pw@10.0.0.9/s' });
    assert.equal(restoreSecrets(next, stored), next);
  });
});
