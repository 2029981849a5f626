/**
 * The config examples people copy: every YAML block of the README and every
 * flow map or list in config/*.yaml comments that uses ${ENV_VAR} parses and
 * loads (README's access block and HTTPS one-liner once failed with
 * "Unexpected flow-map-start": in `{ }` and `[ ]` YAML reads "{" as a map);
 * a config written so is told to quote it; and settings in seconds that
 * feed a timer are capped below what Node's timers hold.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../server/config/load-config.js';
import { MAX_TIMER_S } from '../../server/config/schema.js';
import { isShotscaleError, type ShotscaleError } from '../../server/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-config-examples-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeYaml(text: string): string {
  const file = path.join(dir, `c${fileCount++}.yaml`);
  writeFileSync(file, text);
  return file;
}

function loadError(text: string, env: NodeJS.ProcessEnv = {}): ShotscaleError {
  try {
    loadConfig(writeYaml(text), env);
  } catch (error) {
    assert.ok(isShotscaleError(error), String(error));
    return error;
  }
  assert.fail(`expected a refusal, but it loaded:\n${text}`);
}

/** The ```yaml blocks of README.md (indented ones in lists too), with the line each starts at. */
function readmeYamlBlocks(): { line: number; text: string }[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks: { line: number; text: string }[] = [];
  for (const match of readme.matchAll(/^( *)```ya?ml\n([\s\S]*?)^\1```/gm)) {
    const indent = match[1]!.length;
    const text = match[2]!
      .split('\n')
      .map((l) => l.slice(indent))
      .join('\n');
    blocks.push({ line: readme.slice(0, match.index).split('\n').length, text });
  }
  return blocks;
}

/** An environment that sets every ${NAME} the text uses to a value long enough for a token. */
function envFor(text: string): NodeJS.ProcessEnv {
  return Object.fromEntries([...text.matchAll(/\$\{([A-Za-z_]\w*)/g)].map((m) => [m[1]!, `value-of-${m[1]!.toLowerCase()}-0123456789`]));
}

describe('config examples with ${ENV_VAR}', () => {
  test('every README YAML block that uses ${...} parses and loads as a config', () => {
    const blocks = readmeYamlBlocks().filter((b) => b.text.includes('${'));
    assert.ok(blocks.length >= 3, `README YAML blocks with \${...}: ${blocks.length}`);
    for (const block of blocks) {
      try {
        loadConfig(writeYaml(block.text), envFor(block.text));
      } catch (error) {
        assert.fail(`README.md:${block.line}: ${isShotscaleError(error) ? `${error.code} ${error.message}` : String(error)}`);
      }
    }
  });

  test('the README access block gives the tokens their roles from the environment', () => {
    const block = readmeYamlBlocks().find((b) => b.text.includes('SHOTSCALE_OPERATOR_TOKEN'));
    assert.ok(block, 'the access block');
    const env = envFor(block.text);
    const { config } = loadConfig(writeYaml(block.text), env);
    assert.deepEqual(
      config.server.tokens.map((t) => [t.role, t.token]),
      [
        ['operator', env.SHOTSCALE_OPERATOR_TOKEN],
        ['viewer', env.SHOTSCALE_VIEWER_TOKEN],
      ],
    );
    assert.deepEqual(config.server.publishTokens, [env.SHOTSCALE_PUBLISH_TOKEN]);
  });

  test('every { } or [ ] with ${...} in the comments of config/*.yaml parses', () => {
    let seen = 0;
    for (const name of readdirSync(path.join(ROOT, 'config')).filter((n) => n.endsWith('.yaml'))) {
      const lines = readFileSync(path.join(ROOT, 'config', name), 'utf8').split('\n');
      lines.forEach((line, i) => {
        const comment = line.slice(line.indexOf('#') + 1);
        if (!line.includes('#')) return;
        for (const flow of comment.match(/\[?\{[^{}]*(?:\$\{[^}]*\}[^{}]*)+\}\]?|\[[^[\]]*\$\{[^\]]*\]/g) ?? []) {
          seen += 1;
          const doc = parseDocument(`x: ${flow}\n`);
          assert.deepEqual(
            doc.errors.map((e) => e.message.split('\n')[0]),
            [],
            `config/${name}:${i + 1}: ${flow}`,
          );
        }
      });
    }
    assert.ok(seen >= 2, `flow examples with \${...} found: ${seen}`);
  });

  test('an unquoted ${...} in a flow map or list: CONFIG_PARSE at its line, with the quoted form as the hint', () => {
    const inMap = loadError('server:\n  tokens:\n    - { role: operator, token: ${OP_TOKEN}, name: floor }\n');
    assert.equal(inMap.code, 'CONFIG_PARSE');
    assert.match(inMap.message, /:3:\d+: Unexpected flow-map-start/);
    assert.equal(inMap.hint, 'inside { } or [ ] YAML reads "{" as the start of a map: quote it, "${OP_TOKEN}"');
    const inList = loadError('server:\n  publishTokens: [${PUBLISH:-fallback-token-0123456789}]\n');
    assert.equal(inList.code, 'CONFIG_PARSE');
    assert.match(inList.hint ?? '', /quote it, "\$\{PUBLISH:-fallback-token-0123456789\}"$/);
    const inUrl = loadError('cameras:\n  - { id: a, source: { kind: rtsp, url: rtsp://u:${CAM_PASSWORD}@10.0.0.5/s } }\n');
    assert.match(inUrl.hint ?? '', /"\$\{CAM_PASSWORD\}"$/);
    const other = loadError('server: { port: 1\n');
    assert.equal(other.code, 'CONFIG_PARSE');
    assert.equal(other.hint, undefined, 'another syntax error gets no word about ${...}');
  });
});

describe('settings in seconds that feed a timer', () => {
  const KEYS = [
    ['supervisor.whip.removeAfterS', 'supervisor:\n  whip:\n    removeAfterS: VALUE\n'],
    ['supervisor.backoffInitialS', 'supervisor:\n  backoffInitialS: VALUE\n'],
    ['supervisor.backoffMaxS', 'supervisor:\n  backoffMaxS: VALUE\n'],
  ] as const;

  test('past 14 days (Node runs a longer timer after 1 ms): CONFIG_INVALID naming the key and the largest value', () => {
    assert.equal(MAX_TIMER_S, 1_209_600);
    assert.ok(MAX_TIMER_S * 1000 <= 2 ** 31 - 1, 'inside what a Node timer holds');
    for (const [key, yaml] of KEYS) {
      for (const value of [2_592_000, MAX_TIMER_S + 1]) {
        const error = loadError(yaml.replace('VALUE', String(value)));
        assert.equal(error.code, 'CONFIG_INVALID', error.message);
        assert.match(error.message, new RegExp(`:\\d+: ${key.replace(/\./g, '\\.')}: at most 1209600 \\(14 days\\)`), error.message);
      }
      const { config } = loadConfig(writeYaml(yaml.replace('VALUE', String(MAX_TIMER_S))), {});
      assert.ok(JSON.stringify(config.supervisor).includes(String(MAX_TIMER_S)), `${key}: ${MAX_TIMER_S} is taken`);
    }
  });
});
