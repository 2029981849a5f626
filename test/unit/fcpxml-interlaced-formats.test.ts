/**
 * FCPXML formats of turned and interlaced files: a phone's portrait clip is
 * a portrait sequence; interlaced material is named by Final Cut's
 * interlaced presets (1080i, HDV's 1440x1080i, NTSC DV and PAL SD) with its
 * field order on each format; progressive material and a live feed stay as
 * they were.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportShots, type MediaFormat } from '../../server/exports/export-shots.js';
import type { TimecodeRateName } from '../../server/shared/shots.js';
import { parseXml, readFcpxml } from '../support/fcpxml-reader.js';
import { shot } from '../support/timecoded-shots.js';

const mediaPath = '/media/clip.mov';

/** Each format element's attributes, sequence's first, as written. */
function formats(rate: TimecodeRateName, media: MediaFormat, file: string | null = mediaPath): Record<string, string>[] {
  const tcIn = rate.startsWith('29.97') ? '01:00:00;00' : '01:00:00:00';
  const tcOut = rate.startsWith('29.97') ? '01:00:04;00' : '01:00:04:00';
  const shots = [shot({ camera: 'cam-1', id: 1, rate, tcIn, tcOut, scale: 'MS' })];
  const xml = exportShots(shots, 'fcpxml', { title: 'clip', mediaPath: file, rate, media }).body;
  readFcpxml(xml); // The reader's checks: times on the frame grid, formats and assets that exist.
  const resources = parseXml(xml).root.children.find((e) => e.name === 'resources')!;
  return resources.children.filter((e) => e.name === 'format').map((e) => ({ ...e.attributes }));
}

describe('FCPXML formats: interlaced material', () => {
  test('1080i at 29.97 and 25: the 1080i presets, with the field order', () => {
    const [ntsc] = formats('29.97', { width: 1920, height: 1080, fieldOrder: 'upper first', audio: null });
    assert.deepEqual(ntsc, { id: 'r1', name: 'FFVideoFormat1080i5994', frameDuration: '1001/30000s', fieldOrder: 'upper first', width: '1920', height: '1080' });
    const df = formats('29.97DF', { width: 1920, height: 1080, fieldOrder: 'upper first', audio: null });
    assert.equal(df[0]!.name, 'FFVideoFormat1080i5994');
    const pal = formats('25', { width: 1920, height: 1080, fieldOrder: 'lower first', audio: null });
    assert.deepEqual([pal.length, pal[0]!.name, pal[0]!.fieldOrder], [1, 'FFVideoFormat1080i50', 'lower first']);
  });

  test('HDV 1080i50: a 1080i50 sequence, the asset its 1440x1080i50 raster with 4:3 pixels', () => {
    const [sequence, raster] = formats('25', { width: 1440, height: 1080, pixelAspect: { h: 4, v: 3 }, fieldOrder: 'upper first', audio: null });
    assert.deepEqual(sequence, { id: 'r1', name: 'FFVideoFormat1080i50', frameDuration: '100/2500s', fieldOrder: 'upper first', width: '1920', height: '1080' });
    assert.deepEqual(raster, { id: 'r3', name: 'FFVideoFormat1440x1080i50', frameDuration: '100/2500s', fieldOrder: 'upper first', width: '1440', height: '1080', paspH: '4', paspV: '3' });
    const dvcpro = formats('29.97', { width: 1280, height: 1080, pixelAspect: { h: 3, v: 2 }, fieldOrder: 'upper first', audio: null });
    assert.deepEqual(dvcpro.map((f) => f.name), ['FFVideoFormat1080i5994', 'FFVideoFormat1280x1080i5994']);
  });

  test('SD: one format, the raster with its pixel aspect, by the NTSC DV and PAL presets (16:9 variants by the picture)', () => {
    const ntsc = formats('29.97', { width: 720, height: 480, pixelAspect: { h: 8, v: 9 }, fieldOrder: 'lower first', audio: null });
    assert.deepEqual(ntsc, [{ id: 'r1', name: 'FFVideoFormatDV720x480i5994', frameDuration: '1001/30000s', fieldOrder: 'lower first', width: '720', height: '480', paspH: '8', paspV: '9' }]);
    const wide = formats('29.97', { width: 720, height: 480, pixelAspect: { h: 32, v: 27 }, fieldOrder: 'upper first', audio: null });
    assert.deepEqual(wide.map((f) => [f.name, f.width, f.height]), [['FFVideoFormatDV720x480i5994_16x9', '720', '480']]);
    const pal = formats('25', { width: 720, height: 576, pixelAspect: { h: 64, v: 45 }, fieldOrder: 'lower first', audio: null });
    assert.deepEqual(pal.map((f) => [f.name, f.fieldOrder, f.paspH, f.paspV]), [['FFVideoFormat720x576i50_16x9', 'lower first', '64', '45']]);
  });

  test('interlaced at a rate Final Cut has no interlaced preset for: a custom format with its field order', () => {
    const odd = formats('30', { width: 1920, height: 1080, fieldOrder: 'upper first', audio: null });
    assert.deepEqual(odd, [{ id: 'r1', frameDuration: '100/3000s', fieldOrder: 'upper first', width: '1920', height: '1080' }]);
  });

  test('progressive material and a live feed: no field order, as before', () => {
    assert.deepEqual(formats('25', { width: 1920, height: 1080, audio: null }), [{ id: 'r1', name: 'FFVideoFormat1080p25', frameDuration: '100/2500s', width: '1920', height: '1080' }]);
    const hdv = formats('25', { width: 1440, height: 1080, pixelAspect: { h: 4, v: 3 }, fieldOrder: null, audio: null });
    assert.deepEqual(hdv.map((f) => [f.name, f.fieldOrder]), [['FFVideoFormat1080p25', undefined], [undefined, undefined]]);
    const live = formats('29.97', { width: 1920, height: 1080, fieldOrder: 'upper first', audio: null }, null);
    assert.deepEqual(live.map((f) => [f.name, f.fieldOrder]), [['FFVideoFormat1080p2997', undefined]]);
  });
});

describe('FCPXML formats: a turned picture', () => {
  test('a portrait picture (the probe turns a phone clip so) is a portrait format', () => {
    assert.deepEqual(formats('25', { width: 1080, height: 1920, audio: null }), [{ id: 'r1', frameDuration: '100/2500s', width: '1080', height: '1920' }]);
  });
});
