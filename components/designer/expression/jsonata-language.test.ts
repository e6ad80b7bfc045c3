import { StringStream } from '@codemirror/language';
import { describe, expect, it } from 'vitest';
import { jsonataToken, templateToken, type TJsonataState } from '@/components/designer/expression/jsonata-language';
import { jsonDiagnostics, jsonataDiagnostics, templateDiagnostics } from '@/model/designer/code-diagnostics';

/** Runs a tokenizer over one or more lines and returns [text, tag] pairs, whitespace left out. */
function tokens(source: string, token = jsonataToken): Array<[string, string | null]> {
  const state: TJsonataState = { comment: false, template: false, inExpression: false };
  const out: Array<[string, string | null]> = [];
  for (const line of source.split('\n')) {
    const stream = new StringStream(line, 2, 2);
    while (!stream.eol()) {
      const style = token(stream, state);
      const text = stream.current();
      if (text.trim() !== '') out.push([text, style]);
      stream.start = stream.pos;
    }
  }
  return out;
}

describe('jsonataToken', () => {
  it('tags roots, names, functions, strings, numbers, operators and brackets', () => {
    expect(tokens('$sum(vars.lines.price) > 1000 and payload.name = "a\\"b"')).toEqual([
      ['$sum', 'function(variableName)'],
      ['(', 'bracket'],
      ['vars', 'special(variableName)'],
      ['.', 'punctuation'],
      ['lines', 'propertyName'],
      ['.', 'punctuation'],
      ['price', 'propertyName'],
      [')', 'bracket'],
      ['>', 'operator'],
      ['1000', 'number'],
      ['and', 'keyword'],
      ['payload', 'special(variableName)'],
      ['.', 'punctuation'],
      ['name', 'propertyName'],
      ['=', 'operator'],
      ['"a\\"b"', 'string'],
    ]);
  });

  it('keeps a block comment across lines and reads backtick names, variables and atoms', () => {
    expect(tokens('/* a\nb */ payload.`odd name` ? $item : null')).toEqual([
      ['/* a', 'comment'],
      ['b */', 'comment'],
      ['payload', 'special(variableName)'],
      ['.', 'punctuation'],
      ['`odd name`', 'propertyName'],
      ['?', 'operator'],
      ['$item', 'variableName'],
      [':', 'operator'],
      ['null', 'atom'],
    ]);
  });
});

describe('templateToken', () => {
  it('tags text as string and each {{ }} as JSONata, leaving \\{{ as text', () => {
    expect(tokens('Dear {{ payload.name }} \\{{x', templateToken)).toEqual([
      ['Dear ', 'string'],
      ['{{', 'meta'],
      ['payload', 'special(variableName)'],
      ['.', 'punctuation'],
      ['name', 'propertyName'],
      ['}}', 'meta'],
      ['\\{{', 'string'],
      ['x', 'string'],
    ]);
  });
});

describe('code diagnostics', () => {
  it('puts a JSONata parse error at the token jsonata stopped at', () => {
    expect(jsonataDiagnostics('payload.amount > ')).toEqual([
      { from: 16, to: 17, message: expect.stringMatching(/end of expression/) },
    ]);
    expect(jsonataDiagnostics('(vars.a')).toEqual([{ from: 6, to: 7, message: expect.stringContaining(')') }]);
    expect(jsonataDiagnostics('vars.a + 1')).toEqual([]);
  });

  it('offsets a template part’s error into the template and reports an unclosed {{', () => {
    const [problem] = templateDiagnostics('Hi {{ vars.( }}');
    expect(problem?.from).toBeGreaterThanOrEqual(5);
    expect(problem?.to).toBeLessThanOrEqual(13);
    expect(templateDiagnostics('Hi {{ vars.a }} and {{ oops')).toEqual([
      { from: 20, to: 27, message: '"{{" is not closed with "}}"' },
    ]);
    expect(templateDiagnostics('Hi {{ vars.a }}')).toEqual([]);
  });

  it('locates a JSON syntax error', () => {
    const [problem] = jsonDiagnostics('{\n  "a": 1,\n  "b": }');
    expect(problem?.from).toBe(19);
    expect(jsonDiagnostics('{"a": 1}')).toEqual([]);
  });
});
