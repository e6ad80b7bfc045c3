import { afterEach, describe, expect, it } from 'vitest';
import { validateAgainstSchema } from '@/components/schema-form/validate-against-schema';

// Issue #15, item 3: pages run under a CSP without 'unsafe-eval', where `new Function` throws.
// Forms validate in the browser (run dialog, task answers, the designer's preview), so the
// validator must interpret the schema rather than compile it to code.
const original = globalThis.Function;
afterEach(() => {
  globalThis.Function = original;
});

function forbidEval(): void {
  globalThis.Function = function refused() {
    throw new EvalError(
      "Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source of script",
    );
  } as unknown as FunctionConstructor;
}

describe('validateAgainstSchema under a CSP without unsafe-eval', () => {
  it('still names every problem at its field', () => {
    forbidEval();
    const schema = {
      type: 'object',
      required: ['email', 'amount'],
      properties: {
        email: { type: 'string', format: 'email' },
        amount: { type: 'number', minimum: 1 },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 3 },
        kind: { anyOf: [{ const: 'a' }, { const: 'b' }] },
        note: { $ref: '#/$defs/note' },
      },
      $defs: { note: { type: 'string', maxLength: 3 } },
    } as const;
    expect(
      validateAgainstSchema(structuredClone(schema) as never, {
        email: 'nope',
        tags: ['x', 'x'],
        kind: 'c',
        note: 'toolong',
      }),
    ).toEqual({
      '/email': ['Must be an email address, like name@example.com.'],
      '/amount': ['Required: enter a value.'],
      '/tags': ['Items 1 and 2 are the same; each item must be different.'],
      '/kind': ['Must be "a".', 'Must be "b".'],
      '/note': ['Must be at most 3 characters.'],
    });
    expect(
      validateAgainstSchema(structuredClone(schema) as never, {
        email: 'a@example.com',
        amount: 2,
        tags: ['x'],
        kind: 'b',
        note: 'ok',
      }),
    ).toEqual({});
  });
});
