import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, logText } from '../../server/shared/logger.js';

const ENTRY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR|DEBUG) \[/;

test('a message cannot forge an entry or reach the terminal', () => {
  const lines: string[] = [];
  const log = createLogger('test', 'info', (line) => lines.push(line));
  log.warn('refused: unknown key "x\n2026-12-05T00:00:00.000Z ERROR [shotscale] FORGED\r\u001b[31m\u2028\u0085"');
  const text = lines.join('\n');
  assert.equal(text.split('\n').filter((l) => ENTRY.test(l)).length, 1, text);
  assert.ok(!/[\r\u001b\u2028\u0085]/.test(text), text);
  assert.match(text, /\\u001b\[31m\\u2028\\u0085/);
});

test('a stack trace keeps its lines, indented under its entry', () => {
  const error = new Error('boom');
  const shown = logText(`failed: ${error.stack}`);
  assert.equal(shown.split('\n').length, error.stack!.split('\n').length);
  assert.ok(shown.split('\n').slice(1).every((line) => line.startsWith('  ')), shown);
  assert.equal(logText('a\ttab stays'), 'a\ttab stays');
});

test('direction overrides, isolates, marks and other invisible format characters are written as escapes', () => {
  const sent = 'camera "x\u202egol.exe\u202c" \u2066a\u2069 \u200e\u200f\u061c \u200b\u2060\ufeff\u00ad \u{e0041} \ud800';
  const shown = logText(sent);
  assert.ok(!/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff\u00ad]|\u{e0041}|[\ud800-\udfff]/u.test(shown), shown);
  assert.equal(shown, 'camera "x\\u202egol.exe\\u202c" \\u2066a\\u2069 \\u200e\\u200f\\u061c \\u200b\\u2060\\ufeff\\u00ad \\u{e0041} \\ud800');
  assert.equal(logText('scene 👨‍👩‍👧 مشهد ١٢ 🎬'), 'scene 👨‍👩‍👧 مشهد ١٢ 🎬', 'emoji, joiners and right-to-left text are written as they are');
});
