import 'server-only';
import { AppError } from '@/model/errors';

/**
 * How deep JSON arriving from outside (request bodies, webhook bodies, action outputs) may
 * nest. PostgreSQL's jsonb parser and V8's JSON.stringify both recurse: 10,000-deep JSON
 * overflowed the stack of either, the commit failed and the run crash-looped. Real documents
 * nest a dozen levels or two; 64 leaves room for the envelope, snapshot and execution state
 * around a value (issue #15).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * What the runtime stores wraps such values (a step result, its output, the vars path it is
 * saved at), so its safety net allows a few levels more than MAX_JSON_DEPTH: a value that
 * came in at the limit is never refused later for being wrapped.
 */
export const MAX_STORED_DEPTH = MAX_JSON_DEPTH + 10;

/** What PostgreSQL's text and jsonb cannot hold is replaced by U+FFFD, as a decoder does with bad bytes. */
const REPLACEMENT = '\ufffd';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

type TProblem = { path: string; message: string };

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  // Dates and other class instances (a wait request's resumeAt) serialise themselves; only plain objects are walked.
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A path short enough for a message: 10,000 levels of `[0]` say nothing more than ten do. */
function shown(path: string): string {
  return path.length > 80 ? `${path.slice(0, 80)}…` : path;
}

function keyPath(base: string, key: string): string {
  if (base === '') return key;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** Why a string cannot be stored, or null. */
function stringProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'the NUL character (\\u0000)';
  LONE_SURROGATE.lastIndex = 0;
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate (half of an emoji or other astral character)';
  return null;
}

function fixString(text: string): string {
  return text.replaceAll('\u0000', REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT);
}

/** A container met while scanning: its path is built only if a problem is found under it. */
type TScanEntry = { node: unknown; depth: number; parent: TScanEntry | null; key: string | number };

function pathOf(entry: TScanEntry, root: string, last?: string | number): string {
  const keys: Array<string | number> = last === undefined ? [] : [last];
  for (let at: TScanEntry | null = entry; at?.parent; at = at.parent) keys.push(at.key);
  let path = root;
  for (let index = keys.length - 1; index >= 0; index--) {
    const key = keys[index]!;
    path = typeof key === 'number' ? `${path}[${key}]` : keyPath(path, key);
  }
  return path;
}

/**
 * Walks `value` without recursion (the value may be hostile and 100,000 levels deep) and
 * reports the first container past `maxDepth`; with `stopAtString`, also the first string or
 * key that cannot be stored. `badStrings` counts those strings and keys. Only containers are
 * queued, and a path is spelled out only for a problem: a step's output is scanned on every
 * step, and building every value's path was most of the scan's cost.
 */
function scan(
  value: unknown,
  root: string,
  maxDepth: number,
  stopAtString: boolean,
): { problem: TProblem | null; badStrings: number } {
  let badStrings = 0;
  const stringAt = (problem: string, path: () => string, what: string): TProblem | null => {
    badStrings += 1;
    if (!stopAtString) return null;
    const at = path();
    return { path: at, message: `${shown(at)} ${what} ${problem}, which cannot be stored` };
  };
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    return { problem: problem ? stringAt(problem, () => root, 'contains') : null, badStrings };
  }
  if (!isContainer(value)) return { problem: null, badStrings };
  const stack: TScanEntry[] = [{ node: value, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { node, depth } = entry;
    if (depth + 1 > maxDepth) {
      const path = pathOf(entry, root);
      return {
        problem: { path, message: `${shown(path)} is nested deeper than ${maxDepth} levels, which cannot be stored` },
        badStrings,
      };
    }
    const array = Array.isArray(node);
    const keys = array ? null : Object.keys(node as Record<string, unknown>);
    const length = array ? (node as unknown[]).length : keys!.length;
    for (let index = length - 1; index >= 0; index--) {
      const key: string | number = array ? index : keys![index]!;
      if (!array) {
        const problem = stringProblem(key as string);
        if (problem) {
          const found = stringAt(problem, () => pathOf(entry, root), 'has a key that contains');
          if (found) return { problem: found, badStrings };
        }
      }
      const child = (node as Record<string | number, unknown>)[key];
      if (typeof child === 'string') {
        const problem = stringProblem(child);
        if (problem) {
          const found = stringAt(problem, () => pathOf(entry, root, key), 'contains');
          if (found) return { problem: found, badStrings };
        }
      } else if (isContainer(child)) stack.push({ node: child, depth: depth + 1, parent: entry, key });
    }
  }
  return { problem: null, badStrings };
}

/** A copy with every bad string and key fixed; only called once the depth is known to be bounded. */
function rewrite(node: unknown): unknown {
  if (typeof node === 'string') return fixString(node);
  if (!isContainer(node)) return node;
  if (Array.isArray(node)) return node.map(rewrite);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(node)) out[fixString(key)] = rewrite(item);
  return out;
}

export type TStorableJson =
  { ok: true; value: unknown; replaced: number } | { ok: false; path: string; message: string };

/**
 * `value` made safe to store as jsonb (or text): NUL characters and lone surrogates, which
 * PostgreSQL refuses, become U+FFFD in strings and keys; a value nested deeper than
 * `maxDepth` (MAX_STORED_DEPTH) is refused, with a message naming where (paths start at
 * `root`; `''` names the top-level keys bare). A value that
 * needs nothing is returned as it is, not copied.
 *
 * @example toStorableJson({ a: 'x\u0000y' }) // { ok: true, value: { a: 'x\ufffdy' }, replaced: 1 }
 */
export function toStorableJson(
  value: unknown,
  { root = 'value', maxDepth = MAX_STORED_DEPTH }: { root?: string; maxDepth?: number } = {},
): TStorableJson {
  const { problem, badStrings } = scan(value, root, maxDepth, false);
  if (problem) return { ok: false, ...problem };
  return { ok: true, value: badStrings === 0 ? value : rewrite(value), replaced: badStrings };
}

/** The first thing in `value` that PostgreSQL could not store (too deep, NUL, lone surrogate), or null. */
export function findUnstorableJson(value: unknown, root = 'value', maxDepth = MAX_JSON_DEPTH): TProblem | null {
  return scan(value, root, maxDepth, true).problem;
}

/** An open container while scanning text; an object's key is kept as its source text, decoded only for a message. */
type TTextFrame = { kind: 'array'; index: number } | { kind: 'object'; key: string; expectKey: boolean };

function decodeKey(source: string): string {
  try {
    return JSON.parse(source) as string;
  } catch (error) {
    // A malformed key: JSON.parse will refuse the whole text anyway; name it as written.
    if (error instanceof SyntaxError) return source.slice(1, -1);
    throw error;
  }
}

/**
 * The first container in JSON text that nests past `maxDepth`, found on the characters
 * (brackets outside strings) before anything is parsed, so a 10,000-level body is refused
 * without ever being built and nothing recursive sees it. Reports the path as
 * findUnstorableJson would (`body.payload[0][0]…`), or null. Malformed text is left for
 * JSON.parse to report.
 */
export function findTooDeepJsonText(text: string, root: string, maxDepth = MAX_JSON_DEPTH): TProblem | null {
  const frames: TTextFrame[] = [];
  let stringStart = -1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (stringStart >= 0) {
      if (char === '\\') index++;
      else if (char === '"') {
        const top = frames.at(-1);
        if (top?.kind === 'object' && top.expectKey) top.key = text.slice(stringStart, index + 1);
        stringStart = -1;
      }
      continue;
    }
    if (char === '"') stringStart = index;
    else if (char === '[' || char === '{') {
      if (frames.length + 1 > maxDepth) {
        const path = frames.reduce(
          (at, frame) => (frame.kind === 'array' ? `${at}[${frame.index}]` : keyPath(at, decodeKey(frame.key))),
          root,
        );
        return { path, message: `${shown(path)} is nested deeper than ${maxDepth} levels, which cannot be stored` };
      }
      frames.push(char === '[' ? { kind: 'array', index: 0 } : { kind: 'object', key: '""', expectKey: true });
    } else if (char === ']' || char === '}') frames.pop();
    else if (char === ',') {
      const top = frames.at(-1);
      if (top?.kind === 'array') top.index++;
      else if (top) top.expectKey = true;
    } else if (char === ':') {
      const top = frames.at(-1);
      if (top?.kind === 'object') top.expectKey = false;
    }
  }
  return null;
}

/**
 * Parses JSON text from outside into a value PostgreSQL can store, or throws: BAD_REQUEST
 * (400) for text that is not JSON, VALIDATION (422) naming the field for nesting past 64
 * levels (checked on the text first), a NUL character or a lone surrogate in a string or key.
 *
 * @example parseStorableJson('{"note":"a\\u0000b"}', 'body') // throws VALIDATION: body.note contains the NUL character…
 */
export function parseStorableJson(text: string, root: string): unknown {
  const tooDeep = findTooDeepJsonText(text, root);
  if (tooDeep) throw new AppError('VALIDATION', tooDeep.message, [tooDeep]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new AppError('BAD_REQUEST', `The body is not valid JSON: ${error.message}`);
  }
  assertStorableJson(value, root);
  return value;
}

/**
 * Refuses input that could not be stored with a VALIDATION error (422) naming the field, so
 * a request body with `\u0000` in it is told what is wrong instead of failing with a 500
 * when the database refuses it. Input is refused rather than rewritten: the sender can fix it.
 */
export function assertStorableJson(value: unknown, root: string): void {
  const problem = findUnstorableJson(value, root);
  if (problem) throw new AppError('VALIDATION', problem.message, [problem]);
}
