import { StreamLanguage, type StringStream } from '@codemirror/language';

/** Tokenizer state: inside a block comment; for templates, whether the cursor is inside `{{ }}`. */
export type TJsonataState = { comment: boolean; template: boolean; inExpression: boolean };

const KEYWORDS = new Set(['and', 'or', 'in', 'function']);
const ATOMS = new Set(['true', 'false', 'null']);
const ROOTS = new Set(['payload', 'vars', 'env', 'meta', 'error']);

/**
 * One JSONata token (StreamLanguage style: consume it, return its highlight tag name). There is
 * no maintained JSONata mode for CodeMirror 6, and JSONata's lexer is small: comments, strings,
 * backtick names, numbers, `$variables`, keywords, operators, brackets and names.
 */
export function jsonataToken(stream: StringStream, state: TJsonataState): string | null {
  if (state.comment) {
    if (stream.skipTo('*/')) {
      stream.pos += 2;
      state.comment = false;
    } else stream.skipToEnd();
    return 'comment';
  }
  if (stream.eatSpace()) return null;
  if (stream.match('/*')) {
    state.comment = true;
    return jsonataToken(stream, state) ?? 'comment';
  }
  const next = stream.peek();
  if (next === '"' || next === "'") {
    stream.next();
    let escaped = false;
    for (let char = stream.next(); char !== undefined; char = stream.next()) {
      if (char === next && !escaped) break;
      escaped = !escaped && char === '\\';
    }
    return 'string';
  }
  if (next === '`') {
    stream.next();
    if (stream.skipTo('`')) stream.next();
    else stream.skipToEnd();
    return 'propertyName';
  }
  if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return 'number';
  if (stream.match(/^\$\$?[A-Za-z0-9_]*/)) {
    return stream.peek() === '(' ? 'function(variableName)' : 'variableName';
  }
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
  if (word && typeof word === 'object') {
    const name = word[0];
    if (KEYWORDS.has(name)) return 'keyword';
    if (ATOMS.has(name)) return 'atom';
    // `payload.` / `vars.` at the start of a path: the envelope's roots stand out.
    if (ROOTS.has(name)) return 'special(variableName)';
    return 'propertyName';
  }
  if (stream.match(/^(:=|!=|<=|>=|~>|\?\?|\?:|\.\.|[-+*/%&=<>!?:^#@|~])/)) return 'operator';
  if (stream.match(/^[()[\]{}]/)) return 'bracket';
  if (stream.match(/^[,;.]/)) return 'punctuation';
  stream.next();
  return 'invalid';
}

/** A `$template`: text, with each `{{ }}` tokenized as JSONata. */
export function templateToken(stream: StringStream, state: TJsonataState): string | null {
  if (!state.inExpression) {
    if (stream.match('\\{{')) return 'string';
    if (stream.match('{{')) {
      state.inExpression = true;
      return 'meta';
    }
    while (!stream.eol() && !stream.match('{{', false) && !stream.match('\\{{', false)) stream.next();
    return 'string';
  }
  if (stream.match('}}')) {
    state.inExpression = false;
    return 'meta';
  }
  return jsonataToken(stream, state);
}

const startState = (): TJsonataState => ({ comment: false, template: false, inExpression: false });
const copyState = (state: TJsonataState): TJsonataState => ({ ...state });

export const jsonataLanguage = StreamLanguage.define<TJsonataState>({
  name: 'jsonata',
  startState,
  copyState,
  token: jsonataToken,
  languageData: {
    closeBrackets: { brackets: ['(', '[', '{', '"', "'"] },
    commentTokens: { block: { open: '/*', close: '*/' } },
  },
});

export const templateLanguage = StreamLanguage.define<TJsonataState>({
  name: 'jsonata-template',
  startState,
  copyState,
  token: templateToken,
});
