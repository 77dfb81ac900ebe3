#!/usr/bin/env node
/**
 * Cold start: `clawfix --version`, `--help` and `diagnose` on a small state dir (JSON store and SQLite
 * store, the fake gateway running and the sub-agent refused, a few log lines), each compared with
 * `node -e 0` on the same machine in the same run. The commands are run round-robin (so drift hits all
 * alike) after two warm-up rounds; reported: median and min wall time, the ratio of medians to
 * `node -e 0`, and the median peak RSS.
 *
 *   node bench/coldstart.mjs [--runs 15]
 */
import { CLAWFIX_BIN, makeStateDir } from './lib/fixture.mjs';
import { fmtMb, fmtMs, machine, median, rssRun, table, timeRun } from './lib/measure.mjs';

export async function coldStart({ runs = 15, rssRuns = 3, log = console.error } = {}) {
  const fixtures = [];
  try {
    const json = await makeStateDir({ store: 'json' });
    fixtures.push(json);
    await json.breakIt();
    const sqlite = await makeStateDir({ store: 'sqlite' });
    fixtures.push(sqlite);
    await sqlite.breakIt();

    const node = process.execPath;
    const cases = [
      { label: '`node -e 0` (baseline)', cmd: node, args: ['-e', '0'], env: json.env(), cwd: json.root },
      { label: '`clawfix --version`', cmd: node, args: [CLAWFIX_BIN, '--version'], env: json.env(), cwd: json.root },
      { label: '`clawfix --help`', cmd: node, args: [CLAWFIX_BIN, '--help'], env: json.env(), cwd: json.root },
      { label: '`clawfix diagnose`, JSON store (2026.7.35)', cmd: node, args: [CLAWFIX_BIN, 'diagnose'], env: json.env(), cwd: json.root, expect: [1] },
      { label: '`clawfix diagnose`, SQLite store (2026.9.6)', cmd: node, args: [CLAWFIX_BIN, 'diagnose'], env: sqlite.env(), cwd: sqlite.root, expect: [1] },
    ];
    // diagnose must find the planted problem, or the timing means nothing
    for (const c of cases.slice(3)) {
      const r = timeRun(c.cmd, c.args, { env: c.env, cwd: c.cwd, expect: c.expect });
      if (!r.stdout.includes('[scope-upgrade]')) throw new Error(`diagnose did not find the scope upgrade:\n${r.stdout}`);
    }
    const times = cases.map(() => []);
    for (let round = -2; round < runs; round++) {
      cases.forEach((c, i) => {
        const r = timeRun(c.cmd, c.args, { env: c.env, cwd: c.cwd, expect: c.expect ?? [0] });
        if (round >= 0) times[i].push(r.ms);
      });
    }
    const rss = cases.map((c) => median(Array.from({ length: rssRuns }, () => rssRun(c.cmd, c.args, { env: c.env, cwd: c.cwd, expect: c.expect ?? [0] }).mb)));
    const base = median(times[0]);
    const rows = cases.map((c, i) => {
      const med = median(times[i]);
      return [c.label, fmtMs(med), fmtMs(Math.min(...times[i])), i === 0 ? '1.00×' : `${(med / base).toFixed(2)}×`, fmtMb(rss[i])];
    });
    log(`cold start: ${runs} runs each done`);
    return {
      title: `Cold start (median of ${runs} runs each, round-robin after 2 warm-up rounds; peak RSS median of ${rssRuns})`,
      markdown: table(['command', 'median ms', 'min ms', 'vs `node -e 0`', 'peak RSS MiB'], rows, 'lrrrr'),
      data: cases.map((c, i) => ({ label: c.label, medianMs: median(times[i]), minMs: Math.min(...times[i]), rssMb: rss[i] })),
    };
  } finally {
    await Promise.all(fixtures.map((f) => f.cleanup()));
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const i = process.argv.indexOf('--runs');
  const r = await coldStart({ runs: i === -1 ? 15 : Number(process.argv[i + 1]) });
  console.log(`\n${machine()}\n\n### ${r.title}\n\n${r.markdown}`);
}
