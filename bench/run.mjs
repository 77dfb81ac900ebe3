#!/usr/bin/env node
/**
 * `npm run bench`: builds, then prints markdown tables (progress goes to stderr):
 *   1. cold start of `clawfix --version` / `--help` / `diagnose` against `node -e 0`  (bench/coldstart.mjs)
 *   2. `clawfix diagnose --json` on 1 MB / 100 MB / 1 GB logs: time and peak RSS     (bench/logscan-cli.mjs)
 *   3. what `clawfix fix --yes` adds to the OpenClaw work a repair needs              (bench/repair.mjs)
 *   4. `openclaw doctor` vs `clawfix diagnose`, when the e2e harness installed OpenClaw (bench/doctor.mjs)
 * Not part of `npm test`. Takes about 2–3 minutes on 2 cores; the 1 GB logs live in a temp dir and are
 * deleted. Each part also runs alone (`node bench/<part>.mjs`, options in its header).
 *
 *   node bench/run.mjs [--only coldstart,logscan,repair,doctor] [--quick]
 *
 * --quick: fewer runs (10 / 3 / 5 / 3), for checking the harness, not for numbers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coldStart } from './coldstart.mjs';
import { doctorCompare } from './doctor.mjs';
import { REPO } from './lib/fixture.mjs';
import { machine, rssMethod } from './lib/measure.mjs';
import { logScan } from './logscan-cli.mjs';
import { repairOverhead } from './repair.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['coldstart', 'logscan', 'repair', 'doctor'];
const quick = args.includes('--quick');
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`bench needs Node >= 22.12 (this is ${process.version}); run it with npm run bench, which uses the pinned Node 24`);
  process.exit(2);
}
if (!fs.existsSync(path.join(REPO, 'dist', 'clawfix.js'))) {
  console.error('dist/ is missing: run npm run build first (npm run bench does)');
  process.exit(2);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130)); // runs the temp-dir cleanups

const git = (() => {
  try {
    return execFileSync('git', ['-C', REPO, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');
const loadStart = load();
const t0 = performance.now();

const parts = {
  coldstart: () => coldStart({ runs: quick ? 10 : 15 }),
  logscan: () => logScan({ runs: quick ? 3 : 5 }),
  repair: () => repairOverhead({ runs: quick ? 5 : 7, delayMs: 500 }),
  doctor: () => doctorCompare({ runs: quick ? 3 : 5 }),
};
const sections = [];
for (const name of only) {
  if (!parts[name]) {
    console.error(`unknown part ${name} (coldstart, logscan, repair, doctor)`);
    process.exit(2);
  }
  console.error(`bench: ${name}…`);
  const started = performance.now();
  const r = await parts[name]();
  console.error(`bench: ${name} took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  sections.push(`### ${r.title}\n\n${r.markdown}${r.note ? `\n\n${r.note}` : ''}`);
}

console.log(`## clawfix ${version} (${git}) benchmarks, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

Machine: ${machine()}.
Load average (1 / 5 / 15 min) at start ${loadStart}, at end ${load()}; total ${((performance.now() - t0) / 1000).toFixed(0)} s.
Wall times are spawnSync round trips (process start to exit); page cache warm. Peak RSS: ${rssMethod()}.

${sections.join('\n\n')}
`);
