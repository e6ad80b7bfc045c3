import { formatDocumentPath } from './document-path';

export type TDocumentChange = {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where `after` differs from `before`, by path (`steps[2].config.input.url`): a field added or
 * removed, or a value changed (compared as JSON). Objects and arrays are entered; a changed
 * order of object keys is not a change here (the canonical text tells that apart).
 */
export function diffDocuments(before: unknown, after: unknown, at: (string | number)[] = []): TDocumentChange[] {
  if (isObject(before) && isObject(after)) {
    const names = [...Object.keys(before), ...Object.keys(after).filter((name) => !(name in before))];
    return names.flatMap((name) => {
      if (!(name in after))
        return [{ path: formatDocumentPath([...at, name]), kind: 'removed' as const, before: before[name] }];
      if (!(name in before))
        return [{ path: formatDocumentPath([...at, name]), kind: 'added' as const, after: after[name] }];
      return diffDocuments(before[name], after[name], [...at, name]);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => {
      const path = formatDocumentPath([...at, index]);
      if (index >= after.length) return [{ path, kind: 'removed' as const, before: before[index] }];
      if (index >= before.length) return [{ path, kind: 'added' as const, after: after[index] }];
      return diffDocuments(before[index], after[index], [...at, index]);
    }).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: formatDocumentPath(at) || '(document)', kind: 'changed', before, after }];
}
