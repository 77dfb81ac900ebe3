#!/usr/bin/env node
/**
 * Log scan through the whole CLI: `clawfix diagnose --json` on a state dir whose config's
 * `logging.file` is a generated 1 MB, 100 MB or 1 GB gateway log (bench/gen-log.mjs, the
 * scope-upgrade incident ~1 MiB before the end). Reported per size: median wall time, median peak
 * RSS of the clawfix process, and how much of the file diagnose read (`--verbose` "log bytes read").
 *
 * Two shapes of log, because "bigger" has two causes:
 *  - older history: the gateway writes at a constant 1 MB/hour, so a bigger file only reaches further
 *    back (1 MB = 1 h, 100 MB ≈ 4 days, 1 GB ≈ 6 weeks) and the last 24 h are the same ~24 MB;
 *  - a busier gateway: the whole 1 GB was written in the last 24 h (worst case; the reader's 256 MiB
 *    per-file budget is what bounds it).
 *
 *   node bench/logscan-cli.mjs [--sizes 1M,100M,1G] [--runs 5] [--no-busy]
 *
 * All logs (~2.1 GB) are written to one temp dir and `sync`ed before the timed runs (the page cache is
 * warm and no writeback competes), the runs go round-robin over them, and the dir is deleted at the end
 * (also on Ctrl-C).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateLog } from './gen-log.mjs';
import { CLAWFIX_BIN, generatorDevice, makeStateDir } from './lib/fixture.mjs';
import { fmtMb, fmtMs, machine, median, rssMethod, rssRun, table, timeRun } from './lib/measure.mjs';

const RATE_BYTES_PER_HOUR = 1e6;
const parseSize = (s) => Math.round(parseFloat(s) * ({ k: 1e3, m: 1e6, g: 1e9 }[s.slice(-1).toLowerCase()] ?? 1));
const label = (bytes) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(0)} GB` : `${Math.round(bytes / 1e6)} MB`);

export async function logScan({ sizes = ['1M', '100M', '1G'], runs = 5, rssRuns = 3, busy = true, log = console.error } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-bench-logs-'));
  const cleanupTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.on('exit', cleanupTmp);
  const cases = sizes.map((s) => ({ size: parseSize(s), hours: parseSize(s) / RATE_BYTES_PER_HOUR, shape: 'history' }));
  if (busy) cases.push({ size: parseSize(sizes.at(-1)), hours: 24, shape: 'busy' });
  const fixtures = [];
  const rows = [];
  const data = [];
  try {
    const node = process.execPath;
    const args = [CLAWFIX_BIN, 'diagnose', '--json'];
    // All logs first (about 2.1 GB in the temp dir), one state dir each whose logging.file is that log;
    // then the runs go round-robin over the sizes, so load drift on the machine hits every row alike.
    for (const [i, c] of cases.entries()) {
      const t0 = performance.now();
      c.file = path.join(tmp, `openclaw-${i}.log`);
      c.gen = generateLog(c.file, c.size, { withFinding: true, hours: c.hours });
      log(`log scan: generated ${label(c.gen.bytes)} (${c.hours.toFixed(0)} h) in ${Math.round(performance.now() - t0)} ms`);
      // The incident names the generator's device: pair it read-only so diagnose reports it.
      c.f = await makeStateDir({
        store: 'sqlite',
        logFile: c.file,
        devices: [{ scopes: ['operator.read', 'operator.write'] }, { deviceId: generatorDevice(), displayName: 'OpenClaw CLI', scopes: ['operator.read'] }],
      });
      fixtures.push(c.f);
      c.env = c.f.env();
    }
    // Flush the fresh files, so their writeback does not compete with the measurements (they stay
    // in the page cache: the reads below are warm).
    spawnSync('sync', { stdio: 'ignore' });
    for (const c of cases) {
      // must find the incident; --verbose says how much it read
      const v = timeRun(node, [...args, '--verbose'], { env: c.env, cwd: c.f.root, expect: [1] });
      const found = JSON.parse(v.stdout).findings.some((x) => x.id === 'scope-upgrade' && x.device?.deviceId === generatorDevice());
      if (!found) throw new Error(`diagnose missed the scope upgrade in the ${label(c.gen.bytes)} log`);
      c.read = Number(/log bytes read: (\d+)/.exec(v.stderr)?.[1] ?? NaN);
      c.times = [];
      c.rss = [];
    }
    for (let i = 0; i < runs; i++) for (const c of cases) c.times.push(timeRun(node, args, { env: c.env, cwd: c.f.root, expect: [1] }).ms);
    for (let i = 0; i < rssRuns; i++) for (const c of cases) c.rss.push(rssRun(node, args, { env: c.env, cwd: c.f.root, expect: [1] }).mb);
    for (const c of cases) {
      const g = c.gen;
      const inWindow = Math.min(g.bytes, (g.bytes * 24) / c.hours);
      rows.push([
        label(g.bytes),
        c.shape === 'history' ? `${c.hours < 48 ? `${c.hours.toFixed(0)} h` : `${(c.hours / 24).toFixed(0)} days`} at 1 MB/h` : 'all of it in the last 24 h',
        `${(inWindow / 1e6).toFixed(0)} MB`,
        `${(c.read / 1e6).toFixed(1)} MB`,
        fmtMs(median(c.times)),
        fmtMb(median(c.rss)),
      ]);
      data.push({ bytes: g.bytes, hours: c.hours, shape: c.shape, bytesRead: c.read, medianMs: median(c.times), rssMb: median(c.rss), times: c.times, rss: c.rss });
    }
    log(`log scan: ${runs} runs each done`);
  } finally {
    await Promise.all(fixtures.map((f) => f.cleanup()));
    cleanupTmp();
  }
  return {
    title: `Log scan: \`clawfix diagnose --json\` (window: last 24 h; median of ${runs} runs round-robin over the logs, peak RSS median of ${rssRuns}; page cache warm)`,
    markdown: table(['log file', 'covers', 'last 24 h', 'read', 'median ms', 'peak RSS MiB'], rows, 'lrrrrr'),
    note: `peak RSS: ${rssMethod()}`,
    data,
  };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const a = process.argv.slice(2);
  const opt = (n, d) => (a.includes(`--${n}`) ? a[a.indexOf(`--${n}`) + 1] : d);
  const r = await logScan({ sizes: opt('sizes', '1M,100M,1G').split(','), runs: Number(opt('runs', 5)), busy: !a.includes('--no-busy') });
  console.log(`\n${machine()}\n\n### ${r.title}\n\n${r.markdown}\n\n${r.note}`);
}
