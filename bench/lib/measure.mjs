/**
 * Timing and memory measurement of child processes for the benchmarks.
 *
 * Wall time: `spawnSync` wrapped in performance.now() — process creation, Node start-up, the work and
 * exit, as a user's shell would see it.
 *
 * Peak memory: the child's maxRSS. With GNU time at /usr/bin/time (Debian package `time`), the child
 * runs as `/usr/bin/time -v <cmd>` and "Maximum resident set size" is read: the kernel's ru_maxrss of
 * the process, which on Linux also covers the descendants it waited for. Without it, Node children run
 * as `node --import bench/lib/maxrss-hook.mjs …`, which writes process.resourceUsage().maxRSS (the
 * same kernel counter, that process only) to a file on exit (BENCH_NO_GNU_TIME=1 forces this path).
 * `rssMethod()` names the one in use.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'maxrss-hook.mjs');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

let gnuTime;
function hasGnuTime() {
  if (gnuTime === undefined) {
    if (process.env.BENCH_NO_GNU_TIME === '1') return (gnuTime = false); // to exercise the fallback
    const r = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
    gnuTime = r.status === 0 && /Maximum resident set size/.test(r.stderr ?? '');
  }
  return gnuTime;
}

export function rssMethod() {
  return hasGnuTime()
    ? 'GNU time (`/usr/bin/time -v`, ru_maxrss of the child incl. waited-for descendants)'
    : '`process.resourceUsage().maxRSS` of the Node child, written on exit by bench/lib/maxrss-hook.mjs (no /usr/bin/time here; children of the child not counted)';
}

/**
 * Runs cmd once and times it. Returns { ms, status, stdout, stderr }. Throws when `expect` (a list of
 * allowed exit codes) does not contain the exit code.
 */
export function timeRun(cmd, args, { env, cwd, expect = [0], timeoutMs = 120_000 } = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (expect && !expect.includes(r.status)) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`.slice(0, 4000));
  }
  return { ms, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs cmd once (asynchronously) and timestamps each stderr line as it arrives: { ms, status, stdout,
 * stderr, lines: [{ t, text }] }, t in ms since the spawn. For phase breakdowns from a child's own
 * progress lines (a pipe delivers a line within well under a millisecond).
 */
export function timeLines(cmd, args, { env, cwd, expect = [0], timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => {
      const t = performance.now() - t0;
      stderr += c;
      const parts = (partial + c).split('\n');
      partial = parts.pop();
      for (const text of parts) lines.push({ t, text });
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (expect && !expect.includes(status)) return reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${status}\n${stdout}\n${stderr}`.slice(0, 4000)));
      resolve({ ms, status, stdout, stderr, lines });
    });
  });
}

/**
 * Runs cmd once and returns its peak RSS in MiB (plus the run's wall time, which includes the
 * measuring wrapper; use timeRun for times). `nodeScript`: when cmd is process.execPath, the fallback
 * injects the hook with --import.
 */
export function rssRun(cmd, args, { env, cwd, expect = [0], timeoutMs = 120_000 } = {}) {
  if (hasGnuTime()) {
    const r = timeRun('/usr/bin/time', ['-v', cmd, ...args], { env, cwd, expect: null, timeoutMs });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    const st = /Exit status: (\d+)/.exec(r.stderr);
    const status = st ? Number(st[1]) : r.status;
    if (expect && !expect.includes(status)) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${status}\n${r.stderr}`.slice(0, 4000));
    if (!m) throw new Error(`no maxRSS from /usr/bin/time:\n${r.stderr.slice(-2000)}`);
    return { mb: Number(m[1]) / 1024, ms: r.ms, status, stdout: r.stdout };
  }
  if (cmd !== process.execPath) throw new Error('peak memory of a non-Node command needs /usr/bin/time (apt-get install time)');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-rss-')), 'maxrss');
  try {
    const r = timeRun(cmd, ['--import', HOOK, ...args], { env: { ...env, BENCH_MAXRSS_FILE: out }, cwd, expect, timeoutMs });
    return { mb: Number(fs.readFileSync(out, 'utf8')) / 1024, ms: r.ms, status: r.status, stdout: r.stdout };
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/** One line naming the machine, for the tables' header. */
export function machine() {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const mem = Math.round(os.totalmem() / 2 ** 30);
  return `${cpus.length} cores (${model}), ${mem} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
export const fmtMb = (mb) => (mb >= 100 ? mb.toFixed(0) : mb.toFixed(1));

/** A markdown table from a header row and rows of cells; `align` is a string of l/r per column. */
export function table(head, rows, align) {
  const sep = head.map((_, i) => ((align ?? '')[i] === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
