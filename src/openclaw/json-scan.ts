/**
 * A JSON scanner that builds no values. `scanMembers`: where the top-level members of an object are in
 * the text, so a 20 MB pending.json is patched by cutting members out of it (every other byte stays as
 * OpenClaw wrote it) and its change is shown record by record, without a second 20 MB tree.
 * `firstJsonError`: where a file stops being JSON, from here rather than from V8's message, which
 * quotes the text near the error (a token). Iterative (a deeply nested file cannot overflow the
 * stack); the validating scan accepts exactly what JSON.parse accepts after a leading BOM.
 */

export interface JsonMember {
  /** The member's key, unescaped. */
  key: string;
  /** Offset of the key's opening quote. */
  keyStart: number;
  /** The value's span [start, end) in the text. */
  start: number;
  end: number;
}

/**
 * The top-level members of an object text without an object per member (40 000 small objects that
 * live as long as the text make V8 double its young generation): member i's key is keys[i], its key's
 * opening quote is at spans[3i] and its value spans [spans[3i+1], spans[3i+2]).
 */
export interface MemberTable {
  readonly keys: readonly string[];
  readonly spans: Int32Array;
}

/** The table of an object with no members. */
export const NO_MEMBERS: MemberTable = { keys: [], spans: new Int32Array(0) };

/** The text of member i's value. */
export function memberValueText(text: string, { spans }: MemberTable, i: number): string {
  return text.slice(spans[3 * i + 1], spans[3 * i + 2]);
}

export class JsonScanError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'SyntaxError';
  }
}

/** The rest of a well-formed string after its opening quote, closing quote included. */
const STRING_REST = /(?:[^"\\\x00-\x1f]+|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const HEX = /^[0-9a-fA-F]{4}$/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A run of characters that cannot open or close a value inside a container. */
const PLAIN = /[^"{}[\]]*/y;

/** A key's string: sliced as is when it has no escapes (almost always), else unescaped by JSON.parse. */
function keyOf(t: string, start: number, end: number): string {
  const raw = t.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(t.slice(start, end)) as string) : raw;
}

class Scanner {
  i: number;
  constructor(readonly t: string) {
    this.i = t.charCodeAt(0) === 0xfeff ? 1 : 0;
  }
  fail(what: string): never {
    throw new JsonScanError(this.i >= this.t.length ? 'Unexpected end of JSON input' : what, this.i);
  }
  ws(): void {
    const t = this.t;
    let i = this.i;
    for (let c = t.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = t.charCodeAt(++i));
    this.i = i;
  }
  expect(ch: string, what: string): void {
    if (this.t[this.i] !== ch) this.fail(what);
    this.i++;
  }
  string(): void {
    const t = this.t;
    this.i++; // opening quote
    STRING_REST.lastIndex = this.i;
    if (STRING_REST.test(t)) {
      this.i = STRING_REST.lastIndex;
      return;
    }
    // not a well-formed string: find where it goes wrong, character by character
    for (;;) {
      if (this.i >= t.length) this.fail('Unterminated string');
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return;
      }
      if (c < 0x20) this.fail('Bad control character in string literal');
      if (c === 0x5c) {
        const e = t[this.i + 1];
        if (e === 'u') {
          if (!HEX.test(t.slice(this.i + 2, this.i + 6))) this.fail('Bad Unicode escape');
          this.i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
        else this.fail('Bad escaped character');
        continue;
      }
      this.i++;
    }
  }
  scalar(): void {
    const t = this.t;
    for (const lit of ['true', 'false', 'null']) {
      if (t.startsWith(lit, this.i)) {
        this.i += lit.length;
        return;
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(t);
    if (!m || !m[0] || m[0] === '-') this.fail('Unexpected token');
    this.i += m[0].length;
  }
  /** The member being read in the top-level object, until its value ends. */
  private member: Omit<JsonMember, 'end'> | undefined;

  /** One value (any depth) from here; `onMember` sees the members of the top-level object when the value is one. */
  value(onMember?: (m: JsonMember) => void): void {
    const stack: ('{' | '[')[] = [];
    for (;;) {
      this.ws();
      const c = this.t[this.i];
      if (c === '{' || c === '[') {
        this.i++;
        this.ws();
        if (this.t[this.i] !== (c === '{' ? '}' : ']')) {
          stack.push(c);
          if (c === '{') this.memberKey(stack.length === 1 ? onMember : undefined);
          continue;
        }
        this.i++; // an empty container is a complete value
      } else if (c === '"') this.string();
      else this.scalar();
      if (this.afterValue(stack, onMember)) return;
    }
  }

  /** After a complete value: close the containers it completes; true when the outermost one is done. */
  private afterValue(stack: ('{' | '[')[], onMember?: (m: JsonMember) => void): boolean {
    for (;;) {
      const open = stack[stack.length - 1];
      if (!open) return true;
      if (open === '{' && stack.length === 1 && this.member) {
        onMember?.({ ...this.member, end: this.i });
        this.member = undefined;
      }
      this.ws();
      if (this.t[this.i] === ',') {
        this.i++;
        if (open === '{') this.memberKey(stack.length === 1 ? onMember : undefined);
        return false;
      }
      this.expect(open === '{' ? '}' : ']', open === '{' ? "Expected ',' or '}' after property value" : "Expected ',' or ']' after array element");
      stack.pop();
    }
  }

  /** A member's key and colon; the top-level object's members are remembered until their value ends. */
  private memberKey(onMember?: (m: JsonMember) => void): void {
    this.ws();
    if (this.t[this.i] !== '"') this.fail('Expected double-quoted property name');
    const keyStart = this.i;
    this.string();
    const keyEnd = this.i;
    this.ws();
    this.expect(':', "Expected ':' after property name");
    this.ws();
    if (onMember) this.member = { key: keyOf(this.t, keyStart, keyEnd), keyStart, start: this.i };
  }

  /** Skips one value without checking its insides (the text is already known to be JSON). */
  skip(): void {
    const t = this.t;
    const c = t[this.i];
    if (c === '"') return this.string();
    if (c !== '{' && c !== '[') return this.scalar();
    for (let depth = 0; ; ) {
      PLAIN.lastIndex = this.i;
      PLAIN.test(t);
      this.i = PLAIN.lastIndex;
      const ch = t[this.i];
      if (ch === undefined) this.fail('Unexpected end of JSON input');
      if (ch === '"') {
        this.string();
        continue;
      }
      this.i++;
      if (ch === '{' || ch === '[') depth++;
      else if (--depth === 0) return;
    }
  }

  /** The top-level object's members, each value skipped (fast; the insides are not validated). */
  members(): JsonMember[] {
    const out: JsonMember[] = [];
    this.eachMember((m) => out.push({ ...m, end: this.i }));
    return out;
  }

  /** members(), as a table (no object per member). */
  memberTable(): MemberTable {
    const keys: string[] = [];
    let spans = new Int32Array(3 * 1024);
    this.eachMember((m) => {
      const at = 3 * keys.length;
      if (at + 3 > spans.length) {
        const grown = new Int32Array(spans.length * 2);
        grown.set(spans);
        spans = grown;
      }
      keys.push(m.key);
      spans[at] = m.keyStart;
      spans[at + 1] = m.start;
      spans[at + 2] = this.i;
    });
    return { keys, spans: spans.subarray(0, 3 * keys.length) };
  }

  /** The top-level object's members, each value skipped: `onMember` sees each (its value ends at this.i). */
  private eachMember(onMember: (m: Omit<JsonMember, 'end'>) => void): void {
    this.expect('{', 'Unexpected token');
    this.ws();
    if (this.t[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.memberKey(() => undefined);
      const m = this.member!;
      this.skip();
      onMember(m);
      this.ws();
      if (this.t[this.i] === '}') {
        this.i++;
        return;
      }
      this.expect(',', "Expected ',' or '}' after property value");
    }
  }

  end(): void {
    this.ws();
    if (this.i < this.t.length) this.fail('Unexpected non-whitespace character after JSON');
  }
}

/**
 * The top-level members of a JSON object text, in file order (a repeated key appears each time; the
 * last one is what JSON.parse keeps). Undefined when the text is not an object. `validate: false`
 * (text already parsed once): member values are skipped, not checked, which is several times faster.
 * Throws a JsonScanError (with the position) when the text is not valid JSON.
 */
export function scanMembers(text: string, opts: { validate?: boolean } = {}): JsonMember[] | undefined {
  const s = new Scanner(text);
  s.ws();
  if (text[s.i] !== '{') {
    if (opts.validate !== false) {
      s.value();
      s.end();
    }
    return undefined;
  }
  let members: JsonMember[] = [];
  if (opts.validate === false) members = s.members();
  else s.value((m) => members.push(m));
  s.end();
  return members;
}

/**
 * scanMembers(text, { validate: false }) as a table: the members' values skipped, not checked (the
 * caller parses each). Undefined when the text is not an object; throws a JsonScanError when its
 * structure is not JSON.
 */
export function scanMemberTable(text: string): MemberTable | undefined {
  const s = new Scanner(text);
  s.ws();
  if (text[s.i] !== '{') return undefined;
  const table = s.memberTable();
  s.end();
  return table;
}

/** Offset of the first syntax error in `text`, or undefined when it is valid JSON. */
export function firstJsonError(text: string): number | undefined {
  try {
    const s = new Scanner(text);
    s.value();
    s.end();
    return undefined;
  } catch (err) {
    if (err instanceof JsonScanError) return err.position;
    throw err;
  }
}

/**
 * The object text with the members whose key is in `drop` cut out (every occurrence of such a key);
 * everything else, kept members and their formatting, byte for byte as it was. Kept members are joined
 * by the file's own separator (the text between its first two members).
 */
export function withoutMembers(text: string, members: MemberTable, drop: ReadonlySet<string>): string {
  const { keys, spans } = members;
  const n = keys.length;
  if (!n || !keys.some((k) => drop.has(k))) return text;
  const firstKeyStart = spans[0]!;
  const lastEnd = spans[3 * (n - 1) + 2]!;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (!drop.has(keys[i]!)) kept.push(i);
  const sep = n > 1 ? text.slice(spans[2], spans[3]) : ',\n';
  if (!kept.length) {
    // an empty object where the members were: "{" and "}" kept with what surrounds them
    const open = text.lastIndexOf('{', firstKeyStart);
    const close = text.indexOf('}', lastEnd);
    return `${text.slice(0, open + 1)}${text.slice(close)}`;
  }
  // one join, so the result is one flat string (a concatenation would be flattened into a copy on first use)
  const parts = [text.slice(0, firstKeyStart)];
  for (const [j, i] of kept.entries()) parts.push(j ? sep : '', text.slice(spans[3 * i], spans[3 * i + 2]));
  parts.push(text.slice(lastEnd));
  return parts.join('');
}

/** A key JSON.parse files as an array index (an object lists those first, in numeric order). */
function isIndexKey(k: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) <= 4294967294;
}

/**
 * The members JSON.parse keeps, as indices into the table, in the order Object.entries lists them: for
 * a repeated key the last occurrence (its value) at the place of the first, array-index keys first in
 * numeric order, then the others in file order.
 */
export function effectiveMembers(members: MemberTable): Int32Array {
  const { keys } = members;
  const byKey = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) byKey.set(keys[i]!, i); // a Map keeps a key where it was first set
  const out = Int32Array.from(byKey.values());
  byKey.clear();
  if (!out.some((i) => isIndexKey(keys[i]!))) return out;
  const index = [...out].filter((i) => isIndexKey(keys[i]!)).sort((a, b) => Number(keys[a]) - Number(keys[b]));
  return Int32Array.from([...index, ...[...out].filter((i) => !isIndexKey(keys[i]!))]);
}
