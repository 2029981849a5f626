import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cameraSchema, TESTSRC_PATTERNS as SERVER_PATTERNS } from '../../server/config/schema.js';
import { describeIssue, formatKeyPath } from '../../server/config/zod-issues.js';
import {
  CAMERA_ID_PATTERN,
  SOURCE_KINDS,
  TESTSRC_PATTERNS,
  buildCamera,
  emptyForm,
  fieldsFor,
  formFromConfig,
  joinOptions,
  parsePositive,
  patchBody,
  serverErrors,
  splitOptions,
  type CameraFormState,
  type CameraJson,
} from '../../web/src/lib/camera-form.js';

function form(patch: Partial<CameraFormState> & Pick<CameraFormState, 'kind'>): CameraFormState {
  return { ...emptyForm(patch.kind), id: 'cam-9', ...patch };
}

test('the form knows the same patterns, source kinds and id rule as the server', () => {
  assert.deepEqual([...TESTSRC_PATTERNS], [...SERVER_PATTERNS]);
  const serverKinds = cameraSchema.shape.source.options.map((o) => o.shape.kind.value).sort();
  assert.deepEqual([...SOURCE_KINDS].sort(), serverKinds);
  for (const id of ['a', 'cam-1', 'Cam_2', '9', 'x'.repeat(64)]) {
    assert.equal(CAMERA_ID_PATTERN.test(id), cameraSchema.shape.id.safeParse(id).success, id);
  }
  for (const id of ['', '-a', '_a', 'a b', 'a/b', 'x'.repeat(65), 'é']) {
    assert.equal(CAMERA_ID_PATTERN.test(id), false, id);
    assert.equal(cameraSchema.shape.id.safeParse(id).success, false, id);
  }
});

test('a fresh form builds a test-pattern camera the server accepts, defaults spelled out', () => {
  const built = buildCamera(form({ kind: 'testsrc' }));
  assert.deepEqual(built.errors, {});
  assert.deepEqual(built.camera, {
    id: 'cam-9',
    enabled: true,
    analysisFps: 5,
    source: { kind: 'testsrc', pattern: 'testsrc2', width: 1280, height: 720, fps: 25 },
  });
  assert.ok(cameraSchema.safeParse(built.camera).success);
});

test('every source kind, filled in, builds JSON that the server schema parses', () => {
  const filled: CameraFormState[] = [
    { ...form({ kind: 'rtsp', name: ' Stage left ' }), rtsp: { url: 'rtsp://u:p@10.0.0.2/s1', transport: 'udp', timeoutS: '8' } },
    { ...form({ kind: 'webcam' }), webcam: { device: '/dev/video0', driver: 'v4l2', width: '1920', height: '1080', fps: '30' } },
    { ...form({ kind: 'ndi' }), ndi: { name: 'STUDIO-PC (OBS)' } },
    { ...form({ kind: 'file' }), file: { path: 'media/a.mp4', loop: false, realtime: true } },
    { ...form({ kind: 'testsrc', analysisFps: '12.5', enabled: false }), testsrc: { pattern: 'mandelbrot', width: '640', height: '360', fps: '15' } },
    { ...form({ kind: 'url' }), url: { url: 'srt://enc:9000', inputOptions: '-fflags nobuffer -headers "X-A: b c"' } },
  ];
  for (const f of filled) {
    const built = buildCamera(f);
    assert.deepEqual(built.errors, {}, f.kind);
    assert.ok(built.camera, f.kind);
    const parsed = cameraSchema.safeParse(built.camera);
    assert.ok(parsed.success, `${f.kind}: ${parsed.success ? '' : parsed.error.message}`);
    // Back into a form and out again: nothing is lost.
    assert.deepEqual(buildCamera(formFromConfig(built.camera)).camera, built.camera, `${f.kind} round trip`);
  }
  const rtsp = buildCamera(filled[0]!).camera!;
  assert.equal(rtsp.name, 'Stage left');
  assert.deepEqual(rtsp.source, { kind: 'rtsp', url: 'rtsp://u:p@10.0.0.2/s1', transport: 'udp', timeoutS: 8 });
  assert.deepEqual(buildCamera(filled[5]!).camera!.source, { kind: 'url', url: 'srt://enc:9000', inputOptions: ['-fflags', 'nobuffer', '-headers', 'X-A: b c'] });
  assert.deepEqual(buildCamera(filled[4]!).camera!.enabled, false);
});

test('blank optional numbers are left out so the server defaults apply', () => {
  const built = buildCamera({ ...form({ kind: 'webcam', analysisFps: ' ' }), webcam: { device: '0', driver: 'auto', width: '', height: '', fps: '' } });
  assert.deepEqual(built.camera, { id: 'cam-9', enabled: true, source: { kind: 'webcam', device: '0', driver: 'auto' } });
  const parsed = cameraSchema.parse(built.camera);
  assert.equal(parsed.analysisFps, 5);
});

test('client-side checks: id, required fields per kind, numbers', () => {
  assert.deepEqual(buildCamera(form({ kind: 'testsrc', id: '' })).errors, { id: 'required' });
  assert.match(buildCamera(form({ kind: 'testsrc', id: '-bad id' })).errors.id ?? '', /letters, digits/);
  assert.equal(buildCamera(form({ kind: 'testsrc', id: '-bad' })).camera, null);

  assert.deepEqual(buildCamera(form({ kind: 'rtsp' })).errors, { 'source.url': 'required' });
  assert.deepEqual(buildCamera({ ...form({ kind: 'rtsp' }), rtsp: { url: 'http://x', transport: 'tcp', timeoutS: '0' } }).errors, {
    'source.url': 'an rtsp:// or rtsps:// URL',
    'source.timeoutS': 'more than 0',
  });
  assert.deepEqual(buildCamera(form({ kind: 'webcam' })).errors, { 'source.device': 'required' });
  assert.deepEqual(buildCamera(form({ kind: 'ndi' })).errors, { 'source.name': 'required' });
  assert.deepEqual(buildCamera(form({ kind: 'file' })).errors, { 'source.path': 'required' });
  assert.deepEqual(buildCamera(form({ kind: 'url' })).errors, { 'source.url': 'required' });
  assert.deepEqual(buildCamera({ ...form({ kind: 'url' }), url: { url: 'udp://x', inputOptions: '-a "open' } }).errors, { 'source.inputOptions': 'a quote is not closed' });

  const numbers = buildCamera({ ...form({ kind: 'testsrc', analysisFps: '61' }), testsrc: { pattern: 'life', width: '12.5', height: 'abc', fps: '-1' } });
  assert.deepEqual(numbers.errors, { analysisFps: 'at most 60', 'source.width': 'a whole number', 'source.height': 'a number', 'source.fps': 'more than 0' });
  assert.equal(numbers.camera, null);
});

test('parsePositive takes plain decimals only', () => {
  assert.deepEqual(parsePositive('25'), { value: 25 });
  assert.deepEqual(parsePositive(' 7.5 '), { value: 7.5 });
  assert.deepEqual(parsePositive('.5'), { value: 0.5 });
  assert.deepEqual(parsePositive('1e1'), { value: 10 });
  assert.deepEqual(parsePositive(''), {});
  assert.deepEqual(parsePositive('0x10'), { error: 'a number' });
  assert.deepEqual(parsePositive('Infinity'), { error: 'a number' });
  assert.deepEqual(parsePositive('0'), { error: 'more than 0' });
  assert.deepEqual(parsePositive('-5'), { error: 'more than 0' }, 'a negative number is a number, only too small');
  assert.deepEqual(parsePositive('--5'), { error: 'a number' });
  assert.deepEqual(parsePositive('2.5', { integer: true }), { error: 'a whole number' });
  assert.deepEqual(parsePositive('61', { max: 60 }), { error: 'at most 60' });
});

test('input options split like a shell and join back', () => {
  assert.deepEqual(splitOptions(''), []);
  assert.deepEqual(splitOptions('  -re   -fflags nobuffer '), ['-re', '-fflags', 'nobuffer']);
  assert.deepEqual(splitOptions(`-headers "A: b" -x 'it"s' ""`), ['-headers', 'A: b', '-x', 'it"s', '']);
  assert.equal(splitOptions('-a "b'), null);
  for (const options of [['-re'], ['-headers', 'A: b c'], ['-x', 'say "hi"'], ['']]) {
    assert.deepEqual(splitOptions(joinOptions(options)), options);
  }
});

test('formFromConfig fills the kind and keeps the other kinds at their defaults', () => {
  const config: CameraJson = {
    id: 'cam-1',
    name: 'Test pattern',
    enabled: false,
    analysisFps: 2,
    source: { kind: 'rtsp', url: 'rtsp://***:***@10.0.0.2/s1', transport: 'tcp', timeoutS: 5 },
  };
  const f = formFromConfig(config);
  assert.equal(f.kind, 'rtsp');
  assert.equal(f.id, 'cam-1');
  assert.equal(f.name, 'Test pattern');
  assert.equal(f.enabled, false);
  assert.equal(f.analysisFps, '2');
  assert.deepEqual(f.rtsp, { url: 'rtsp://***:***@10.0.0.2/s1', transport: 'tcp', timeoutS: '5' });
  assert.deepEqual(f.testsrc, emptyForm().testsrc);
  // The scrubbed URL goes back as it is: the server restores the credentials.
  assert.equal(buildCamera(f, 'edit').camera?.source.kind, 'rtsp');
});

test('edit mode sends a blank name as the id and PATCH leaves the id out', () => {
  const built = buildCamera(form({ kind: 'testsrc', name: '' }), 'edit');
  assert.equal(built.camera?.name, 'cam-9');
  assert.equal(buildCamera(form({ kind: 'testsrc', name: '' }), 'add').camera?.name, undefined);
  const body = patchBody(built.camera!, null);
  assert.equal('id' in body, false);
  assert.deepEqual(body, { name: 'cam-9', enabled: true, analysisFps: 5, source: built.camera!.source }, 'nothing loaded to compare with: every field');
});

/** The camera as the edit form loads it and builds it back, as the form keeps it to compare with. */
function loadedAs(config: CameraJson): { form: CameraFormState; loaded: CameraJson } {
  const f = formFromConfig(config);
  return { form: f, loaded: buildCamera(f, 'edit').camera! };
}

const RTSP_CONFIG: CameraJson = {
  id: 'cam-1',
  name: 'Stage left',
  enabled: true,
  analysisFps: 5,
  source: { kind: 'rtsp', url: 'rtsp://***:***@10.0.0.2/s1', transport: 'tcp', timeoutS: 5 },
};

test('an edit PATCHes only the fields that changed from what the form loaded', () => {
  const { form: f, loaded } = loadedAs(RTSP_CONFIG);
  assert.deepEqual(patchBody(buildCamera(f, 'edit').camera!, loaded), {}, 'nothing changed: nothing to send');

  assert.deepEqual(patchBody(buildCamera({ ...f, name: 'Stage right' }, 'edit').camera!, loaded), { name: 'Stage right' });
  assert.deepEqual(patchBody(buildCamera({ ...f, analysisFps: '12' }, 'edit').camera!, loaded), { analysisFps: 12 });
  assert.deepEqual(patchBody(buildCamera({ ...f, enabled: false }, 'edit').camera!, loaded), { enabled: false });
  assert.deepEqual(patchBody(buildCamera({ ...f, name: 'Wide', enabled: false }, 'edit').camera!, loaded), { name: 'Wide', enabled: false });

  // The same value typed differently, or with spaces around it, is no change.
  assert.deepEqual(patchBody(buildCamera({ ...f, name: ' Stage left ', analysisFps: '5.0' }, 'edit').camera!, loaded), {});
  // Clearing the name sends the id as the name, as before.
  assert.deepEqual(patchBody(buildCamera({ ...f, name: '' }, 'edit').camera!, loaded), { name: 'cam-1' });
  // A blank rate is left out (the camera keeps its rate), as it always was in an edit.
  assert.deepEqual(patchBody(buildCamera({ ...f, analysisFps: '' }, 'edit').camera!, loaded), {});
  // Another source kind sends that source whole; looked at and back again, nothing.
  assert.deepEqual(patchBody(buildCamera({ ...f, kind: 'testsrc' }, 'edit').camera!, loaded).source, { kind: 'testsrc', pattern: 'testsrc2', width: 1280, height: 720, fps: 25 });
  assert.deepEqual(patchBody(buildCamera({ ...f, kind: 'rtsp' }, 'edit').camera!, loaded), {});
});

test('a change to any part of the source sends the whole source, credentials as shown for the server to restore', () => {
  const { form: f, loaded } = loadedAs(RTSP_CONFIG);
  const body = patchBody(buildCamera({ ...f, rtsp: { ...f.rtsp, transport: 'udp' } }, 'edit').camera!, loaded);
  // The server replaces the source as a whole: a lone transport would lose the URL.
  assert.deepEqual(body, { source: { kind: 'rtsp', url: 'rtsp://***:***@10.0.0.2/s1', transport: 'udp', timeoutS: 5 } });
  assert.ok(cameraSchema.partial().safeParse(body).success);

  // Key order in the loaded config does not matter; a cleared optional number is a change (the source goes without it).
  const webcam = loadedAs({ id: 'w', source: { fps: 30, width: 640, device: '/dev/video0', kind: 'webcam', driver: 'v4l2', height: 480 } as CameraJson['source'] });
  assert.deepEqual(patchBody(buildCamera(webcam.form, 'edit').camera!, webcam.loaded), {});
  assert.deepEqual(patchBody(buildCamera({ ...webcam.form, webcam: { ...webcam.form.webcam, fps: '' } }, 'edit').camera!, webcam.loaded), {
    source: { kind: 'webcam', device: '/dev/video0', driver: 'v4l2', width: 640, height: 480 },
  });

  // Input options are compared option by option.
  const url = loadedAs({ id: 'u', source: { kind: 'url', url: 'srt://enc:9000?passphrase=***', inputOptions: ['-headers', 'Authorization: ***'] } });
  assert.deepEqual(patchBody(buildCamera(url.form, 'edit').camera!, url.loaded), {});
  assert.deepEqual(patchBody(buildCamera({ ...url.form, url: { ...url.form.url, inputOptions: `${url.form.url.inputOptions} -re` } }, 'edit').camera!, url.loaded), {
    source: { kind: 'url', url: 'srt://enc:9000?passphrase=***', inputOptions: ['-headers', 'Authorization: ***', '-re'] },
  });
});

test('two forms loaded from one camera, saved one after the other, each change stands', () => {
  // The server's merge: a PATCH's fields over the camera as it is (the source as a whole).
  let camera: CameraJson = structuredClone(RTSP_CONFIG);
  const a = loadedAs(camera);
  const b = loadedAs(camera);
  camera = { ...camera, ...patchBody(buildCamera({ ...a.form, name: 'Jib' }, 'edit').camera!, a.loaded) };
  camera = { ...camera, ...patchBody(buildCamera({ ...b.form, analysisFps: '2' }, 'edit').camera!, b.loaded) };
  assert.deepEqual(camera, { ...RTSP_CONFIG, name: 'Jib', analysisFps: 2 });
});

test('server CAMERA_INVALID messages land on the fields they name', () => {
  // Messages as server/app/camera-manager.ts writes them.
  const a = serverErrors('CAMERA_INVALID', 'camera: analysisFps: Too big: expected number to be <=60; source.url: an rtsp:// or rtsps:// URL', 'rtsp');
  assert.deepEqual(a.fields, { analysisFps: 'Too big: expected number to be <=60', 'source.url': 'an rtsp:// or rtsps:// URL' });
  assert.deepEqual(a.general, []);

  const b = serverErrors('CAMERA_INVALID', 'camera "cam-1": source.inputOptions[0]: Invalid input: expected string, received number', 'url');
  assert.deepEqual(b.fields, { 'source.inputOptions': 'Invalid input: expected string, received number' });

  const c = serverErrors('CAMERA_INVALID', 'camera: id: letters, digits, "-" and "_", at most 64, starting with a letter or digit', 'testsrc');
  assert.match(c.fields.id ?? '', /letters, digits/);

  // A field the form does not show for this kind, or no field at all: the top of the form.
  const d = serverErrors('CAMERA_INVALID', 'camera: source.url: required; source: unknown key "foo"; (top level): unknown key "bar"; models[0].name: unknown', 'testsrc');
  assert.deepEqual(d.fields, {});
  assert.deepEqual(d.general, ['source.url: required', 'source: unknown key "foo"', '(top level): unknown key "bar"', 'models[0].name: unknown']);

  const e = serverErrors('CAMERA_INVALID', 'camera "cam-1": the id cannot be changed (remove and add instead)', 'testsrc');
  assert.deepEqual(e, { fields: {}, general: ['the id cannot be changed (remove and add instead)'] });

  const f = serverErrors('CAMERA_INVALID', 'unknown model "big" (known: default)', 'testsrc');
  assert.deepEqual(f, { fields: {}, general: ['unknown model "big" (known: default)'] });

  // Two issues on one field are both kept.
  const g = serverErrors('CAMERA_INVALID', 'camera: source.width: too small; source.width: not whole', 'testsrc');
  assert.deepEqual(g.fields, { 'source.width': 'too small; not whole' });
});

test('the real schema errors, formatted like the server, map to fields', () => {
  // The same formatting as camera-manager.ts parseCamera, from the real schema.
  const issues = cameraSchema.safeParse({ id: '-x', analysisFps: 0, source: { kind: 'webcam', device: '', width: 1.5, inputOptions: [] } }).error!.issues;
  const message = `camera: ${issues.map((i) => `${formatKeyPath(i.path)}: ${describeIssue(i)}`).join('; ')}`;
  const split = serverErrors('CAMERA_INVALID', message, 'webcam');
  assert.deepEqual(Object.keys(split.fields).sort(), ['analysisFps', 'id', 'source.device', 'source.width']);
  assert.deepEqual(split.general, ['source: unknown key "inputOptions"']);
});

test('other API errors: an existing id goes on the id, the rest on top', () => {
  assert.deepEqual(serverErrors('CAMERA_EXISTS', 'camera "cam-1" already exists', 'testsrc'), { fields: { id: 'a camera with this id already exists' }, general: [] });
  assert.deepEqual(serverErrors('NETWORK', 'the server cannot be reached', 'testsrc'), { fields: {}, general: ['the server cannot be reached'] });
  assert.deepEqual(serverErrors('SOURCE_UNSUPPORTED', 'NDI source "x": no NDI', 'ndi').general, ['NDI source "x": no NDI']);
});

test('fieldsFor lists the common fields and the kind own ones', () => {
  assert.deepEqual(fieldsFor('ndi'), ['id', 'name', 'analysisFps', 'enabled', 'source.kind', 'source.name']);
  assert.ok(fieldsFor('url').includes('source.inputOptions'));
  assert.ok(!fieldsFor('rtsp').includes('source.inputOptions'));
});
