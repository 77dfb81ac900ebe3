/**
 * OpenClaw gateway log reader. Read-only, memory-bounded: files are read backwards from the end in
 * fixed chunks, only lines that contain a relevant marker are decoded and parsed (log-parse.ts), and
 * reading stops once the lines are older than the time window (or the byte budget is spent).
 */
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { LogEvent, LogScan } from '../types.js';
import { MAX_LINE_BYTES, parseLogLine, quickTime } from './log-parse.js';

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
const DEFAULT_MAX_LINE = MAX_LINE_BYTES;
/** Stop a file after this many consecutive timestamped lines older than the window… */
const STOP_AFTER_OLD_LINES = 200;
/** …or at the first line older than the window start minus this slack. */
const STOP_SLACK_MS = 10 * 60_000;


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

/** The state of one backwards read of a file. */
interface Reader {
  file: string;
  ctx: ScanCtx;
  out: FileScan;
  /** chunkSize + maxLine bytes: the chunk just read sits directly in front of the carry. */
  work: Buffer;
  cap: number;
  /** File offset of the oldest byte read so far, and how far back reading may go (the byte budget). */
  pos: number;
  lowest: number;
  /** Bytes at the end of `work`: the start of the newer data up to its first newline. */
  carryLen: number;
  /** The newest bytes seen belong to a line longer than maxLine: drop up to the next newline. */
  skipping: boolean;
  /** Consecutive timestamped lines older than the window. */
  oldRun: number;
  done: boolean;
}

/** Handles one complete line (offsets into `s` / work relative to `base`); returns true to stop. */
function handleLine(r: Reader, s: string, base: number, ls: number, le: number, relevant: boolean, checkTime: boolean): boolean {
  const { ctx } = r;
  if (checkTime) {
    const t = quickTime(s.slice(ls, le));
    if (t !== undefined) {
      if (t < ctx.fromMs - STOP_SLACK_MS) return true;
      if (t < ctx.fromMs) {
        if (++r.oldRun >= STOP_AFTER_OLD_LINES) return true;
      } else r.oldRun = 0;
    }
  }
  if (!relevant || le - ls > ctx.maxLine) return false;
  const ev = parseLogLine(r.work.toString('utf8', base + ls, base + le), r.file);
  if (ev && ev.timeMs >= ctx.fromMs && ev.timeMs <= ctx.toMs) {
    r.out.events.push(ev);
    if (r.out.events.length >= ctx.maxEvents) return true;
  }
  return false;
}

/** Reads the next chunk towards the file start, in front of the carry; undefined when the file shrank (rotation). */
async function readChunk(fh: FileHandle, r: Reader): Promise<{ len: number; base: number } | undefined> {
  const len = Math.min(r.ctx.chunkSize, r.pos - r.lowest);
  const base = r.cap - r.carryLen - len;
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(r.work, base + got, len - got, r.pos - len + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  r.out.bytesRead += got;
  if (got < len) return undefined;
  r.pos -= len;
  return { len, base };
}

/** A chunk without a newline: the middle (or, at the start, the head) of one line. */
function lineMiddle(r: Reader, base: number, total: number, atStart: boolean): void {
  if (r.skipping) {
    r.carryLen = 0;
  } else if (total > r.ctx.maxLine) {
    r.carryLen = 0;
    r.skipping = true;
  } else if (atStart) {
    const s = r.work.toString('latin1', base, r.cap);
    r.done = handleLine(r, s, base, 0, total, testRelevant(r.ctx.re, s), true);
    r.carryLen = 0;
  } else {
    r.carryLen = total; // already contiguous in front of the old carry
  }
}

/** The whole lines of chunk ++ carry, then the chunk's head becomes the new carry. */
function processChunk(r: Reader, len: number, base: number): void {
  const atStart = r.pos === 0;
  const total = len + r.carryLen; // work[base, cap) = chunk ++ carry
  const firstNl = r.work.indexOf(10, base);
  if (firstNl === -1 || firstNl >= base + len) return lineMiddle(r, base, total, atStart);
  const f = firstNl - base;
  const s = r.work.toString('latin1', base, r.cap);
  // Whole lines: from after the first newline (from 0 at the file start, where the head is the
  // first line) to the end of the carry; when skipping, only up to the chunk's last newline.
  const regionStart = atStart ? 0 : f + 1;
  let regionEnd = total;
  if (r.skipping) {
    regionEnd = s.lastIndexOf('\n', len - 1); // the oversized line's head follows it
    r.skipping = false;
  }
  if (regionStart < regionEnd) {
    r.done = scanRegion(s, base, regionStart, regionEnd, r.ctx, (text, b, ls, le, relevant, checkTime) => handleLine(r, text, b, ls, le, relevant, checkTime), () => (r.oldRun = 0));
  }
  // New carry: the chunk's bytes before its first newline (the tail of an older line).
  if (atStart || f === 0) {
    r.carryLen = 0;
  } else if (f > r.ctx.maxLine) {
    r.carryLen = 0;
    r.skipping = true;
  } else {
    r.work.copyWithin(r.cap - f, base, base + f);
    r.carryLen = f;
  }
}

/**
 * Reads one file backwards. A single work buffer holds the chunk just read directly in front of the
 * `carry` (the start of the newer data up to its first newline: the tail of a line that began in
 * older bytes), so the bytes from the chunk's first newline to the end of the carry are whole lines.
 * Memory: chunkSize + maxLine bytes, plus the latin1 string of one chunk, plus the events kept.
 */
async function scanFile(file: string, ctx: ScanCtx): Promise<FileScan | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined;
  }
  const out: FileScan = { events: [], bytesRead: 0, truncated: false };
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const cap = ctx.chunkSize + ctx.maxLine;
    const r: Reader = { file, ctx, out, work: Buffer.allocUnsafe(cap), cap, pos: st.size, lowest: Math.max(0, st.size - ctx.maxBytes), carryLen: 0, skipping: false, oldRun: 0, done: false };
    while (!r.done && r.pos > r.lowest) {
      const chunk = await readChunk(fh, r);
      if (!chunk) break; // the file shrank under us (rotation): keep what we have
      processChunk(r, chunk.len, chunk.base);
    }
    if (!r.done && r.pos > 0) out.truncated = true;
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

