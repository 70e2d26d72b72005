/**
 * Where JSON text stops being valid. Node's JSON.parse does not always say (`Unexpected token 'H', "…" is not
 * valid JSON`), and a template author needs the line and column of the output that broke. Only used after
 * JSON.parse has failed, so it favours brevity over speed.
 */
const WS = /[ \t\n\r]*/y;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- raw control characters are what make a JSON string invalid
const STRING = /"(?:[^"\\\u0000-\u001F]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Stop {
  constructor(readonly offset: number) {}
}

/** The offset of the first character that makes `text` invalid JSON, or null if it is valid. */
export function jsonErrorOffset(text: string): number | null {
  let at = 0;
  const skip = () => {
    WS.lastIndex = at;
    WS.exec(text);
    at = WS.lastIndex;
  };
  const match = (pattern: RegExp) => {
    pattern.lastIndex = at;
    if (!pattern.exec(text)) throw new Stop(at);
    at = pattern.lastIndex;
  };
  const expect = (char: string) => {
    if (text[at] !== char) throw new Stop(at);
    at++;
  };
  const value = (depth: number): void => {
    if (depth > 512) throw new Stop(at);
    skip();
    const char = text[at];
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      at++;
      skip();
      if (text[at] === close) {
        at++;
        return;
      }
      for (;;) {
        if (char === '{') {
          skip();
          match(STRING);
          skip();
          expect(':');
        }
        value(depth + 1);
        skip();
        if (text[at] === ',') at++;
        else return expect(close);
      }
    }
    if (char === '"') return match(STRING);
    for (const word of ['true', 'false', 'null'])
      if (text.startsWith(word, at)) {
        at += word.length;
        return;
      }
    match(NUMBER);
  };
  try {
    value(0);
    skip();
    return at === text.length ? null : at;
  } catch (error) {
    if (error instanceof Stop) return error.offset;
    throw error;
  }
}
