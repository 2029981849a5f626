/**
 * Reads, interpolates and validates the config once at start; the result is
 * frozen. Every error names the file, the line, the key path and what was
 * expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { ShotscaleError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { describeIssue, formatKeyPath, quotedKey } from './zod-issues.js';

export { describeIssue, formatKeyPath };

export interface LoadedConfig {
  config: Readonly<Config>;
  /** Absolute path of the file, or null for the built-in defaults. */
  file: string | null;
  /** Directory that relative paths in the config are resolved against. */
  baseDir: string;
}

/** Replaces ${NAME} and ${NAME:-fallback} in every string with the environment's value. */
function interpolateEnv(value: unknown, keyPath: PropertyKey[], file: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new ShotscaleError('CONFIG_ENV_MISSING', `${file}: ${formatKeyPath(keyPath)}: environment variable ${name} is not set`, {
        hint: `export ${name}=... or write \${${name}:-default}`,
      });
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, [...keyPath, i], file, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, [...keyPath, k], file, env)]));
  }
  return value;
}

/**
 * The hint for a parse error at the `{` of a `${NAME}` inside a flow map or
 * list (`{ token: ${NAME} }`, `[${NAME}]`): there YAML reads the `{` as the
 * start of a map, and "Unexpected flow-map-start" alone does not say what to
 * write instead. The README's own examples were written so once.
 */
export function envInFlowHint(text: string, errorAt: number): { hint: string } | undefined {
  if (errorAt < 1 || text[errorAt - 1] !== '$' || text[errorAt] !== '{') return undefined;
  const reference = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}\n]*)?\}/.exec(text.slice(errorAt - 1))?.[0] ?? '${NAME}';
  return { hint: `inside { } or [ ] YAML reads "{" as the start of a map: quote it, "${reference}"` };
}

function lineOf(doc: Document, counter: LineCounter, keyPath: readonly PropertyKey[]): number | null {
  // An unknown key has no value in the schema but does have a key node: use its line.
  const parentPath = keyPath.slice(0, -1) as (string | number)[];
  const last = keyPath[keyPath.length - 1];
  const parent = keyPath.length > 0 ? doc.getIn(parentPath, true) : null;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
  }
  // Walk up the path until a node exists: an unknown key's parent still has a line.
  for (let depth = keyPath.length; depth >= 0; depth--) {
    const node = doc.getIn(keyPath.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return null;
}

/**
 * Where a key is set in the config file, as FILE:LINE, as the config's own
 * errors say it (for a fault found later, in a file the key names); FILE
 * alone where the key is not written there (a default); null for the
 * built-in defaults.
 */
export function configKeyPlace(file: string | null, keyPath: readonly string[]): string | null {
  if (!file) return null;
  try {
    const counter = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: counter });
    // Only the key itself: a parent's line would name a key that is not the one at fault.
    if (isNode(doc.getIn(keyPath as string[], true))) return `${file}:${lineOf(doc, counter, keyPath)}`;
  } catch {
    // Read and checked at start; unreadable since, the file's name still says where.
  }
  return file;
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Validates an already-parsed object (used for the file and for defaults). */
export function validateConfig(raw: unknown, label: string, doc?: { doc: Document; counter: LineCounter }): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => {
    // One line per unknown key, at that key's own line and full path (server.hots).
    const located: { path: readonly PropertyKey[]; text: string }[] =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: [...issue.path, key], text: `unknown key ${quotedKey(key)}` }))
        : [{ path: issue.path, text: describeIssue(issue) }];
    return located.map(({ path: keyPath, text }) => {
      const line = doc ? lineOf(doc.doc, doc.counter, keyPath) : null;
      return `  ${label}${line ? `:${line}` : ''}: ${formatKeyPath(keyPath)}: ${text}`;
    });
  });
  throw new ShotscaleError('CONFIG_INVALID', `invalid config\n${lines.join('\n')}`, {
    hint: 'config/default.yaml lists every key with its default and meaning',
  });
}

export function loadConfig(file: string | null, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  if (file === null) {
    return { config: deepFreeze(validateConfig({}, '(defaults)')), file: null, baseDir: process.cwd() };
  }
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    throw new ShotscaleError('CONFIG_NOT_FOUND', `config file not found: ${absolute}`);
  }
  const text = readFileSync(absolute, 'utf8');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    // The place is given once, as file:line:column; the parser's own "at line 6, column 1:" and its excerpt are left out.
    let what = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    let where = first.linePos?.[0] ? `:${first.linePos[0].line}:${first.linePos[0].col}` : '';
    // Noticed only past the last line (a quote or brace never closed): the line after the file is no place to look.
    const lastLine = text.trimEnd().split('\n').length;
    if (first.linePos?.[0] && first.linePos[0].line > lastLine) {
      where = `:${lastLine}`;
      what = `${what}, by the end of the file (opened on line ${lastLine} or before)`;
    }
    throw new ShotscaleError('CONFIG_PARSE', `${absolute}${where}: ${what}`, envInFlowHint(text, first.pos[0]));
  }
  const interpolated = interpolateEnv(doc.toJS(), [], absolute, env);
  const config = validateConfig(interpolated, absolute, { doc, counter });
  return { config: deepFreeze(config), file: absolute, baseDir: path.dirname(absolute) };
}

/** Resolves a path from the config against the config file's directory. */
export function resolveConfigPath(loaded: Pick<LoadedConfig, 'baseDir'>, p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(loaded.baseDir, p);
}
