import type { TExpressionOutcome } from './expression-failure';
import type { TExpressionLimits } from './expression-limits';

class NotPlainJson extends Error {}
class TooLarge extends Error {}
class TooDeep extends Error {}

function isJsonataFunction(value: object): boolean {
  return (
    ('_jsonata_function' in value && value._jsonata_function === true) ||
    ('_jsonata_lambda' in value && value._jsonata_lambda === true)
  );
}

/**
 * Copies an evaluation result into fresh plain JSON, so nothing jsonata-specific (sequence
 * flags, lambdas, regex matchers) or shared with the envelope leaves the evaluator.
 * `undefined` at the top means "no result" and stays undefined; inside arrays it becomes
 * null and in objects the key is dropped (what JSON.stringify does). Functions, NaN,
 * Infinity, cycles and non-plain objects are errors rather than silently changed. The UTF-8
 * size is counted while copying, so a huge result is refused before it is all walked.
 */
export function toPlainJson(input: { value: unknown; limits: TExpressionLimits }): TExpressionOutcome {
  const { value, limits } = input;
  let bytes = 0;
  const ancestors = new Set<object>();
  const count = (n: number) => {
    bytes += n;
    if (bytes > limits.maxOutputBytes) throw new TooLarge();
  };
  const copy = (v: unknown, depth: number): unknown => {
    if (depth > limits.maxDepth) throw new TooDeep();
    if (v === null) {
      count(4);
      return null;
    }
    switch (typeof v) {
      case 'string':
        count(Buffer.byteLength(JSON.stringify(v)));
        return v;
      case 'boolean':
        count(5);
        return v;
      case 'number':
        if (!Number.isFinite(v)) throw new NotPlainJson(`${v} is not a JSON number`);
        count(String(v).length);
        return v;
      case 'undefined':
        count(4);
        return null;
      case 'object':
        return copyObject(v, depth);
      default:
        throw new NotPlainJson(`a ${typeof v} value cannot be returned`);
    }
  };
  const copyObject = (v: object, depth: number): unknown => {
    if (isJsonataFunction(v)) throw new NotPlainJson('a function value cannot be returned');
    if (ancestors.has(v)) throw new NotPlainJson('the value is cyclic');
    ancestors.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      count(2);
      out = v.map((item: unknown) => {
        count(1);
        return copy(item, depth + 1);
      });
    } else {
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new NotPlainJson('only plain objects can be returned');
      const obj: Record<string, unknown> = {};
      count(2);
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue;
        count(Buffer.byteLength(JSON.stringify(key)) + 2);
        // defineProperty, not assignment: a key named "__proto__" stays an own data property
        // instead of replacing the copy's prototype.
        Object.defineProperty(obj, key, {
          value: copy(item, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      out = obj;
    }
    ancestors.delete(v);
    return out;
  };
  try {
    return { ok: true, value: value === undefined ? undefined : copy(value, 0) };
  } catch (error) {
    if (error instanceof TooLarge) return { ok: false, failure: { kind: 'limit', limit: 'maxOutputBytes' } };
    if (error instanceof TooDeep) return { ok: false, failure: { kind: 'limit', limit: 'maxDepth' } };
    if (error instanceof NotPlainJson) return { ok: false, failure: { kind: 'result', message: error.message } };
    throw error;
  }
}
