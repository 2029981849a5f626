/**
 * A camera's reel depends on its id alone: exported alone or beside any other
 * cameras, in the EDL, the ALE and the FCPXML, one camera has one reel (a
 * conform that gets one camera's EDL and then every camera's sees one name).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exportShots, type ExportFormat } from '../../server/exports/export-shots.js';
import { cameraReel, reelNames } from '../../server/exports/reel-names.js';
import { parseAle, parseEdl } from '../support/export-parsers.js';
import { shot } from '../support/timecoded-shots.js';

const FROM_CLIP = /^FROM CLIP NAME: (.+) shot \d+$/;

/** One shot per camera, one after another (a single feed's timecode would do as well). */
function shotsOf(cameras: readonly string[]) {
  return cameras.map((camera, i) => shot({ camera, id: i + 1, rate: '25', tcIn: `10:00:0${i}:00`, tcOut: `10:00:0${i + 1}:00`, scale: 'MS' }));
}

function edlReels(cameras: readonly string[]): Map<string, string> {
  const body = exportShots(shotsOf(cameras), 'edl', { title: 't' }).body;
  return new Map(parseEdl(body).events.map((e) => [FROM_CLIP.exec(e.comments[0]!)![1]!, e.reel]));
}

function otherReels(cameras: readonly string[], format: ExportFormat): string[] {
  const body = exportShots(shotsOf(cameras), format, { title: 't' }).body;
  if (format === 'ale') return parseAle(body).rows.map((row) => row.Tape!);
  return [...body.matchAll(/key="com\.apple\.proapps\.studio\.reel" value="([^"]*)"/g)].map((m) => m[1]!);
}

describe('reel names', () => {
  test("camera-left-2 has one reel, exported alone or beside camera-left-1 (it was CAMERA_L alone, CAMERA_2 beside)", () => {
    const alone = edlReels(['camera-left-2']).get('camera-left-2');
    const beside = edlReels(['camera-left-1', 'camera-left-2']);
    assert.equal(beside.get('camera-left-2'), alone);
    assert.equal(edlReels(['camera-left-1']).get('camera-left-1'), beside.get('camera-left-1'));
    assert.notEqual(beside.get('camera-left-1'), beside.get('camera-left-2'));
    assert.match(alone!, /^CAME[A-Z0-9]{4}$/);
    // Eight cameras together: each still its own.
    const eight = Array.from({ length: 8 }, (_, i) => `camera-left-${i + 1}`);
    const all = edlReels(eight);
    assert.equal(new Set(all.values()).size, 8);
    for (const camera of eight) assert.equal(all.get(camera), cameraReel(camera), camera);
  });

  test('an id that fits 8 characters is its own reel; reserved names and spellings that collide are still resolved', () => {
    assert.equal(cameraReel('cam-1'), 'CAM_1');
    assert.equal(cameraReel('A_CAM'), 'A_CAM');
    assert.equal(cameraReel('black'), 'BLACK1');
    assert.equal(cameraReel('ax'), 'AX1');
    const names = reelNames(['cam-1', 'cam 1']);
    assert.equal(new Set(names.values()).size, 2);
    assert.ok([...names.values()].every((name) => /^[A-Z0-9_]{1,8}$/.test(name)));
    // A collision's tail never takes a reel that is another camera's own: cam-11 is CAM_11 with or without the pair.
    const three = reelNames(['cam-1', 'cam_1', 'cam-11']);
    assert.equal(three.get('cam-11'), 'CAM_11');
    assert.equal(new Set(three.values()).size, 3);
    const pair = [three.get('cam-1')!, three.get('cam_1')!].sort();
    assert.equal(pair[0], 'CAM_1', 'one of the pair keeps the spelling');
    assert.match(pair[1]!, /^CAM_1\d$/);
    assert.notEqual(pair[1], 'CAM_11', "the other's tail is not cam-11's own reel");
  });

  test('the ALE tape and the FCPXML reel are the same reel as the EDL, alone or together', () => {
    for (const cameras of [['camera-left-2'], ['camera-left-1', 'camera-left-2']]) {
      const edl = edlReels(cameras);
      const expected = cameras.map((camera) => edl.get(camera)!);
      assert.deepEqual(otherReels(cameras, 'ale'), expected, 'ale');
      assert.ok(expected.every((reel) => otherReels(cameras, 'fcpxml').includes(reel)), 'fcpxml');
    }
  });
});
