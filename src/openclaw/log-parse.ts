/**
 * OpenClaw gateway log lines, parsed. Two formats (see the notes §3 and the source facts §5):
 * - file log, JSON lines written by tslog: text in `message` (9.x) or `"2"`/`"1"`/`"0"`, structured meta
 *   in `"1"`, subsystem JSON in `_meta.name`, level in `_meta.logLevelName`, ISO time in `time`;
 * - console / journald / launchd: `[journald prefix] <ISO time> [<subsystem>] <message>`, maybe coloured.
 * Pure; never throws.
 */
import type { LogEvent } from '../types.js';
import { isObject as isRecord } from '../util/guards.js';

/** Lines longer than this are not parsed. */
export const MAX_LINE_BYTES = 1024 * 1024;

const ISO_RE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?/;
const CONSOLE_RE =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?) +\[([^\]\r\n]{1,100})\] ?([\s\S]*)$/;
const PLAIN_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?) +(\S[\s\S]*)$/;
/** `Nov 24 14:30:42 host node[123]: ` (journalctl short) or `2026-11-24T14:30:42+0000 host node[123]: ` (short-iso). */
const JOURNAL_PREFIX_RE =
  /^(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?) \S+ [^\s:[\]]+(?:\[\d+\])?: /;
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** Parses an ISO time as OpenClaw writes it (`Z`, `+00:00`, `+0000`, `,` decimals); NaN → undefined. */
function parseIsoTime(s: string): number | undefined {
  let t = Date.parse(s);
  if (Number.isNaN(t)) {
    const fixed = s.replace(',', '.').replace(/([+-]\d\d)(\d\d)$/, '$1:$2').replace(/([+-]\d\d)$/, '$1:00');
    t = Date.parse(fixed);
  }
  return Number.isNaN(t) ? undefined : t;
}

function parseTimeValue(v: unknown): number | undefined {
  if (typeof v === 'string') return parseIsoTime(v.trim());
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

/** `{"subsystem":"gateway/ws"}` → `gateway/ws`. */
function subsystemOf(bindings: unknown): string | undefined {
  if (typeof bindings !== 'string' || !bindings.startsWith('{') || !bindings.includes('subsystem')) return undefined;
  try {
    const o: unknown = JSON.parse(bindings);
    return isRecord(o) && typeof o.subsystem === 'string' ? o.subsystem : undefined;
  } catch {
    return undefined;
  }
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function parseJsonLine(s: string, file: string): LogEvent | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (!isRecord(obj)) return undefined;
  const m = isRecord(obj._meta) ? obj._meta : undefined;
  const zeroSub = subsystemOf(obj['0']);
  const text = nonEmptyString(obj.message)
    ? obj.message
    : nonEmptyString(obj['2'])
      ? obj['2']
      : nonEmptyString(obj['1'])
        ? obj['1']
        : nonEmptyString(obj['0']) && zeroSub === undefined
          ? obj['0']
          : undefined;
  if (text === undefined) return undefined;
  const timeMs = parseTimeValue(obj.time) ?? parseTimeValue(m?.date);
  if (timeMs === undefined) return undefined;
  const ev: LogEvent = { timeMs, text, file, format: 'json' };
  if (isRecord(obj['1'])) ev.meta = obj['1'];
  const level = m?.logLevelName ?? obj.level;
  if (typeof level === 'string') ev.level = level;
  const subsystem = subsystemOf(m?.name) ?? zeroSub;
  if (subsystem !== undefined) ev.subsystem = subsystem;
  return ev;
}

function parseConsoleLine(s: string, file: string): LogEvent | undefined {
  let line = s.includes('\x1b') ? s.replace(ANSI_RE, '') : s;
  let m = CONSOLE_RE.exec(line);
  if (!m) {
    const prefix = JOURNAL_PREFIX_RE.exec(line);
    if (prefix) {
      line = line.slice(prefix[0].length);
      m = CONSOLE_RE.exec(line);
    }
  }
  if (!m) {
    // Top-level (non-subsystem) logger lines carry no [tag]: `<ISO> gateway connect failed: …`.
    const plain = PLAIN_RE.exec(line);
    if (!plain) return undefined;
    const t = parseIsoTime(plain[1] as string);
    return t === undefined ? undefined : { timeMs: t, text: (plain[2] as string).trimEnd(), file, format: 'console' };
  }
  const timeMs = parseIsoTime(m[1] as string);
  if (timeMs === undefined) return undefined;
  return { timeMs, text: (m[3] as string).trimEnd(), subsystem: m[2] as string, file, format: 'console' };
}

/**
 * Parses one log line of either format. `undefined` for anything else (blank, garbage, JSON without a
 * time or text, lines over 1 MiB). Never throws.
 */
export function parseLogLine(line: string, file: string): LogEvent | undefined {
  try {
    if (typeof line !== 'string' || line.length > MAX_LINE_BYTES) return undefined;
    let s = line.trim();
    if (s.charCodeAt(0) === 0xfeff) s = s.slice(1).trimStart();
    if (s.length === 0) return undefined;
    return s.startsWith('{') ? parseJsonLine(s, file) : parseConsoleLine(s, file);
  } catch {
    return undefined;
  }
}

/**
 * Cheap timestamp of a line, for the window cut-off: the last top-level-looking `"time":"…"` (or
 * `"date":"…"`) of a JSON line, else the first ISO time in the first 200 chars (console, journald).
 * Works on latin1-decoded text: the timestamps are ASCII.
 */
export function quickTime(line: string): number | undefined {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (line.charCodeAt(i) === 123 /* { */) {
    for (const key of ['"time":"', '"date":"']) {
      const k = line.lastIndexOf(key);
      if (k === -1) continue;
      const start = k + key.length;
      const end = line.indexOf('"', start);
      if (end === -1 || end - start > 40) continue;
      const t = parseIsoTime(line.slice(start, end));
      if (t !== undefined) return t;
    }
    return undefined;
  }
  const m = ISO_RE.exec(line.length > 200 ? line.slice(0, 200) : line);
  return m ? parseIsoTime(m[0]) : undefined;
}
