/**
 * Reading and writing JSON files the way they were found: BOM, line endings, indentation and the
 * trailing newline are detected and reproduced, so a patch changes only the bytes it means to.
 */
import { firstJsonError, JsonScanError } from './json-scan.js';

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

/**
 * Where a JSON text stops being JSON, as an offset into `text` (BOM included): from clawfix's own
 * scanner, never from V8's message, which quotes the text around the error (often a token's first
 * characters). Undefined when the scanner finds the text well-formed (e.g. nested too deep to parse).
 */
export function jsonErrorOffset(text: string, err: unknown): number | undefined {
  if (err instanceof JsonScanError) return err.position;
  return firstJsonError(text);
}

/** "line 3, column 7" for a JSON.parse error: a position only, never an excerpt of the text. */
export function jsonErrorWhere(text: string, err: unknown): string {
  if (text.replace(/^\uFEFF/, '').trim() === '') return 'the file is empty';
  const idx = jsonErrorOffset(text, err);
  if (idx === undefined) return err instanceof RangeError ? 'it is nested too deeply to read' : 'it does not parse';
  return lineColumn(text, idx);
}

/** "line L, column C" (1-based) of an offset. */
export function lineColumn(text: string, idx: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < idx; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${idx - lineStart + 1}`;
}

/**
 * A JSON5 parse error in words and a position, without the character JSON5 quotes ("invalid
 * character 'd'": the first character of a token typed where a quote was missing).
 */
export function json5Problem(err: unknown): string {
  const e = err as { message?: string; lineNumber?: number; columnNumber?: number };
  const what = (e?.message ?? String(err))
    .replace(/^JSON5: /, '')
    .replace(/ at \d+:\d+$/, '')
    .replace(/^invalid character .*$/, 'invalid character');
  return e?.lineNumber !== undefined ? `${what} (line ${e.lineNumber}, column ${e.columnNumber ?? '?'})` : what;
}
