#!/usr/bin/env node
/**
 * scanLogs benchmark: 1 MB, 100 MB and 1 GB gateway logs (24 h of JSON lines ending now, with a
 * scope-upgrade incident ~1 MiB before the end), scanned for the last hour and for the whole day.
 * Each scan runs in its own child process, which reports the time and its peak RSS growth
 * (`process.resourceUsage().maxRSS` after the scan minus before it). Prints a markdown table.
 *
 *   node bench/logscan.mjs [--sizes 1M,100M,1G] [--runs 3]
 *
 * Compiles src/openclaw/logs.ts alone (tsc) into a temporary directory (dist/ is one bundle, with no
 * module of its own for the scanner). Generated logs are deleted afterwards.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

// ---- child: one scan -----------------------------------------------------------------------------
if (process.argv[2] === '--child') {
  const [, , , modPath, file, fromMs, toMs] = process.argv;
  const { scanLogs } = await import(pathToFileURL(modPath).href);
  globalThis.gc?.();
  const before = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const r = await scanLogs([file], { fromMs: Number(fromMs), toMs: Number(toMs) });
  const ms = performance.now() - t0;
  const after = process.resourceUsage().maxRSS;
  process.stdout.write(
    JSON.stringify({ ms, bytesRead: r.bytesRead, events: r.events.length, truncated: r.truncated, rssBeforeKb: before, rssAfterKb: after }),
  );
  process.exit(0);
}

// ---- parent --------------------------------------------------------------------------------------
const { generateLog } = await import('./gen-log.mjs');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const parseSize = (s) => Math.round(parseFloat(s) * ({ k: 1e3, m: 1e6, g: 1e9 }[s.slice(-1).toLowerCase()] ?? 1));
const sizes = opt('sizes', '1M,100M,1G').split(',');
const runs = Number(opt('runs', '3'));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'clawfix-logscan-'));
const cleanup = () => rmSync(tmp, { recursive: true, force: true });
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function modulePath() {
  const src = path.join(repo, 'src/openclaw/logs.ts');
  const out = path.join(tmp, 'dist');
  const cfg = path.join(tmp, 'tsconfig.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      extends: path.join(repo, 'tsconfig.build.json'),
      compilerOptions: { rootDir: path.join(repo, 'src'), outDir: out, typeRoots: [path.join(repo, 'node_modules/@types')] },
      include: [],
      files: [src],
    }),
  );
  execFileSync(path.join(repo, 'node_modules/.bin/tsc'), ['-p', cfg], { stdio: 'inherit' });
  console.error(`(compiled src/openclaw/logs.ts alone into ${out})`);
  return path.join(out, 'openclaw/logs.js');
}

const mod = modulePath();
const rows = [];
for (const s of sizes) {
  const file = path.join(tmp, `openclaw-${s}.log`);
  const t0 = performance.now();
  const g = generateLog(file, parseSize(s), { withFinding: true, hours: 24 });
  console.error(`generated ${s}: ${(g.bytes / 1e6).toFixed(1)} MB, ${g.lines} lines in ${Math.round(performance.now() - t0)} ms`);
  for (const [label, fromMs] of [
    ['last 1 h', g.endMs - 3600_000],
    ['whole day', g.startMs],
  ]) {
    const results = [];
    for (let i = 0; i < runs; i++) {
      const c = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', mod, file, String(fromMs), String(g.endMs)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (c.status !== 0) throw new Error(`child failed: ${c.stderr}`);
      results.push(JSON.parse(c.stdout));
    }
    results.sort((a, b) => a.ms - b.ms);
    const med = results[Math.floor(results.length / 2)];
    const peak = Math.max(...results.map((r) => r.rssAfterKb - r.rssBeforeKb));
    rows.push({
      size: s,
      fileMB: g.bytes / 1e6,
      window: label,
      ms: med.ms,
      mbRead: med.bytesRead / 1e6,
      rssDeltaMB: peak / 1024,
      rssMB: Math.max(...results.map((r) => r.rssAfterKb)) / 1024,
      events: med.events,
      truncated: med.truncated,
    });
  }
  rmSync(file, { force: true });
}

console.log(`\nscanLogs, node ${process.version}, ${os.cpus().length} CPU, median of ${runs} runs (page cache warm: files were just written)\n`);
console.log('| size | window | ms | MB read | peak RSS MB (Δ / total) | events | truncated |');
console.log('|---:|---|---:|---:|---:|---:|:---:|');
for (const r of rows) {
  console.log(
    `| ${r.fileMB.toFixed(0)} MB | ${r.window} | ${r.ms.toFixed(1)} | ${r.mbRead.toFixed(1)} | ${r.rssDeltaMB.toFixed(1)} / ${r.rssMB.toFixed(0)} | ${r.events} | ${r.truncated ? 'yes' : 'no'} |`,
  );
}
