import { describe, expect, it } from 'vitest';
import { stepRowsJson } from '@/server/runtime/run-store/step-record-ctes';
import { capSnapshot } from '@/server/runtime/interpreter/redact-snapshot';

describe('step record rows of a commit, with their snapshots', () => {
  it('are byte for byte the JSON the objects make, for plain, odd and truncated snapshots, and rows without one', () => {
    const envelopes: unknown[] = [
      {
        payload: { i: 3 },
        vars: { n0: 3, text: 'quote " backslash \\ newline \n tab \t é 😀 \u0001' },
        env: {},
        meta: { stepId: 'a' },
        error: null,
      },
      {
        payload: null,
        vars: { list: [1, 2.5, -0, 1e21, [], {}], nested: { deep: { deeper: [null, true, false] } } },
        env: { x: 'y' },
        meta: {},
        error: { code: 'E', message: 'm' },
      },
      { vars: { big: 'x'.repeat(70 * 1024) } },
      { vars: { many: Array.from({ length: 5000 }, (_, i) => ({ i, s: 'abcdefghij' })) } },
    ];
    const rows = [...envelopes, null].map((_, index) => ({
      id: `0193${index}a1b-7c2d-7e3f-8a4b-5c6d7e8f9a0b`,
      path: index === 1 ? 'steps[1].config.then["we\\"ird"]' : `steps[${index}]`,
      output: { index },
    }));
    const capped = envelopes.map((envelope, index) => ({ stepRecordId: rows[index]!.id, ...capSnapshot(envelope) }));
    expect(capped.filter((d) => d.truncated)).toHaveLength(2);
    const drafts = new Map(
      capped.map(({ stepRecordId, json, truncated, sizeBytes }) => [
        stepRecordId,
        { stepRecordId, json, truncated, sizeBytes },
      ]),
    );
    const asObjects = JSON.stringify(
      rows.map((row, index) => {
        const snapshot = capped[index];
        if (!snapshot) return row;
        return {
          ...row,
          snapshot: snapshot.snapshot,
          snapshot_truncated: snapshot.truncated,
          snapshot_size_bytes: snapshot.sizeBytes,
        };
      }),
    );
    expect(stepRowsJson(rows, drafts)).toBe(asObjects);
    expect(stepRowsJson([], drafts)).toBe('[]');
  });

  it('measures a snapshot on the text it stores', () => {
    const capped = capSnapshot({ vars: { word: 'é' } });
    expect(capped.json).toBe('{"vars":{"word":"é"}}');
    expect(capped.sizeBytes).toBe(Buffer.byteLength(capped.json));
    expect(JSON.parse(capped.json)).toEqual(capped.snapshot);
  });
});
