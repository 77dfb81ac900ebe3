/**
 * Reading and writing JSON files the way they were found: BOM, line endings, indentation and the
 * trailing newline are detected and reproduced, so a patch changes only the bytes it means to.
 */

export interface JsonFormat {
  bom: boolean;
  eol: '\n' | '\r\n';
  indent: string;
  trailingNewline: boolean;
}

export function detectFormat(text: string): JsonFormat {
  const bom = text.startsWith('\uFEFF');
  const body = bom ? text.slice(1) : text;
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(body);
  const indent = m?.[1] ?? '  ';
  const trailingNewline = /\r?\n$/.test(body);
  return { bom, eol, indent, trailingNewline };
}

export function parseJsonText(text: string): unknown {
  return JSON.parse(text.replace(/^\uFEFF/, ''));
}

export function serializeLike(value: unknown, fmt: JsonFormat): string {
  let out = JSON.stringify(value, null, fmt.indent);
  if (fmt.eol === '\r\n') out = out.replace(/\n/g, '\r\n');
  if (fmt.trailingNewline) out += fmt.eol;
  return (fmt.bom ? '\uFEFF' : '') + out;
}

/** "line 3, column 7" from a JSON.parse error message, when Node gives a position. */
export function jsonErrorWhere(text: string, err: unknown): string {
  const msg = (err as Error).message ?? String(err);
  const pos = /position (\d+)/.exec(msg);
  if (pos) {
    const idx = Number(pos[1]);
    const before = text.slice(0, idx);
    const line = before.split('\n').length;
    const col = idx - before.lastIndexOf('\n');
    return `line ${line}, column ${col}`;
  }
  const lc = /line (\d+) column (\d+)/.exec(msg);
  if (lc) return `line ${lc[1]}, column ${lc[2]}`;
  return text.trim() === '' ? 'the file is empty' : msg;
}
