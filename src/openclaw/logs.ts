/**
 * OpenClaw gateway log reader. Read-only, memory-bounded: files are read backwards from the end in
 * fixed chunks, only lines that contain a relevant marker are decoded and parsed, and reading stops
 * once the lines are older than the time window (or the byte budget is spent).
 *
 * Two line formats (see the notes §3 and the source facts §5):
 * - file log, JSON lines written by tslog: text in `message` (9.x) or `"2"`/`"1"`/`"0"`, structured meta
 *   in `"1"`, subsystem JSON in `_meta.name`, level in `_meta.logLevelName`, ISO time in `time`;
 * - console / journald / launchd: `[journald prefix] <ISO time> [<subsystem>] <message>`, maybe coloured.
 */
import os from 'node:os';
import path from 'node:path';
import { open } from 'node:fs/promises';
import type { LogEvent, LogScan } from '../types.js';

/** Substrings that make a line worth parsing. Checked on the raw bytes before any JSON parsing. */
export const RELEVANT_MARKERS: readonly string[] = Object.freeze([
  'security audit',
  'device pairing',
  'closed before connect',
  'unauthorized',
  '[reload]',
  'config change',
  'hot reload',
  'requires gateway restart',
  'pairing required',
  'token mismatch',
  'scope mismatch',
  'listening on',
  'log file:',
  'SIGUSR',
  'SIGTERM',
  'Legacy pairing',
  'JsonFileReadError',
  'Gateway target',
  'scope upgrade pending',
  'device_token_mismatch',
  'scope_mismatch',
  'gateway auth changed',
  'received SIG',
]);

export interface ScanLogsOptions {
  /** Window start (epoch ms): older lines are not returned and reading stops once they are reached. */
  fromMs: number;
  /** Window end (epoch ms), default now: newer lines are dropped. */
  toMs?: number;
  /** Byte budget per file, counted from its end. Default 256 MiB. */
  maxBytesPerFile?: number;
  /** Keep at most this many events (the newest). Default 5000. */
  maxEvents?: number;
  /** Default RELEVANT_MARKERS. */
  markers?: readonly string[];
  /** Read size; default 256 KiB. Tests use tiny chunks to exercise boundaries. */
  chunkSize?: number;
  /** Lines longer than this many bytes are skipped without being buffered whole. Default 1 MiB. */
  maxLineBytes?: number;
}

const MiB = 1024 * 1024;
const DEFAULT_MAX_BYTES = 256 * MiB;
const DEFAULT_MAX_EVENTS = 5000;
const DEFAULT_CHUNK = 256 * 1024;
const DEFAULT_MAX_LINE = MiB;
/** Stop a file after this many consecutive timestamped lines older than the window… */
const STOP_AFTER_OLD_LINES = 200;
/** …or at the first line older than the window start minus this slack. */
const STOP_SLACK_MS = 10 * 60_000;

// ---------------------------------------------------------------------------------------------------
// Line parsing

const ISO_RE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?/;
const CONSOLE_RE =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?) +\[([^\]\r\n]{1,100})\] ?([\s\S]*)$/;
const PLAIN_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?) +(\S[\s\S]*)$/;
/** `Nov 24 14:30:42 host node[123]: ` (journalctl short) or `2026-11-24T14:30:42+0000 host node[123]: ` (short-iso). */
const JOURNAL_PREFIX_RE =
  /^(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?) \S+ [^\s:[\]]+(?:\[\d+\])?: /;
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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
    if (typeof line !== 'string' || line.length > DEFAULT_MAX_LINE) return undefined;
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
function quickTime(line: string): number | undefined {
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

// ---------------------------------------------------------------------------------------------------
// Scanning

function markerRegex(markers: readonly string[]): RegExp | undefined {
  const list = [...new Set(markers.filter((m) => m.length > 0))];
  if (list.length === 0) return undefined;
  const esc = (m: string) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // Grouped by first character: measurably faster in V8 than a flat alternation.
  const groups = new Map<string, string[]>();
  for (const m of list) {
    const g = groups.get(m[0] as string) ?? [];
    g.push(m.slice(1));
    groups.set(m[0] as string, g);
  }
  const alts = [...groups].map(([c, rests]) => esc(c) + '(?:' + rests.map(esc).join('|') + ')');
  return new RegExp(alts.join('|'), 'g');
}

interface FileScan {
  events: LogEvent[];
  bytesRead: number;
  truncated: boolean;
}

interface ScanCtx {
  fromMs: number;
  toMs: number;
  maxBytes: number;
  maxEvents: number;
  chunkSize: number;
  maxLine: number;
  re: RegExp | undefined;
}

/**
 * Reads one file backwards. A single work buffer holds the chunk just read directly in front of the
 * `carry` (the start of the newer data up to its first newline: the tail of a line that began in
 * older bytes), so the bytes from the chunk's first newline to the end of the carry are whole lines.
 * Memory: chunkSize + maxLine bytes, plus the latin1 string of one chunk, plus the events kept.
 */
async function scanFile(file: string, ctx: ScanCtx): Promise<FileScan | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined;
  }
  const out: FileScan = { events: [], bytesRead: 0, truncated: false };
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const lowest = Math.max(0, st.size - ctx.maxBytes);
    const cap = ctx.chunkSize + ctx.maxLine;
    const work = Buffer.allocUnsafe(cap);
    let pos = st.size;
    let carryLen = 0;
    /** The newest bytes seen belong to a line longer than maxLine: drop up to the next newline. */
    let skipping = false;
    let oldRun = 0;
    let done = false;

    /** Handles one complete line (offsets into `s`/work relative to `base`); returns true to stop. */
    const handleLine = (s: string, base: number, ls: number, le: number, relevant: boolean, checkTime: boolean): boolean => {
      if (checkTime) {
        const t = quickTime(s.slice(ls, le));
        if (t !== undefined) {
          if (t < ctx.fromMs - STOP_SLACK_MS) return true;
          if (t < ctx.fromMs) {
            if (++oldRun >= STOP_AFTER_OLD_LINES) return true;
          } else oldRun = 0;
        }
      }
      if (!relevant || le - ls > ctx.maxLine) return false;
      const ev = parseLogLine(work.toString('utf8', base + ls, base + le), file);
      if (ev && ev.timeMs >= ctx.fromMs && ev.timeMs <= ctx.toMs) {
        out.events.push(ev);
        if (out.events.length >= ctx.maxEvents) return true;
      }
      return false;
    };

    while (!done && pos > lowest) {
      const len = Math.min(ctx.chunkSize, pos - lowest);
      const base = cap - carryLen - len;
      let got = 0;
      while (got < len) {
        const { bytesRead } = await fh.read(work, base + got, len - got, pos - len + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      out.bytesRead += got;
      if (got < len) break; // the file shrank under us (rotation): keep what we have
      pos -= len;
      const atStart = pos === 0;
      const total = len + carryLen; // work[base, cap) = chunk ++ carry
      const firstNl = work.indexOf(10, base);
      const nlInChunk = firstNl !== -1 && firstNl < base + len;

      if (!nlInChunk) {
        // The whole chunk is the middle (or, at the start, the head) of one line.
        if (skipping) {
          carryLen = 0;
        } else if (total > ctx.maxLine) {
          carryLen = 0;
          skipping = true;
        } else if (atStart) {
          const s = work.toString('latin1', base, cap);
          done = handleLine(s, base, 0, total, testRelevant(ctx.re, s), true);
          carryLen = 0;
        } else {
          carryLen = total; // already contiguous in front of the old carry
        }
        continue;
      }

      const f = firstNl - base;
      const s = work.toString('latin1', base, cap);
      // Whole lines: from after the first newline (from 0 at the file start, where the head is the
      // first line) to the end of the carry; when skipping, only up to the chunk's last newline.
      const regionStart = atStart ? 0 : f + 1;
      let regionEnd = total;
      if (skipping) {
        regionEnd = s.lastIndexOf('\n', len - 1); // the oversized line's head follows it
        skipping = false;
      }
      if (regionStart < regionEnd) {
        done = scanRegion(s, base, regionStart, regionEnd, ctx, handleLine, () => (oldRun = 0));
      }
      // New carry: the chunk's bytes before its first newline (the tail of an older line).
      if (atStart || f === 0) {
        carryLen = 0;
      } else if (f > ctx.maxLine) {
        carryLen = 0;
        skipping = true;
      } else {
        work.copyWithin(cap - f, base, base + f);
        carryLen = f;
      }
    }
    if (!done && pos > 0) out.truncated = true;
    out.events.reverse();
    return out;
  } catch {
    // A read error half-way (EIO, file replaced): keep what was read, flag the scan as incomplete.
    if (out.bytesRead === 0) return undefined;
    out.truncated = true;
    out.events.reverse();
    return out;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function testRelevant(re: RegExp | undefined, s: string): boolean {
  if (!re) return false;
  re.lastIndex = 0;
  const hit = re.test(s);
  re.lastIndex = 0;
  return hit;
}

/**
 * Walks the complete lines of s[start, end) newest first. Relevant lines are found with one regex pass
 * over the region. When the region's oldest line is already inside the window, only the relevant
 * lines are visited; otherwise every line's time is checked for the stop rule.
 */
function scanRegion(
  s: string,
  base: number,
  start: number,
  end: number,
  ctx: ScanCtx,
  handleLine: (s: string, base: number, ls: number, le: number, relevant: boolean, checkTime: boolean) => boolean,
  inWindow: () => void,
): boolean {
  const lineEnd = (ls: number) => {
    const e = s.indexOf('\n', ls);
    return e === -1 || e > end ? end : e;
  };
  const trimCr = (ls: number, le: number) => (le > ls && s.charCodeAt(le - 1) === 13 ? le - 1 : le);

  // Start offsets of the relevant lines, ascending.
  const hits: number[] = [];
  const re = ctx.re;
  if (re) {
    re.lastIndex = start;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null && m.index < end) {
      const ls = s.lastIndexOf('\n', m.index) + 1;
      const lsClamped = ls < start ? start : ls;
      if (hits[hits.length - 1] !== lsClamped) hits.push(lsClamped);
      const le = lineEnd(m.index);
      re.lastIndex = le + 1;
      if (le >= end) break;
    }
    re.lastIndex = 0;
  }

  const oldest = quickTime(s.slice(start, lineEnd(start)));
  const perLine = oldest === undefined || oldest < ctx.fromMs;

  if (!perLine) {
    inWindow(); // the region's oldest line is inside the window: any run of old lines is broken
    for (let h = hits.length - 1; h >= 0; h--) {
      const ls = hits[h] as number;
      if (handleLine(s, base, ls, trimCr(ls, lineEnd(ls)), true, false)) return true;
    }
    return false;
  }

  let h = hits.length - 1;
  let le = end;
  while (le >= start) {
    const nl = le > start ? s.lastIndexOf('\n', le - 1) : -1;
    const ls = nl < start ? start : nl + 1;
    while (h >= 0 && (hits[h] as number) > ls) h--;
    const relevant = h >= 0 && hits[h] === ls;
    if (ls < le && handleLine(s, base, ls, trimCr(ls, le), relevant, true)) return true;
    if (ls === start) break;
    le = ls - 1;
  }
  return false;
}

/**
 * Scans the given log files for relevant lines inside [fromMs, toMs]. Missing or unreadable files are
 * skipped (and not listed in `files`). Events of all files are merged oldest first and capped to the
 * newest `maxEvents`.
 */
export async function scanLogs(files: string[], opts: ScanLogsOptions): Promise<LogScan> {
  const toMs = opts.toMs ?? Date.now();
  const ctx: ScanCtx = {
    fromMs: opts.fromMs,
    toMs,
    maxBytes: Math.max(0, opts.maxBytesPerFile ?? DEFAULT_MAX_BYTES),
    maxEvents: Math.max(1, opts.maxEvents ?? DEFAULT_MAX_EVENTS),
    chunkSize: Math.max(16, Math.floor(opts.chunkSize ?? DEFAULT_CHUNK)),
    maxLine: Math.max(16, Math.floor(opts.maxLineBytes ?? DEFAULT_MAX_LINE)),
    re: markerRegex(opts.markers ?? RELEVANT_MARKERS),
  };
  const result: LogScan = { files: [], fromMs: opts.fromMs, toMs, events: [], bytesRead: 0, truncated: false };
  const seen = new Set<string>();
  for (const file of files) {
    const key = path.resolve(file);
    if (seen.has(key)) continue;
    seen.add(key);
    const r = await scanFile(file, ctx);
    if (!r) continue;
    result.files.push(file);
    result.bytesRead += r.bytesRead;
    result.truncated ||= r.truncated;
    for (const ev of r.events) result.events.push(ev);
  }
  result.events.sort((a, b) => a.timeMs - b.timeMs); // stable: file order, then line order on ties
  if (result.events.length > ctx.maxEvents) result.events = result.events.slice(-ctx.maxEvents);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Default locations

function ymd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Where the gateway's logs are, most likely first. Pure: the caller filters the ones that exist.
 * `logging.file` replaces the rolling `/tmp` files; the launchd stdout/stderr files are always added.
 * For the rolling files: today and yesterday (local date), today's first rotation archive (9.x rotates
 * at 100 MB to `…YYYY-MM-DD.1.log`), under `/tmp/openclaw` and the `<tmpdir>/openclaw-<uid>` fallback.
 */
export function defaultLogFiles(opts: {
  configLoggingFile?: string;
  profile?: string;
  stateDir: string;
  now: Date;
  uid?: number;
  tmpdir?: string;
}): string[] {
  const out: string[] = [];
  if (opts.configLoggingFile && opts.configLoggingFile.trim()) {
    out.push(opts.configLoggingFile.trim());
  } else {
    const profile = opts.profile && opts.profile.toLowerCase() !== 'default' ? opts.profile : undefined;
    const stem = profile ? `openclaw-${profile}` : 'openclaw';
    const now = opts.now;
    const today = ymd(now);
    const yesterday = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 12));
    const names = [`${stem}-${today}.log`, `${stem}-${today}.1.log`, `${stem}-${yesterday}.log`];
    const dirs = ['/tmp/openclaw'];
    if (opts.uid !== undefined && opts.uid >= 0) dirs.push(path.join(opts.tmpdir ?? os.tmpdir(), `openclaw-${opts.uid}`));
    for (const dir of dirs) for (const n of names) out.push(path.join(dir, n));
  }
  out.push(path.join(opts.stateDir, 'logs', 'gateway.log'), path.join(opts.stateDir, 'logs', 'gateway.err.log'));
  return [...new Set(out)];
}
