/**
 * Camera values that were taken and then failed for ever on the wall, found
 * on the Cameras view: `rtsp://` with no host ("connection refused" at no
 * address, restarting), a test pattern at 1000 fps (8K: "no frame",
 * restarting), and a 200-character name refused in zod's own words
 * ("Too big: expected string to have <=128 characters"). The server refuses
 * them at the field, and the form says so before asking.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCamera } from '../../server/app/camera-manager.js';
import { ShotscaleError } from '../../server/errors.js';
import { restoreSecrets } from '../../server/ingest/source-secrets.js';
import { buildCamera, emptyForm, serverErrors, type CameraFormState } from '../../web/src/lib/camera-form.js';

/** The server's CAMERA_INVALID for `input`, as the form splits it; null when the server takes it. */
function refused(input: unknown, kind: CameraFormState['kind']): Record<string, string> | null {
  try {
    parseCamera(input, 'camera');
    return null;
  } catch (error) {
    assert.ok(error instanceof ShotscaleError && error.code === 'CAMERA_INVALID', String(error));
    const split = serverErrors(error.code, error.message, kind);
    assert.deepEqual(split.general, [], 'every problem lands on a field');
    return split.fields;
  }
}

const rtsp = (url: string) => ({ id: 'cam-9', source: { kind: 'rtsp', url } });
const rtspForm = (url: string): CameraFormState => ({ ...emptyForm('rtsp'), id: 'cam-9', rtsp: { url, transport: 'tcp', timeoutS: '5' } });

test('an RTSP URL must name a host', () => {
  for (const url of ['rtsp://', 'rtsps://', 'rtsp:///stream1', 'rtsp://:554/stream1', 'rtsp://user:pw@/stream1', 'rtsp://user:pw@:554/s', 'rtsp:// 10.0.0.5/s']) {
    const fields = refused(rtsp(url), 'rtsp');
    assert.match(fields?.['source.url'] ?? '', /names a host/, url);
    assert.match(buildCamera(rtspForm(url)).errors['source.url'] ?? '', /host/, url);
  }
  // A password may hold an "@"; credentials shown as *** come back as typed; IPv6; a name from the environment.
  for (const url of ['rtsp://10.0.0.5/stream', 'rtsp://admin:p@ss@10.0.0.5/stream', 'rtsp://***:***@cam.local:8554/s', 'rtsp://[::1]:8554/s', 'RTSP://cam/s', 'rtsps://cam', 'rtsp://${CAM_HOST}/s']) {
    assert.equal(refused(rtsp(url), 'rtsp'), null, url);
    assert.deepEqual(buildCamera(rtspForm(url)).errors, {}, url);
  }
  // The scheme's own message stays for a URL of another scheme.
  assert.equal(buildCamera(rtspForm('http://cam/s')).errors['source.url'], 'an rtsp:// or rtsps:// URL');
});

test('a test pattern runs at 120 fps at most, and the form says so before asking', () => {
  const testsrc = (fps: number) => ({ id: 'cam-9', source: { kind: 'testsrc', width: 7680, height: 4320, fps } });
  assert.match(refused(testsrc(1000), 'testsrc')?.['source.fps'] ?? '', /^at most 120/);
  assert.equal(refused(testsrc(120), 'testsrc'), null);
  const form = (fps: string, width = '1280'): CameraFormState => ({ ...emptyForm('testsrc'), id: 'cam-9', testsrc: { pattern: 'testsrc2', width, height: '720', fps } });
  assert.deepEqual(buildCamera(form('1000')).errors, { 'source.fps': 'at most 120' });
  assert.deepEqual(buildCamera(form('100000', '100000')).errors, { 'source.fps': 'at most 120', 'source.width': 'at most 7680' });
  assert.deepEqual(buildCamera(form('120')).errors, {});
});

test('a camera name over 128 characters is refused in words, at the name', () => {
  const long = 'x'.repeat(200);
  assert.deepEqual(refused({ id: 'cam-9', name: long, source: { kind: 'webrtc' } }, 'webrtc'), { name: 'at most 128 characters' });
  assert.equal(refused({ id: 'cam-9', name: 'x'.repeat(128), source: { kind: 'webrtc' } }, 'webrtc'), null);
  assert.deepEqual(buildCamera({ ...emptyForm('webrtc'), id: 'cam-9', name: long }).errors, { name: 'at most 128 characters (200 now)' });
  assert.deepEqual(buildCamera({ ...emptyForm('webrtc'), id: 'cam-9', name: ` ${'x'.repeat(128)} ` }).errors, {});
});

test('an analysis rate out of range is refused in words, at the field', () => {
  const camera = (analysisFps: number) => ({ id: 'cam-9', analysisFps, source: { kind: 'webrtc' } });
  assert.deepEqual(refused(camera(61), 'webrtc'), { analysisFps: 'at most 60' });
  assert.deepEqual(refused(camera(0), 'webrtc'), { analysisFps: 'more than 0' });
  assert.equal(refused(camera(60), 'webrtc'), null);
});

test("a refusal whose words hold a '; ' of their own stays whole at its field", () => {
  // An RTSP camera's edit that points the *** credentials at another host, as the server refuses it.
  let message = '';
  try {
    restoreSecrets({ kind: 'rtsp', url: 'rtsp://***:***@10.0.0.2:554/stream', transport: 'tcp', timeoutS: 5 }, { kind: 'rtsp', url: 'rtsp://op:secret@10.0.0.1:554/stream', transport: 'tcp', timeoutS: 5 });
  } catch (error) {
    assert.ok(error instanceof ShotscaleError && error.code === 'CAMERA_INVALID', String(error));
    message = error.message;
  }
  assert.match(message, /; /, 'the case in point: the text itself holds "; "');
  const split = serverErrors('CAMERA_INVALID', `camera "cam-1": ${message}`, 'rtsp');
  assert.deepEqual(split.general, [], 'no half sentence at the top of the form');
  assert.equal(split.fields['source.url'], 'the secrets shown as *** belong to rtsp://10.0.0.1:554; for rtsp://10.0.0.2:554 type them again');
  // Issues of their own still go apart.
  assert.deepEqual(serverErrors('CAMERA_INVALID', 'camera: source.url: a; b; name: c; (top level): d', 'rtsp'), { fields: { 'source.url': 'a; b', name: 'c' }, general: ['(top level): d'] });
});
