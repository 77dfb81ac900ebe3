#!/usr/bin/env node
/**
 * Writes a realistic OpenClaw gateway file log (tslog JSON lines) of about <sizeBytes> bytes, fast.
 *
 *   node bench/gen-log.mjs <path> <sizeBytes> [--with-finding] [--hours N] [--end ISO]
 *
 * A ~1 MiB block of noise lines (ws req/res, agent runs, heartbeats, channels, 2.x and 9.x shapes) is
 * built once and written again and again; only its fixed-width timestamps are patched in place, so the
 * file's timestamps increase evenly over the last `hours` (default 24) and end at `end` (default now).
 * With --with-finding, a scope-upgrade incident (security audit + gateway connect failed + closed
 * before connect) is written about 1 MiB before the end, and one old `unauthorized` line at the start.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

const DEVICE = '9a75dc84cd218a31d4a80dbb47a5ab27745fd80bfc462c83191f3a758faf1a96';
const ISO_LEN = 24; // 2026-11-24T14:30:34.407Z
const T = 'TTTTTTTTTTTTTTTTTTTTTTTT'; // placeholder, same width as an ISO time

function meta(name, level, levelId) {
  return {
    runtime: 'node',
    runtimeVersion: '22.23.3',
    hostname: 'unknown',
    name,
    parentNames: ['openclaw'],
    date: T,
    logLevelId: levelId,
    logLevelName: level,
    path: {
      fullFilePath: 'file:///usr/lib/node_modules/openclaw/dist/entry.js:41234:14',
      fileName: 'entry.js',
      fileNameWithLine: 'entry.js:41234',
      fileColumn: '14',
      fileLine: '41234',
      filePath: '/usr/lib/node_modules/openclaw/dist/entry.js',
      filePathWithLine: '/usr/lib/node_modules/openclaw/dist/entry.js:41234',
      method: 'logToFile',
    },
  };
}

const sub = (s) => JSON.stringify({ subsystem: s });
const short = () => randomUUID();

/** One noise line (no relevant marker), with T placeholders for `_meta.date` and `time`. */
function noiseLine(i) {
  const conn = short();
  const k = i % 12;
  let obj;
  switch (k) {
    case 0:
      obj = { 0: sub('gateway/ws'), 1: `⇄ res ✓ chat.history ${i % 90}ms conn=${conn} id=${short()}`, _meta: meta(sub('gateway/ws'), 'DEBUG', 2) };
      break;
    case 1:
      obj = {
        0: sub('gateway/ws'),
        1: { connId: conn, method: 'sessions.list', durationMs: i % 40, ok: true },
        2: `⇄ res ✓ sessions.list ${i % 40}ms`,
        _meta: meta(sub('gateway/ws'), 'DEBUG', 2),
      };
      break;
    case 2:
      obj = {
        0: sub('agent/embedded'),
        1: `embedded run start: runId=${short()} sessionId=${short()} provider=anthropic model=claude-sonnet-4-5 thinking=low messageChannel=webchat`,
        _meta: meta(sub('agent/embedded'), 'DEBUG', 2),
      };
      break;
    case 3:
      obj = { 0: sub('diagnostic'), 1: `lane enqueue: lane=session:agent:main:main queueSize=${i % 4}`, _meta: meta(sub('diagnostic'), 'DEBUG', 2) };
      break;
    case 4:
      obj = { 0: sub('gateway/heartbeat'), 1: 'heartbeat: started intervalMs=1800000', _meta: meta(sub('gateway/heartbeat'), 'INFO', 3) };
      break;
    case 5:
      obj = {
        0: sub('agent/embedded'),
        1: `embedded run tool start: runId=${short()} tool=exec toolCallId=toolu_01${conn.replace(/-/g, '').slice(0, 22)}`,
        _meta: meta(sub('agent/embedded'), 'DEBUG', 2),
      };
      break;
    case 6:
      obj = { 0: sub('telegram'), 1: `telegram: polling ok updates=${i % 3} offset=${800000 + i}`, _meta: meta(sub('telegram'), 'DEBUG', 2) };
      break;
    case 7:
      obj = {
        0: sub('gateway/ws'),
        1: `webchat connected conn=${conn} remote=127.0.0.1 client=openclaw-control-ui webchat vdev device=${DEVICE.slice(0, 12)}…`,
        _meta: meta(sub('gateway/ws'), 'INFO', 3),
      };
      break;
    case 8:
      obj = { 0: `cron: next wake in ${i % 600}s (jobs=3)`, _meta: meta('openclaw', 'INFO', 3) };
      break;
    case 9:
      obj = {
        0: sub('agent/embedded'),
        1: { runId: short(), usage: { input: 1200 + i % 500, output: 300, cacheRead: 18000 }, stopReason: 'end_turn' },
        2: 'embedded run done',
        _meta: meta(sub('agent/embedded'), 'DEBUG', 2),
      };
      break;
    case 10:
      obj = { 0: sub('gateway'), 1: `device presence updated device=${DEVICE.slice(0, 16)} connections=${1 + (i % 3)}`, _meta: meta(sub('gateway'), 'DEBUG', 2) };
      break;
    default:
      obj = { 0: sub('gateway/ws'), 1: `⇄ req → node.list conn=${conn} id=${short()}`, _meta: meta(sub('gateway/ws'), 'DEBUG', 2) };
  }
  obj.time = T;
  return JSON.stringify(obj) + '\n';
}

function findingLines() {
  const conn = randomUUID();
  const requestId = randomUUID();
  return [
    {
      0: sub('gateway'),
      1: `security audit: device access upgrade requested reason=scope-upgrade device=${DEVICE} ip=unknown-ip auth=token roleFrom=operator roleTo=operator scopesFrom=operator.read scopesTo=operator.admin,operator.read,operator.write client=cli conn=${conn}`,
      _meta: meta(sub('gateway'), 'WARN', 4),
      time: T,
    },
    { 0: 'gateway connect failed: Error: pairing required', _meta: meta('openclaw', 'ERROR', 5), time: T },
    {
      0: sub('gateway/ws'),
      1: { cause: 'pairing-required', handshake: 'failed', durationMs: 18, lastFrameType: 'req', lastFrameMethod: 'connect', host: '127.0.0.1:18789', deviceId: DEVICE, requestId, reason: 'scope-upgrade' },
      2: `closed before connect conn=${conn} remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:18789 ua=n/a code=1008 reason=pairing required: device is asking for more scopes than currently approved (requestId: ${requestId.slice(0, 28)}`,
      _meta: meta(sub('gateway/ws'), 'WARN', 4),
      time: T,
    },
  ].map((o) => JSON.stringify(o) + '\n');
}

const OLD_LINE =
  JSON.stringify({
    0: sub('gateway/ws'),
    1: `unauthorized conn=${randomUUID()} remote=127.0.0.1 client=openclaw-control-ui webchat vdev reason=device_token_mismatch`,
    _meta: meta(sub('gateway/ws'), 'WARN', 4),
    time: T,
  }) + '\n';

/** Builds a buffer from lines and the byte offsets of every time placeholder in it. */
function build(lines) {
  const buf = Buffer.from(lines.join(''), 'utf8');
  const slots = [];
  const needle = Buffer.from(T);
  for (let i = buf.indexOf(needle); i !== -1; i = buf.indexOf(needle, i + ISO_LEN)) slots.push(i);
  return { buf, slots, lines: lines.length };
}

/**
 * Writes the log. Returns { bytes, lines, startMs, endMs, findingMs } (findingMs undefined without finding).
 * Time of line n (0-based) = startMs + n * step, so times increase over the whole file.
 */
export function generateLog(path, sizeBytes, { withFinding = false, hours = 24, endMs = Date.now() } = {}) {
  const noiseLines = [];
  let blockBytes = 0;
  for (let i = 0; blockBytes < 1024 * 1024; i++) {
    const l = noiseLine(i);
    noiseLines.push(l);
    blockBytes += Buffer.byteLength(l);
  }
  const block = build(noiseLines);
  const finding = build(findingLines());
  const old = build([OLD_LINE]);
  const blocks = Math.max(1, Math.round(sizeBytes / block.buf.length));
  const totalLines = blocks * block.lines + (withFinding ? finding.lines + old.lines : 0);
  const startMs = endMs - hours * 3600_000;
  const step = (endMs - startMs) / Math.max(1, totalLines - 1);
  const fd = openSync(path, 'w');
  let n = 0;
  let bytes = 0;
  let findingMs;
  const emit = (part) => {
    // Every line has two slots (_meta.date and time), both get the line's time.
    for (let s = 0; s < part.slots.length; s++) {
      const lineNo = n + (s >> 1);
      part.buf.write(new Date(Math.round(startMs + lineNo * step)).toISOString(), part.slots[s], ISO_LEN, 'latin1');
    }
    n += part.lines;
    let off = 0;
    while (off < part.buf.length) off += writeSync(fd, part.buf, off);
    bytes += part.buf.length;
  };
  try {
    for (let b = 0; b < blocks; b++) {
      if (withFinding && b === 0) emit(old);
      // Finding: just before the last block (~1 MiB before the end); after it when there is one block.
      if (withFinding && b === blocks - 1 && blocks > 1) {
        findingMs = Math.round(startMs + n * step);
        emit(finding);
      }
      emit(block);
      if (withFinding && blocks === 1) {
        findingMs = Math.round(startMs + n * step);
        emit(finding);
      }
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, lines: n, startMs, endMs, findingMs };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const args = process.argv.slice(2);
  const pos = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').match(/^--(hours|end)$/));
  const [path, sizeArg] = pos;
  if (!path || !sizeArg || !/^\d+(\.\d+)?[kKmMgG]?$/.test(sizeArg)) {
    console.error('usage: gen-log.mjs <path> <sizeBytes|10M|1G (decimal)> [--with-finding] [--hours N] [--end ISO]');
    process.exit(2);
  }
  const mult = { k: 1e3, m: 1e6, g: 1e9 }[sizeArg.slice(-1).toLowerCase()] ?? 1;
  const size = Math.round(parseFloat(sizeArg) * mult);
  const opt = (name) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
  };
  const t0 = performance.now();
  const r = generateLog(path, size, {
    withFinding: args.includes('--with-finding'),
    hours: opt('hours') ? Number(opt('hours')) : 24,
    endMs: opt('end') ? Date.parse(opt('end')) : Date.now(),
  });
  console.error(`wrote ${path}: ${r.bytes} bytes, ${r.lines} lines in ${Math.round(performance.now() - t0)} ms`);
}
