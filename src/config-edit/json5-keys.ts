/**
 * Where each key of a JSON5 document is (line and column), for hazards that point at the line the user
 * wrote: a small tokenizer (punctuation, strings, bare words; comments skipped) and a walk over it.
 * Best effort on malformed text. Pure.
 */

export interface KeyPos {
  line: number;
  column: number;
}

type Tok = { t: 'p' | 's' | 'w'; v: string; line: number; column: number };

/** Tokens of JSON5 text (punctuation, strings, bare words), comments skipped, with 1-based line/column. */
function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let line = 1;
  let col = 1;
  let i = 0;
  const adv = (n = 1) => {
    for (let k = 0; k < n && i < text.length; k++, i++) {
      const ch = text[i];
      if (ch === '\n' || ch === '\u2028' || ch === '\u2029' || (ch === '\r' && text[i + 1] !== '\n')) {
        line++;
        col = 1;
      } else col++;
    }
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') adv();
    } else if (ch === '/' && text[i + 1] === '*') {
      adv(2);
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) adv();
      adv(2);
    } else if ('{}[],:'.includes(ch)) {
      out.push({ t: 'p', v: ch, line, column: col });
      adv();
    } else if (ch === '"' || ch === "'") {
      const at = { line, column: col };
      adv();
      let v = '';
      while (i < text.length && text[i] !== ch) {
        if (text[i] === '\\') {
          adv();
          const e = text[i];
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'u' ? String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16)) : e === '\n' || e === '\r' ? '' : (e ?? '');
          if (e === 'u') adv(4);
          adv();
        } else {
          v += text[i];
          adv();
        }
      }
      adv();
      out.push({ t: 's', v, ...at });
    } else if (/\s|\uFEFF/.test(ch)) {
      adv();
    } else {
      const at = { line, column: col };
      let v = '';
      while (i < text.length && !/[\s{}[\],:"'\uFEFF]/.test(text[i]!) && !(text[i] === '/' && (text[i + 1] === '/' || text[i + 1] === '*'))) {
        v += text[i];
        adv();
      }
      out.push({ t: 'w', v, ...at });
    }
  }
  return out;
}

/**
 * Where each key of a JSON5 document is: dotted path (array items by index) → line/column of the key.
 * The last occurrence wins, like JSON5.parse. Best effort on malformed text (what was read so far).
 */
export function keyPositions(text: string): Map<string, KeyPos> {
  const toks = tokenize(text);
  const pos = new Map<string, KeyPos>();
  let i = 0;
  const value = (path: string[]): void => {
    const tk = toks[i];
    if (!tk) return;
    if (tk.t === 'p' && tk.v === '{') {
      i++;
      while (i < toks.length && !(toks[i]!.t === 'p' && toks[i]!.v === '}')) {
        const k = toks[i]!;
        if (k.t === 'p') {
          i++; // stray comma
          continue;
        }
        i++;
        if (toks[i]?.t === 'p' && toks[i]!.v === ':') i++;
        const p = [...path, k.v];
        pos.set(p.join('.'), { line: k.line, column: k.column });
        value(p);
        if (toks[i]?.t === 'p' && toks[i]!.v === ',') i++;
      }
      i++;
    } else if (tk.t === 'p' && tk.v === '[') {
      i++;
      let n = 0;
      while (i < toks.length && !(toks[i]!.t === 'p' && toks[i]!.v === ']')) {
        if (toks[i]!.t === 'p' && toks[i]!.v === ',') {
          i++;
          continue;
        }
        const p = [...path, String(n++)];
        pos.set(p.join('.'), { line: toks[i]!.line, column: toks[i]!.column });
        value(p);
      }
      i++;
    } else {
      i++;
    }
  };
  try {
    value([]);
  } catch {
    /* partial map */
  }
  return pos;
}
