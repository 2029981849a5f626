/**
 * A production teaches the classifier its convention, live, through the API:
 * the default classifier on two file cameras playing real footage (the first
 * 1.5 s of a handheld selfie, looped: face and shoulders, MCU on every frame;
 * the clip goes on to other framings and a landscape, which would make what a
 * few seconds of readouts hold depend on timing; hikers, FS), operators who
 * call the selfie CU and the hikers WS
 * correct frames, a fit on the corrections plus the base knowledge, applied to
 * every camera: the selfie camera's readouts follow (CU), and a rollback to
 * the configured head brings its labels back. Viewers see but cannot change;
 * samples list, show and delete; what is applied survives a restart. The
 * fit's figure holds out whole shots (each camera's run of corrections),
 * and so does an export of them imported again (cameras, capture times and
 * shown labels kept); a disabled camera takes no correction that names no
 * picture, at once, and a picture named in the future is refused as such.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Readout } from '../../server/shared/socket-events.js';
import { collectReadouts, connectClient, fileCamera, httpJson, REPO_DIR, startTestServer, type ConnectedClient } from '../support/server-harness.js';
import { tempDir, trimClip } from '../support/media.js';
import { runCli } from '../support/cli.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { CalibrationStore } from '../../server/store/calibration-store.js';
import { shotGroups } from '../../server/calibration/live-calibration.js';
import { openShotLogReadOnly } from '../../server/store/read-only-database.js';

const OPERATOR = 'operator-token-calibration-0123456789';
const VIEWER = 'viewer-token-calibration-0123456789';
const ADMIN = 'admin-token-calibration-0123456789';
const dataDir = tempDir('shotscale-calibration-');

const DEMO = path.join(REPO_DIR, 'media', 'demo');
// Its stored 288x512 raster as square pixels (setsar=1), a portrait strip: so, the stretch reads MCU on every
// frame. As the file says it is displayed (pixels 64:27, a 4:3 picture) it wavers between MCU and CU.
const selfieClip = trimClip(path.join(DEMO, 'selfie.mp4'), tempDir(), 0, 1.5, 'selfie.mp4', 'setsar=1');

function start(): Promise<RunningServer> {
  return startTestServer({
    server: { accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }, { role: 'viewer', token: VIEWER }] },
    model: { manifest: path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') },
    shots: { dataDir },
    cameras: [fileCamera('selfie', selfieClip), fileCamera('hikers', path.join(DEMO, 'hikers.mp4'))],
  });
}

let server: RunningServer;
let live: ConnectedClient;

before(async () => {
  server = await start();
  live = await connectClient(server.url, { token: VIEWER });
});

after(async () => {
  live?.client.close();
  await server?.close();
});

const api = (p: string) => `${server.url}${p}`;
const share = (readouts: Readout[], label: string) => readouts.filter((r) => r.label === label).length / readouts.length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` corrections of a camera, one per analysed frame or so, spread over the clip. */
async function correct(camera: string, label: string, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(700);
    const { status, body } = await httpJson(api(`/api/cameras/${camera}/corrections`), { method: 'POST', body: { label }, token: OPERATOR });
    assert.equal(status, 201, JSON.stringify(body));
    ids.push((body as { id: number }).id);
  }
  return ids;
}

async function fitted(): Promise<{ headId: number; report: { sets: { taxonomy: string; before: { exact: number }; after: { exact: number } | null; shots: number; folds: number }[] } }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { body } = await httpJson(api('/api/calibration'), { token: VIEWER });
    const state = body as { fit: { state: string; headId: number | null; error: string | null }; heads: { id: number; report: never }[] };
    if (state.fit.state === 'done') return { headId: state.fit.headId!, report: state.heads.find((h) => h.id === state.fit.headId)!.report };
    assert.notEqual(state.fit.state, 'failed', state.fit.error ?? '');
    assert.ok(Date.now() < deadline, 'the fit did not finish in 2 minutes');
    await sleep(500);
  }
}

describe('teaching the classifier a production\'s convention', () => {
  let before: Readout[];
  let headId: number;

  test('before any correction, the selfie reads MCU, not CU, and a fit is refused', async () => {
    before = await collectReadouts(live.client, 25, (r) => r.cameraId === 'selfie', 40_000);
    assert.ok(share(before, 'MCU') >= 0.6, `MCU share ${share(before, 'MCU')}`);
    assert.ok(share(before, 'CU') < 0.4, `CU share ${share(before, 'CU')}`);
    const refused = await httpJson(api('/api/calibration/fit'), { method: 'POST', body: {}, token: OPERATOR });
    assert.equal(refused.status, 409);
    assert.equal((refused.body as { error: { code: string } }).error.code, 'CALIBRATION_INVALID');
  });

  test('viewers cannot correct or fit; a label outside the taxonomy is a coded 400', async () => {
    const viewer = await httpJson(api('/api/cameras/selfie/corrections'), { method: 'POST', body: { label: 'CU' }, token: VIEWER });
    assert.equal(viewer.status, 403);
    const fit = await httpJson(api('/api/calibration/fit'), { method: 'POST', body: {}, token: VIEWER });
    assert.equal(fit.status, 403);
    const wrong = await httpJson(api('/api/cameras/selfie/corrections'), { method: 'POST', body: { label: 'XXL' }, token: OPERATOR });
    assert.equal(wrong.status, 400);
    assert.match((wrong.body as { error: { message: string } }).error.message, /not a class of canonical/);
    const noCamera = await httpJson(api('/api/cameras/nope/corrections'), { method: 'POST', body: { label: 'CU' }, token: OPERATOR });
    assert.equal(noCamera.status, 404);
  });

  test('corrections are stored with the frame, listed, shown and deletable', async () => {
    const selfie = await correct('selfie', 'CU', 10);
    await correct('hikers', 'WS', 8);
    const { body } = await httpJson(api('/api/calibration/samples?camera=selfie'), { token: VIEWER });
    const samples = (body as { samples: { id: number; label: string; shown: string; taxonomy: string; hasImage: boolean }[] }).samples;
    assert.equal(samples.length, 10);
    assert.ok(samples.every((s) => s.label === 'CU' && s.taxonomy === 'canonical' && s.hasImage));
    // ?limit: the latest so many (the Calibration view asks for those it shows); not a count, a coded 400.
    const ids = async (query: string) => ((await httpJson(api(`/api/calibration/samples${query}`), { token: VIEWER })).body as { samples: { id: number }[] }).samples.map((x) => x.id);
    const every = await ids('');
    assert.equal(every.length, 18);
    assert.deepEqual(await ids('?limit=3'), every.slice(0, 3));
    const notCount = await httpJson(api('/api/calibration/samples?limit=-1'), { token: VIEWER });
    assert.equal(notCount.status, 400);
    assert.equal((notCount.body as { error: { code: string } }).error.code, 'BAD_REQUEST');
    const image = await fetch(api(`/api/calibration/samples/${selfie[0]}/image`), { headers: { authorization: `Bearer ${VIEWER}` } });
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    const bytes = new Uint8Array(await image.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8]);
    // One more, then deleted: the operator's mistake leaves no trace.
    const [extra] = await correct('selfie', 'EWS', 1);
    assert.equal((await httpJson(api(`/api/calibration/samples/${extra}`), { method: 'DELETE', token: VIEWER })).status, 403);
    assert.equal((await httpJson(api(`/api/calibration/samples/${extra}`), { method: 'DELETE', token: OPERATOR })).status, 204);
    assert.equal((await httpJson(api(`/api/calibration/samples/${extra}`), { method: 'DELETE', token: OPERATOR })).status, 404);
    const state = (await httpJson(api('/api/calibration'), { token: VIEWER })).body as { samples: number; perLabel: Record<string, number>; perCamera: Record<string, number> };
    assert.equal(state.samples, 18);
    assert.deepEqual(state.perLabel, { 'canonical:CU': 10, 'canonical:WS': 8 });
    assert.deepEqual(state.perCamera, { selfie: 10, hikers: 8 });
  });

  test('a fit runs off the main thread (readouts keep coming) and reports before and after', async () => {
    const started = await httpJson(api('/api/calibration/fit'), { method: 'POST', body: {}, token: OPERATOR });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const again = await httpJson(api('/api/calibration/fit'), { method: 'POST', body: {}, token: OPERATOR });
    assert.equal(again.status, 409);
    const during = await collectReadouts(live.client, 10, (r) => r.cameraId === 'selfie', 20_000);
    assert.equal(during.length, 10);
    const result = await fitted();
    headId = result.headId;
    const canonical = result.report.sets.find((s) => s.taxonomy === 'canonical')!;
    // Each fold holds out a whole shot: the selfie's 10 corrections (under a second apart) are one, the hikers' 8 another.
    // Each camera's label is then unseen by the fold that scores it: the figure says what the head knows of frames it never saw.
    assert.deepEqual([canonical.shots, canonical.folds], [2, 2], JSON.stringify(canonical));
    assert.ok(canonical.after, 'cross-validated figures after the fit');
  });

  test('applied to every camera, the selfie camera follows the corrections from the next batch', async () => {
    const applied = await httpJson(api('/api/calibration/apply'), { method: 'POST', body: { head: headId }, token: OPERATOR });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.deepEqual(applied.body, { '*': headId });
    await sleep(1500);
    const after = await collectReadouts(live.client, 25, (r) => r.cameraId === 'selfie', 40_000);
    assert.ok(share(after, 'CU') >= 0.6, `CU share after the fit ${share(after, 'CU')} (before ${share(before, 'CU')})`);
    assert.ok(after.some((r) => /calibrated -> CU/.test(r.reason ?? '')), 'the reason says the head decided');
  });

  test('a rollback to the configured head restores the labels; what is applied survives a restart', async () => {
    assert.equal((await httpJson(api('/api/calibration/apply'), { method: 'POST', body: { head: null, camera: 'selfie' }, token: OPERATOR })).status, 200);
    await sleep(1500);
    const rolledBack = await collectReadouts(live.client, 25, (r) => r.cameraId === 'selfie', 40_000);
    // The clip loops through more than one framing: CU, which only the corrections taught, is gone again.
    assert.ok(share(rolledBack, 'CU') < 0.4, `CU share after the rollback ${share(rolledBack, 'CU')}`);
    live.client.close();
    await server.close();
    server = await start();
    live = await connectClient(server.url, { token: VIEWER });
    const state = (await httpJson(api('/api/calibration'), { token: VIEWER })).body as { applied: Record<string, number | null>; samples: number; heads: { id: number }[] };
    assert.deepEqual(state.applied, { '*': headId, selfie: null });
    // Clear takes a camera there is: not "*" (every camera's head) and not a typo.
    for (const camera of ['*', 'no-such-camera']) {
      const refused = await httpJson(api('/api/calibration/clear'), { method: 'POST', body: { camera }, token: OPERATOR });
      assert.ok(refused.status === 400 || refused.status === 404, `${camera}: ${refused.status} ${JSON.stringify(refused.body)}`);
    }
    assert.deepEqual(((await httpJson(api('/api/calibration'), { token: VIEWER })).body as { applied: unknown }).applied, { '*': headId, selfie: null }, 'a refused clear changed nothing');
    const cleared = await httpJson(api('/api/calibration/clear'), { method: 'POST', body: { camera: 'selfie' }, token: OPERATOR });
    assert.deepEqual(cleared.body, { '*': headId });
    assert.equal((await httpJson(api('/api/calibration/apply'), { method: 'POST', body: { head: null, camera: 'selfie' }, token: OPERATOR })).status, 200);
    assert.equal(state.samples, 18);
    assert.deepEqual(state.heads.map((h) => h.id), [headId]);
    // The hikers camera still uses the fitted head after the restart.
    const hikers = await collectReadouts(live.client, 5, (r) => r.cameraId === 'hikers', 40_000);
    assert.equal(hikers.length, 5);
  });

  test('"label these": frames worth a label from both cameras, each with why; labelling one stores a sample and takes it off', async () => {
    await sleep(4500);
    const { body } = await httpJson(api('/api/calibration/queue'), { token: VIEWER });
    const queue = (body as { queue: { id: number; cameraId: string; shown: string; score: number; why: string }[] }).queue;
    assert.deepEqual([...new Set(queue.map((q) => q.cameraId))].sort(), ['hikers', 'selfie']);
    assert.ok(queue.every((q) => q.score >= 0 && q.score <= 1 && /unsure|disagree/.test(q.why)), JSON.stringify(queue));
    const image = await fetch(api(`/api/calibration/queue/${queue[0]!.id}/image`), { headers: { authorization: `Bearer ${VIEWER}` } });
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.equal((await httpJson(api(`/api/calibration/queue/${queue[0]!.id}`), { method: 'POST', body: { label: 'close' , taxonomy: 'three' }, token: VIEWER })).status, 403);
    const labelled = await httpJson(api(`/api/calibration/queue/${queue[0]!.id}`), { method: 'POST', body: { label: 'close', taxonomy: 'three' }, token: OPERATOR });
    assert.equal(labelled.status, 201, JSON.stringify(labelled.body));
    assert.deepEqual([(labelled.body as { taxonomy: string }).taxonomy, (labelled.body as { label: string }).label], ['three', 'close']);
    assert.equal((await httpJson(api(`/api/calibration/queue/${queue[0]!.id}`), { method: 'POST', body: { label: 'close', taxonomy: 'three' }, token: OPERATOR })).status, 404);
    const state = (await httpJson(api('/api/calibration'), { token: VIEWER })).body as { samples: number; perLabel: Record<string, number> };
    assert.equal(state.samples, 19);
    assert.equal(state.perLabel['three:close'], 1);
  });

  test('samples export as a folder calibrate reads (a labels file per taxonomy), and import into another data directory (refused while a server holds it)', { timeout: 180_000 }, async () => {
    const out = path.join(tempDir('shotscale-samples-'), 'export');
    const exported = await runCli(['samples', 'export', '--out', out, '--db', path.join(dataDir, 'shotscale.sqlite')]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /19 samples written .*labels-canonical\.csv: 18 canonical, labels-three\.csv: 1 three/);
    const rows = readFileSync(path.join(out, 'labels-canonical.csv'), 'utf8').trim().split('\n');
    assert.equal(rows[0], 'file,label,taxonomy,camera,captured_at,shown,source,shot_id');
    assert.equal(rows.length, 19);
    const first = rows[1]!.split(',');
    assert.deepEqual([first[1], first[2], first[3], first[6]], ['CU', 'canonical', 'selfie', 'live']);
    assert.deepEqual([...readFileSync(path.join(out, first[0]!)).subarray(0, 2)], [0xff, 0xd8]);

    // Import: refused while the server holds the data directory; then into another one.
    const busy = path.join(tempDir('shotscale-samples-'), 'busy.yaml');
    writeFileSync(busy, `model:\n  manifest: ${path.join(REPO_DIR, 'models', 'framing-default.manifest.json')}\n  calibration: ${path.join(REPO_DIR, 'models', 'framing-default.head.json')}\nshots:\n  dataDir: ${dataDir}\ncameras: []\n`);
    const refused = await runCli(['samples', 'import', out, '--labels', path.join(out, 'labels-canonical.csv'), '--config', busy], { timeoutMs: 60_000 });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /DATABASE_LOCKED/);
    const otherDir = tempDir('shotscale-samples-data-');
    const config = path.join(tempDir('shotscale-samples-'), 'other.yaml');
    writeFileSync(config, readFileSync(busy, 'utf8').replace(dataDir, otherDir));
    const imported = await runCli(['samples', 'import', out, '--labels', path.join(out, 'labels-canonical.csv'), '--config', config], { timeoutMs: 150_000 });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /18 samples imported into .* \(cameras "selfie", "hikers", canonical; with their capture times\)/);
    const read = (dir: string) => {
      const db = openShotLogReadOnly(path.join(dir, 'shotscale.sqlite'));
      try {
        return new CalibrationStore(db).samplesForFit();
      } finally {
        db.close();
      }
    };
    const samples = read(otherDir);
    assert.equal(samples.length, 18);
    assert.deepEqual([...new Set(samples.map((s) => `${s.source} ${s.taxonomy}`))], ['import canonical']);
    assert.deepEqual(samples.map((s) => s.label).sort(), [...Array(10).fill('CU'), ...Array(8).fill('WS')]);
    assert.ok(samples.every((s) => s.hasImage));
    // Each sample keeps the camera, capture time and shown label the export wrote: the fit's shots are the live fit's two.
    const original = read(dataDir).filter((s) => s.taxonomy === 'canonical');
    const what = (s: { cameraId: string; capturedAt: number; shown: string | null; label: string }) => `${s.cameraId} ${s.capturedAt} ${s.shown} ${s.label}`;
    assert.deepEqual(samples.map(what).sort(), original.map(what).sort());
    assert.ok(samples.every((s) => s.shown !== null));
    assert.deepEqual([new Set(shotGroups(samples)).size, new Set(shotGroups(original)).size], [2, 2]);
    // Imported again: every picture is a sample already, none stored twice.
    const again = await runCli(['samples', 'import', out, '--labels', path.join(out, 'labels-canonical.csv'), '--config', config], { timeoutMs: 150_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /18 pictures skipped: they are samples already/);
    assert.equal(read(otherDir).length, 18);
    // --camera names the camera of every sample imported.
    const named = await runCli(['samples', 'import', out, '--labels', path.join(out, 'labels-three.csv'), '--camera', 'stage-b', '--config', config], { timeoutMs: 150_000 });
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stderr, /^1 sample imported into .* \(camera "stage-b", three; with its capture time\)/m);
  });

  test('a disabled camera is not live: a correction naming no picture is refused (409), and one in the future says so', async () => {
    const future = await httpJson(api('/api/cameras/hikers/corrections'), { method: 'POST', body: { label: 'WS', captureTime: Date.now() + 100_000 }, token: OPERATOR });
    assert.equal(future.status, 409, JSON.stringify(future.body));
    assert.match((future.body as { error: { message: string } }).error.message, /capture time (99\.\d|100(\.0)?) s in the future/);
    const disabled = await httpJson(api('/api/cameras/hikers'), { method: 'PATCH', body: { enabled: false }, token: ADMIN });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    // At once, while its latest frame is still recent: it is disabled, and the refusal says so.
    const refused = await httpJson(api('/api/cameras/hikers/corrections'), { method: 'POST', body: { label: 'WS' }, token: OPERATOR });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    const error = (refused.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'CALIBRATION_INVALID');
    assert.match(error.message, /^camera hikers is not live: it is disabled \(stopped\)/);
    await sleep(3000);
    const later = await httpJson(api('/api/cameras/hikers/corrections'), { method: 'POST', body: { label: 'WS' }, token: OPERATOR });
    assert.equal(later.status, 409, JSON.stringify(later.body));
    assert.equal(((await httpJson(api('/api/calibration'), { token: VIEWER })).body as { samples: number }).samples, 19, 'nothing stored');
  });
});
