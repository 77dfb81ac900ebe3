#!/usr/bin/env node
/**
 * The peer a user would run instead: OpenClaw's own `openclaw doctor --lint --json --only
 * core/doctor/device-pairing` (read-only, machine-readable, only the pairing check) against
 * `clawfix diagnose --json --openclaw <the same install>`, on the same state dir: the device approved
 * for operator.read, the sub-agent's scope-upgrade refused (audit line in the log + pending request),
 * the gateway stopped (a real gateway would take 9–30 s and ~1 GiB to start). Config: gateway.mode
 * local, loopback bind, token auth, logging.file.
 *
 * Uses the real OpenClaw installs the end-to-end harness caches under
 * ${XDG_CACHE_HOME:-~/.cache}/clawfix-e2e/ (any <dir>/node_modules/openclaw/openclaw.mjs, one per
 * version); without one it reports itself skipped. The real CLI runs under this Node
 * (process.execPath), like clawfix.
 *
 *   node bench/doctor.mjs [--runs 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLAWFIX_BIN, makeStateDir } from './lib/fixture.mjs';
import { fmtMb, fmtMs, machine, median, rssRun, table, timeRun } from './lib/measure.mjs';

export const SKIPPED = 'skipped: real OpenClaw not installed (run npm run test:real first)';

/** Where test/real/install.mjs caches its installs. */
export function cacheRoot(env = process.env) {
  if (env.CLAWFIX_E2E_CACHE) return path.resolve(env.CLAWFIX_E2E_CACHE);
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'clawfix-e2e');
}

/**
 * [{ version, entry, root }] of the cached real installs, newest version first, one per version:
 * `<cache>/<dir>/node_modules/openclaw/openclaw.mjs`, never an install in progress (`*.tmp-*`); one
 * with the harness's completion marker naming its version wins over one without.
 */
export function findRealInstalls() {
  const root = cacheRoot();
  const found = new Map();
  let dirs = [];
  try {
    dirs = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !/\.tmp-/.test(e.name));
  } catch {
    return [];
  }
  for (const d of dirs) {
    const dir = path.join(root, d.name);
    const pkgDir = path.join(dir, 'node_modules', 'openclaw');
    const entry = path.join(pkgDir, 'openclaw.mjs');
    if (!fs.existsSync(entry)) continue;
    try {
      const { name, version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      if (name !== 'openclaw' || !version) continue;
      let complete = false;
      try {
        complete = JSON.parse(fs.readFileSync(path.join(dir, '.clawfix-e2e-complete.json'), 'utf8')).version === version;
      } catch {
        /* no marker */
      }
      if (!found.has(version) || (complete && !found.get(version).complete)) found.set(version, { version, entry, root: dir, complete });
    } catch {
      /* not a usable install */
    }
  }
  const key = (v) => v.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? x.padStart(6, '0') : x)).join('.');
  return [...found.values()].sort((a, b) => (key(a.version) < key(b.version) ? 1 : -1));
}

export async function doctorCompare({ runs = 5, rssRuns = 3, log = console.error } = {}) {
  const installs = findRealInstalls().filter((i) => {
    const r = timeRun(process.execPath, [i.entry, '--version'], { expect: null, timeoutMs: 60_000 });
    if (r.status !== 0) log(`doctor: ${i.entry} does not run under Node ${process.version}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
    return r.status === 0;
  });
  if (!installs.length) return { title: 'Compared with `openclaw doctor`', markdown: SKIPPED, data: [] };
  const rows = [];
  const data = [];
  for (const inst of installs) {
    const m = /^(\d+)\.(\d+)/.exec(inst.version);
    const store = m && (Number(m[1]) > 2026 || Number(m[2]) >= 8) ? 'sqlite' : 'json';
    // (no empty SQLite beside a 7.x JSON store: the fixture's schema version is 9.x's, which 7.x refuses)
    const f = await makeStateDir({ store, version: inst.version, emptySqlite: false });
    try {
      await f.breakIt();
      await f.killGateway();
      const env = f.env();
      const cases = [
        {
          label: '`openclaw doctor --lint --json --only core/doctor/device-pairing`',
          args: [inst.entry, 'doctor', '--lint', '--json', '--only', 'core/doctor/device-pairing'],
          found: (out) => {
            const j = JSON.parse(out.slice(out.indexOf('{')));
            return (j.findings ?? []).some((x) => x.requirement === 'scope-upgrade' || /scope upgrade/i.test(x.message ?? ''));
          },
        },
        {
          label: '`clawfix diagnose --json`',
          args: [CLAWFIX_BIN, 'diagnose', '--json', '--openclaw', inst.entry],
          found: (out) => JSON.parse(out).findings.some((x) => x.id === 'scope-upgrade' && x.device?.deviceId === f.deviceId),
        },
      ];
      // Every run's output is checked, so an install changed under us (the e2e harness reinstalling)
      // fails loudly instead of timing an error message.
      const once = (c, run) => {
        const r = run(process.execPath, c.args, { env, cwd: f.root, expect: [0, 1], timeoutMs: 180_000 });
        if (!c.found(r.stdout)) throw new Error(`${c.label} did not report the scope upgrade:\n${String(r.stdout).slice(0, 1000)}`);
        return r;
      };
      // one warm-up each (OpenClaw fills its compile cache under $HOME on the first run), then round-robin
      for (const c of cases) once(c, timeRun);
      const times = cases.map(() => []);
      for (let i = 0; i < runs; i++) cases.forEach((c, k) => times[k].push(once(c, timeRun).ms));
      const rss = cases.map((c) => median(Array.from({ length: rssRuns }, () => once(c, rssRun).mb)));
      const [dMs, cMs] = times.map(median);
      cases.forEach((c, k) => {
        rows.push([`${inst.version} (${store === 'sqlite' ? 'SQLite' : 'JSON'} store)`, c.label, fmtMs(median(times[k])), fmtMb(rss[k]), 'yes']);
      });
      data.push({ version: inst.version, store, doctorMs: dMs, clawfixMs: cMs, doctorRssMb: rss[0], clawfixRssMb: rss[1], times });
      log(`doctor: ${inst.version}: doctor ${fmtMs(dMs)} ms / ${fmtMb(rss[0])} MiB, clawfix ${fmtMs(cMs)} ms / ${fmtMb(rss[1])} MiB`);
    } catch (err) {
      log(`doctor: ${inst.version} failed: ${err.stack ?? err}`);
      rows.push([inst.version, `failed: ${String(err.message ?? err).split('\n')[0].slice(0, 120)}`, '', '', '']);
    } finally {
      await f.cleanup();
    }
  }
  const ratios = data.map((d) => `${d.version}: ${(d.doctorMs / d.clawfixMs).toFixed(1)}× the time, ${(d.doctorRssMb / d.clawfixRssMb).toFixed(1)}× the memory`).join('; ');
  return {
    title: `Compared with \`openclaw doctor\` (same state dir, gateway stopped; median of ${runs} runs after one warm-up, peak RSS median of ${rssRuns})`,
    markdown: table(['OpenClaw', 'command', 'median ms', 'peak RSS MiB', 'reports the scope upgrade'], rows, 'llrrl'),
    ...(data.length ? { note: `doctor vs clawfix: ${ratios}` } : {}),
    data,
  };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const i = process.argv.indexOf('--runs');
  const r = await doctorCompare({ runs: i === -1 ? 5 : Number(process.argv[i + 1]) });
  console.log(`\n${machine()}\n\n### ${r.title}\n\n${r.markdown}${r.note ? `\n\n${r.note}` : ''}`);
}
