import { describe, expect, it } from 'vitest';
import { parseDocumentPath } from './document-path';
import { diffDocuments } from './diff-documents';

describe('diffDocuments', () => {
  it('names each change by path', () => {
    const before = { name: 'A', steps: [{ id: 'a', config: { url: 'x' } }, { id: 'b' }], env: { vars: { A: '1' } } };
    const after = { name: 'A', steps: [{ id: 'a', config: { url: 'y' } }], env: { vars: { B: '2' } }, output: 1 };
    expect(diffDocuments(before, after)).toEqual([
      { path: 'steps[0].config.url', kind: 'changed', before: 'x', after: 'y' },
      { path: 'steps[1]', kind: 'removed', before: { id: 'b' } },
      { path: 'env.vars.A', kind: 'removed', before: '1' },
      { path: 'env.vars.B', kind: 'added', after: '2' },
      { path: 'output', kind: 'added', after: 1 },
    ]);
    expect(diffDocuments({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
    expect(diffDocuments(1, '1')).toEqual([{ path: '(document)', kind: 'changed', before: 1, after: '1' }]);
  });
});

describe('parseDocumentPath', () => {
  it('reads the API paths, prefixes dropped', () => {
    expect(parseDocumentPath('steps[2].config.then[0].id')).toEqual(['steps', 2, 'config', 'then', 0, 'id']);
    expect(parseDocumentPath('body.steps[0]')).toEqual(['steps', 0]);
    expect(parseDocumentPath('body')).toEqual([]);
    expect(parseDocumentPath('')).toEqual([]);
  });
});
