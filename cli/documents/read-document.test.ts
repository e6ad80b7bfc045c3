import { describe, expect, it } from 'vitest';
import { DocumentFileError, parseSourceDocument } from './read-document';

const YAML = `key: invoice
name: Invoice
steps:
  - id: fetch
    type: action.call
    config:
      action: http.request
      input:
        url: not a url
  - id: done
    type: control.return
`;

function errorOf(run: () => unknown): DocumentFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof DocumentFileError) return error;
    throw error;
  }
  throw new Error('expected a DocumentFileError');
}

describe('reading a version document with lines', () => {
  it('finds the line of a problem path in YAML, and of its nearest existing parent', () => {
    const source = parseSourceDocument('flows/invoice.yaml', YAML);
    expect(source.value).toMatchObject({ key: 'invoice', steps: [{ id: 'fetch' }, { id: 'done' }] });
    expect(source.locate('steps[0].config.input.url')).toEqual({ line: 9, column: 9 });
    expect(source.locate('steps[1].config.output')).toEqual({ line: 10, column: 5 });
    expect(source.locate('body.steps[1]')).toEqual({ line: 10, column: 5 });
    expect(source.locate('')).toEqual({ line: 1, column: 1 });
  });

  it('finds a key with dots in it, which the problem path splits', () => {
    const text =
      'key: k\nsteps:\n  - id: calc\n    config:\n      assign:\n        vars.x:\n          $expr: "1 + * 2"\n';
    expect(parseSourceDocument('k.yaml', text).locate('steps[0].config.assign.vars.x.$expr')).toEqual({
      line: 7,
      column: 11,
    });
  });

  it('finds lines in JSON the same way', () => {
    const json = JSON.stringify({ key: 'k', name: 'K', steps: [{ id: 'a', type: 'x', config: { v: 1 } }] }, null, 2);
    expect(parseSourceDocument('k.json', json).locate('steps[0].config.v')).toEqual({ line: 9, column: 9 });
  });

  it('names the line of a syntax error, a duplicate key, and refuses a document that is not a mapping', () => {
    const json = errorOf(() => parseSourceDocument('bad.json', '{\n  "key": "k",\n  "name": }\n'));
    expect(json.message).toMatch(/^not valid JSON/);
    expect(json.position?.line).toBe(3);
    const duplicate = errorOf(() => parseSourceDocument('dup.yaml', 'key: a\nname: A\nkey: b\n'));
    expect(duplicate.message).toMatch(/not valid YAML: .*unique/i);
    expect(duplicate.position?.line).toBe(3);
    expect(errorOf(() => parseSourceDocument('list.yaml', '- a\n- b\n')).message).toMatch(/is an object/);
    expect(errorOf(() => parseSourceDocument('notes.txt', 'key: a')).message).toMatch(
      /not a \.json, \.yaml or \.yml file/,
    );
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
      'key: k',
    ];
    expect(() => parseSourceDocument('bomb.yaml', bomb.join('\n'))).toThrow(/alias/i);
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid and points at the first mistake', async () => {
    const { jsonErrorOffset } = await import('./json-error-offset');
    for (const good of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\"y"]} ', '"s"', '0'])
      expect(jsonErrorOffset(good), good).toBe(-1);
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('[1 2]')).toBe(3);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('{"a": "open')).toBe(11);
    expect(jsonErrorOffset("{'a': 1}")).toBe(1);
  });
});
