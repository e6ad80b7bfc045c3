import { describe, expect, it } from 'vitest';
import { snapshotRowsJson } from '@/server/runtime/run-store/snapshot-rows';
import { capSnapshot } from '@/server/runtime/interpreter/redact-snapshot';

/** The rows as the commit wrote them before snapshots were kept as text: JSON.stringify of the objects. */
function rowsAsObjects(
  snapshots: Array<{ stepRecordId: string; path: string; snapshot: unknown; truncated: boolean; sizeBytes: number }>,
) {
  return JSON.stringify(
    snapshots.map((s) => ({
      step_record_id: s.stepRecordId,
      path: s.path,
      snapshot: s.snapshot,
      truncated: s.truncated,
      size_bytes: s.sizeBytes,
    })),
  );
}

describe('snapshot rows of a commit', () => {
  it('are byte for byte the JSON the objects made, for plain, odd and truncated snapshots', () => {
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
    const drafts = envelopes.map((envelope, index) => {
      const capped = capSnapshot(envelope);
      return {
        stepRecordId: `0193${index}a1b-7c2d-7e3f-8a4b-5c6d7e8f9a0b`,
        path: index === 1 ? 'steps[1].config.then["we\\"ird"]' : `steps[${index}]`,
        ...capped,
      };
    });
    expect(drafts.filter((d) => d.truncated)).toHaveLength(2);
    expect(snapshotRowsJson(drafts)).toBe(rowsAsObjects(drafts));
    expect(snapshotRowsJson([])).toBe('[]');
  });

  it('measures a snapshot on the text it stores', () => {
    const capped = capSnapshot({ vars: { word: 'é' } });
    expect(capped.json).toBe('{"vars":{"word":"é"}}');
    expect(capped.sizeBytes).toBe(Buffer.byteLength(capped.json));
    expect(JSON.parse(capped.json)).toEqual(capped.snapshot);
  });
});
