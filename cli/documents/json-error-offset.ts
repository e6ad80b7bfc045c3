const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Where JSON text stops being JSON (an offset), or -1 when it is valid. Node's JSON.parse names
 * the offset for some mistakes only ("Unexpected token '}'" has none); a file's line needs it.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const expect = (char: string) => {
    space();
    if (text[i] !== char) throw i;
    i += 1;
  };
  const string = () => {
    i += 1;
    while (i < text.length) {
      const char = text[i]!;
      if (char === '"') {
        i += 1;
        return;
      }
      if (char < ' ') throw i;
      i += char === '\\' ? 2 : 1;
    }
    throw i;
  };
  const value = (): void => {
    space();
    const char = text[i];
    if (char === '"') return string();
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      i += 1;
      space();
      if (text[i] === close) {
        i += 1;
        return;
      }
      for (;;) {
        if (close === '}') {
          space();
          if (text[i] !== '"') throw i;
          string();
          expect(':');
        }
        value();
        space();
        if (text[i] === ',') i += 1;
        else return expect(close);
      }
    }
    LITERAL.lastIndex = i;
    const match = LITERAL.exec(text);
    if (!match) throw i;
    i += match[0].length;
  };
  try {
    value();
    space();
    return i < text.length ? i : -1;
  } catch (thrown) {
    if (typeof thrown === 'number') return thrown;
    if (thrown instanceof RangeError) return -1; // nested too deep to follow: no line, the message still says what
    throw thrown;
  }
}
