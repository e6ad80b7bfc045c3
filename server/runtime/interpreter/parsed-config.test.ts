import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TStep } from '@/model/definition/step';
import { parsedConfigOf } from '@/server/runtime/interpreter/run-interpreter';

describe('parsedConfigOf', () => {
  const step = (config: unknown) => ({ id: 's', type: 'transform.assign', config }) as unknown as TStep;

  it('parses a step object once and hands every later pass the same frozen value', () => {
    let parses = 0;
    const schema = z.object({ n: z.number() }).transform((value) => {
      parses += 1;
      return value;
    });
    const one = step({ n: 1 });
    const first = parsedConfigOf(one, schema);
    const second = parsedConfigOf(one, schema);
    expect(first.success && first.data).toEqual({ n: 1 });
    expect(second).toBe(first);
    expect(parses).toBe(1);
    expect(Object.isFrozen(first.success && first.data)).toBe(true);
    // Another step object (a test run's document, parsed per pass) is parsed on its own.
    expect(parsedConfigOf(step({ n: 2 }), schema)).toMatchObject({ success: true, data: { n: 2 } });
    expect(parses).toBe(2);
  });

  it('keeps a refusal too, with its issues', () => {
    const refused = parsedConfigOf(step({ n: 'x' }), z.object({ n: z.number() }));
    expect(refused.success).toBe(false);
    expect(!refused.success && refused.error.issues[0]?.path).toEqual(['n']);
  });
});
