/**
 * The dashboard's text colours (web/src/app.css) against the backgrounds they
 * are read on: WCAG AA, 4.5:1 for normal text. --faint carries the key hints,
 * the wall's "click a tile" hint, units and empty cells; at #6b7382 it was
 * 4.0:1 on the page and under 3.7:1 on a raised panel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { contrastRatio } from '../../web/src/lib/palette.js';

const css = readFileSync(new URL('../../web/src/app.css', import.meta.url), 'utf8');

function colour(name: string): string {
  const match = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})\\s*;`).exec(css);
  assert.ok(match, `app.css defines --${name} as #rrggbb`);
  return match[1]!;
}

for (const text of ['text', 'muted', 'faint']) {
  test(`--${text} reads at 4.5:1 or better on every background`, () => {
    for (const bg of ['bg', 'panel', 'panel-2']) {
      const ratio = contrastRatio(colour(text), colour(bg));
      assert.ok(ratio >= 4.5, `--${text} on --${bg}: ${ratio.toFixed(2)}:1`);
    }
  });
}

test('--faint stays a step below --muted (the hierarchy of the text is kept)', () => {
  assert.ok(contrastRatio(colour('faint'), colour('bg')) < contrastRatio(colour('muted'), colour('bg')));
});
