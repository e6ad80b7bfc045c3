import jsonata from 'jsonata';
import { ExpressionAbort } from './expression-abort';
import type { TExpressionLimits } from './expression-limits';

type TJsonataFunction = { implementation: (...args: unknown[]) => unknown };
type TGuardedBuiltin = {
  name: string;
  signature: string;
  implementation: (this: jsonata.Focus, ...args: unknown[]) => unknown;
};

function isJsonataFunction(value: unknown): value is TJsonataFunction {
  return (
    typeof value === 'object' &&
    value !== null &&
    'implementation' in value &&
    typeof value.implementation === 'function'
  );
}

let originals: Promise<{ pad: TJsonataFunction; join: TJsonataFunction }> | null = null;

/** jsonata does not export its built-ins; evaluating `$pad` once hands us the originals to delegate to. */
function loadOriginals(): Promise<{ pad: TJsonataFunction; join: TJsonataFunction }> {
  originals ??= jsonata('{ "pad": $pad, "join": $join }')
    .evaluate(null)
    .then((found: unknown) => {
      if (typeof found !== 'object' || found === null || !('pad' in found) || !('join' in found))
        throw new Error('jsonata did not expose $pad/$join');
      const { pad, join } = found;
      if (!isJsonataFunction(pad) || !isJsonataFunction(join)) throw new Error('jsonata $pad/$join are not functions');
      return { pad, join };
    });
  return originals;
}

/**
 * Built-ins that could allocate without bound from a small input are replaced by versions
 * that check the size first: `$pad("x", 2e8)` or `$join` over a huge array would allocate in
 * native code before any exit check sees the result. `$eval` is refused outright: it would
 * evaluate data (e.g. `$eval(payload.text)`) as an expression, which SPEC §4.2 forbids.
 */
export async function guardedBuiltins(input: { limits: TExpressionLimits }): Promise<TGuardedBuiltin[]> {
  const { limits } = input;
  const { pad, join } = await loadOriginals();
  const tooLong = () => new ExpressionAbort({ kind: 'limit', limit: 'maxStringLength' });
  return [
    {
      name: 'pad',
      signature: '<s-ns?:s>',
      implementation(str, width, char) {
        if (typeof width === 'number' && Math.abs(width) > limits.maxStringLength) throw tooLong();
        return pad.implementation.call(this, str, width, char);
      },
    },
    {
      name: 'join',
      signature: '<a<s>s?:s>',
      implementation(strs, separator) {
        if (Array.isArray(strs)) {
          const sepLength = typeof separator === 'string' ? separator.length : 0;
          let total = 0;
          for (const s of strs) {
            total += (typeof s === 'string' ? s.length : 0) + sepLength;
            if (total > limits.maxStringLength + sepLength) throw tooLong();
          }
        }
        return join.implementation.call(this, strs, separator);
      },
    },
    {
      name: 'eval',
      signature: '<sx?:x>',
      implementation() {
        throw new ExpressionAbort({
          kind: 'forbidden',
          message: '$eval is disabled: data is never evaluated as an expression',
        });
      },
    },
  ];
}
