import { describe, expect, it } from 'vitest';
import { createTurnBatchedWriter } from '@/server/logging/turn-batched-writer';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createTurnBatchedWriter', () => {
  it('writes the lines of one turn as one text, in order, when the turn ends', async () => {
    const writes: string[] = [];
    const writer = createTurnBatchedWriter((text) => writes.push(text));
    writer.writeLine('a\n');
    writer.writeLine('b\n');
    writer.writeLine('c\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n']);
  });

  it('lines of later turns are later writes', async () => {
    const writes: string[] = [];
    const writer = createTurnBatchedWriter((text) => writes.push(text));
    writer.writeLine('one\n');
    await nextTurn();
    writer.writeLine('two\n');
    await nextTurn();
    expect(writes).toEqual(['one\n', 'two\n']);
  });

  it('flush writes what is pending at once, and nothing twice', async () => {
    const writes: string[] = [];
    const writer = createTurnBatchedWriter((text) => writes.push(text));
    writer.writeLine('last words\n');
    writer.flush();
    expect(writes).toEqual(['last words\n']);
    await nextTurn();
    writer.flush();
    expect(writes).toEqual(['last words\n']);
  });
});
