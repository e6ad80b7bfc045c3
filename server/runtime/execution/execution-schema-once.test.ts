import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZExecution, ZPipeCursor, builtOnce } from '@/server/runtime/execution/execution-state';

describe('the recursive execution schemas', () => {
  it('are built once, not on every parse (zod 3 calls a lazy getter on every parse)', () => {
    const cursor = ZPipeCursor as unknown as z.ZodLazy<z.ZodObject<{ block: z.ZodOptional<z.ZodLazy<z.ZodTypeAny>> }>>;
    expect(cursor.schema).toBe(cursor.schema);
    const block = cursor.schema.shape.block.unwrap();
    expect(block.schema).toBe(block.schema);
  });

  it('still parse a nested block state and refuse a bad one', () => {
    const cursor = {
      index: 0,
      block: { kind: 'branch', startedAt: '2026-12-07T00:00:00.000Z', pipe: 'then', cursor: { index: 2 } },
    };
    expect(ZPipeCursor.parse(cursor)).toEqual(cursor);
    expect(ZPipeCursor.safeParse({ index: 0, block: { ...cursor.block, cursor: { index: -1 } } }).success).toBe(false);
    expect(ZExecution).toBeDefined();
  });

  it('builtOnce calls its builder once', () => {
    let calls = 0;
    const get = builtOnce(() => ({ n: ++calls }));
    expect(get()).toBe(get());
    expect(calls).toBe(1);
  });
});
