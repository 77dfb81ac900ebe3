#!/usr/bin/env node
/**
 * Repair overhead: what `clawfix fix --yes` adds on top of the OpenClaw work the repair needs.
 *
 * Each run builds two identical broken state dirs (device approved for operator.read, the sub-agent
 * refused operator.write: audit line + pending request) with the tests' fake `openclaw`, whose gateway
 * is made to take a fixed time to stop and to start (ctl.json stopDelayMs / startDelayMs, default
 * 500 ms each). On the first, `clawfix fix --yes` is timed. On the second, the very same `openclaw`
 * calls the fix made (from the fake's call log; a `devices approve` gets the twin's own request id) are
 * run bare, back to back, each `gateway start`/`restart` followed by polling /healthz every 10 ms until
 * it answers: the floor any repair tool would pay. overhead = fix − bare, per run; medians reported.
 * A second table breaks each case down by phase (clawfix's own --verbose step lines, timestamped).
 *
 * Cases: JSON store with the gateway running (stop → patch → start → verify), SQLite store with the
 * gateway running (OpenClaw's own `devices approve`, no restart), SQLite store with the gateway
 * stopped (one SQLite transaction, no `openclaw` call at all).
 *
 * With --bins, several builds are compared in the same run (each run goes round-robin over the builds
 * too): `--bins before=../old/bin/clawfix.js,after=bin/clawfix.js`. The tables then have a row per
 * build; the phase table is the first build's.
 *
 *   node bench/repair.mjs [--runs 7] [--delay 500] [--bins label=path,label=path]
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CLAWFIX_BIN, healthz, makeStateDir, waitFor } from './lib/fixture.mjs';
import { fmtMs, machine, median, table, timeLines, timeRun } from './lib/measure.mjs';

function pendingIds(f) {
  if (f.store === 'json') return Object.keys(JSON.parse(fs.readFileSync(f.paths.pending, 'utf8')));
  const db = new DatabaseSync(f.paths.sqlite, { readOnly: true });
  try {
    return db.prepare('SELECT request_id FROM device_pairing_pending').all().map((r) => String(r.request_id));
  } finally {
    db.close();
  }
}

/**
 * Replays `calls` (argv strings) against fixture f with its fake `openclaw`. Returns the wall time and
 * each call's own time ({ call, ms, pollMs }: pollMs is the /healthz polling after a start).
 */
async function replay(f, calls) {
  const exe = path.join(f.binDir, 'openclaw');
  const env = f.env();
  const t0 = performance.now();
  const parts = [];
  for (const call of calls) {
    let argv = call.split(' ');
    if (argv[0] === 'devices' && argv[1] === 'approve') argv = ['devices', 'approve', pendingIds(f)[0]];
    const c0 = performance.now();
    timeRun(exe, argv, { env, cwd: f.root });
    const c1 = performance.now();
    if (argv[0] === 'gateway' && (argv[1] === 'start' || argv[1] === 'restart')) await waitFor(() => healthz(f.port, 500), { intervalMs: 10, what: 'gateway up' });
    parts.push({ call: argv.slice(0, 2).join(' '), ms: c1 - c0, pollMs: performance.now() - c1 });
  }
  return { ms: performance.now() - t0, parts };
}

/**
 * Phases of one `clawfix fix --yes --verbose` from its stderr: each step prints `… <title>` when it
 * starts and `✔ <title>` when it is done. Before the first step: Node's start, loading the CLI, the
 * snapshot, detection and the plan (printed with its diff). Between a step's ✔ and the next one's …:
 * the journal written for the step that ended and the one that starts. After the last ✔: the journal
 * removed, the lock released, old backups pruned, the summary, exit.
 */
function phasesOf(r) {
  const marks = r.lines.map(({ t, text }) => ({ t, m: /^(…|✔) (.*)$/.exec(text) })).filter((x) => x.m);
  const starts = marks.filter((x) => x.m[1] === '…');
  const dones = marks.filter((x) => x.m[1] === '✔');
  if (!starts.length || starts.length !== dones.length) throw new Error(`unexpected step lines:\n${r.stderr}`);
  const phases = [{ phase: 'start-up, snapshot, plan (until the first step)', ms: starts[0].t }];
  let between = 0;
  starts.forEach((s, i) => {
    phases.push({ phase: s.m[2], ms: dones[i].t - s.t });
    if (i > 0) between += s.t - dones[i - 1].t;
  });
  phases.push({ phase: 'journal writes between steps', ms: between });
  phases.push({ phase: 'finish (journal removed, lock released, summary, exit)', ms: r.ms - dones[dones.length - 1].t });
  return phases;
}

/** What the bare replay spends on the same thing as a step (the OpenClaw work inside it). */
function bareFor(phase, parts) {
  const sum = (pred) => parts.filter(pred).reduce((a, p) => a + p.ms + p.pollMs, 0);
  if (phase === 'Stop the gateway') return sum((p) => p.call === 'gateway stop');
  if (phase === 'Start the gateway' || phase === 'Restart the gateway') return sum((p) => p.call === 'gateway start' || p.call === 'gateway restart');
  if (phase === 'Approve the exact pending request') return sum((p) => p.call.startsWith('devices '));
  return 0;
}

const CASES = [
  { label: 'JSON store (2026.7.35), gateway running', store: 'json', running: true },
  { label: 'SQLite store (2026.9.6), gateway running', store: 'sqlite', running: true },
  { label: 'SQLite store (2026.9.6), gateway stopped', store: 'sqlite', running: false },
];

export async function repairOverhead({ runs = 7, delayMs = 500, log = console.error, bins = [{ label: 'this build', bin: CLAWFIX_BIN }] } = {}) {
  const cases = bins.flatMap((b) => CASES.map((c) => ({ ...c, build: b.label, bin: b.bin, fixMs: [], bareMs: [], overhead: [], calls: [], phases: new Map() })));
  // runs go round-robin over the cases (and builds), so load drift on the machine hits every row alike
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      const pair = [];
      try {
        for (let k = 0; k < 2; k++) {
          const f = await makeStateDir({ store: c.store });
          pair.push(f);
          await f.breakIt();
          if (!c.running) await f.killGateway();
          f.writeCtl({ startDelayMs: delayMs, stopDelayMs: delayMs });
        }
        const [a, b] = pair;
        const before = a.calls().length;
        const r = await timeLines(process.execPath, [c.bin, 'fix', '--yes', '--verbose'], {
          env: a.env({ CLAWFIX_START_TIMEOUT_MS: '20000', CLAWFIX_STOP_TIMEOUT_MS: '20000' }),
          cwd: a.root,
        });
        if (!/Repaired/.test(r.stdout + r.stderr)) throw new Error(`fix did not repair:\n${r.stdout}\n${r.stderr}`);
        if (c.running && !(await healthz(a.port))) throw new Error(`the gateway is not running after the fix (calls: ${a.calls().join(', ')})`);
        c.calls = a.calls().slice(before);
        const bare = await replay(b, c.calls);
        c.fixMs.push(r.ms);
        c.bareMs.push(bare.ms);
        c.overhead.push(r.ms - bare.ms);
        for (const ph of phasesOf(r)) {
          const e = c.phases.get(ph.phase) ?? { fix: [], bare: [] };
          e.fix.push(ph.ms);
          e.bare.push(bareFor(ph.phase, bare.parts));
          c.phases.set(ph.phase, e);
        }
      } finally {
        await Promise.all(pair.map((f) => f.cleanup()));
      }
    }
  }
  log(`repair: ${runs} runs of each case done`);
  const several = bins.length > 1;
  const rows = cases.map((c) => {
    const shown = c.calls.map((x) => `\`${x.replace(/^(devices approve) \S+/, '$1 <id>')}\``).join(', ') || 'none';
    return [...(several ? [c.build] : []), c.label, fmtMs(median(c.fixMs)), shown, fmtMs(median(c.bareMs)), fmtMs(median(c.overhead)), `${fmtMs(Math.min(...c.overhead))}–${fmtMs(Math.max(...c.overhead))}`];
  });
  const breakdown = [];
  for (const c of cases.filter((x) => x.build === bins[0].label)) {
    for (const [phase, e] of c.phases) {
      const over = e.fix.map((x, i) => x - e.bare[i]);
      breakdown.push([c.label.replace(/ \(2026[^)]*\)/, ''), phase, fmtMs(median(e.fix)), median(e.bare) ? fmtMs(median(e.bare)) : '—', fmtMs(median(over))]);
    }
  }
  const data = cases.map(({ build, label, fixMs, bareMs, overhead, calls, phases }) => ({ build, label, fixMs, bareMs, overhead, calls, phases: Object.fromEntries(phases) }));
  return {
    title: `Repair overhead: \`clawfix fix --yes\` minus the same \`openclaw\` calls run bare (fake gateway: ${delayMs} ms to stop, ${delayMs} ms to start; median of ${runs} runs, round-robin over the cases${several ? ' and builds' : ''})`,
    markdown:
      table([...(several ? ['build'] : []), 'case', 'fix ms', '`openclaw` calls the fix made', 'same calls bare ms', 'overhead ms (median)', 'overhead range'], rows, `${several ? 'l' : ''}lrlrrr`) +
      `\n\nWhere it goes (${several ? `build "${bins[0].label}"; ` : ''}the same runs; \`--verbose\` step lines timestamped as they arrive; bare: the replayed call inside that step, /healthz polling included; medians per phase, so they need not add up exactly):\n\n` +
      table(['case', 'phase', 'fix ms', 'bare ms', 'overhead ms'], breakdown, 'llrrr'),
    data,
  };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const a = process.argv.slice(2);
  const opt = (n, d) => (a.includes(`--${n}`) ? Number(a[a.indexOf(`--${n}`) + 1]) : d);
  const binsArg = a.includes('--bins') ? a[a.indexOf('--bins') + 1] : undefined;
  if (a.includes('--bins') && !binsArg) throw new Error('--bins needs label=path[,label=path...]');
  const bins = binsArg?.split(',').map((x) => {
    const [label, bin] = x.includes('=') ? [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)] : [x, x];
    if (!fs.existsSync(bin)) throw new Error(`--bins: ${bin} does not exist`);
    return { label, bin: path.resolve(bin) };
  });
  if (bins && new Set(bins.map((b) => b.label)).size !== bins.length) throw new Error('--bins: every build needs its own label');
  const r = await repairOverhead({ runs: opt('runs', 7), delayMs: opt('delay', 500), ...(bins ? { bins } : {}) });
  console.log(`\n${machine()}\n\n### ${r.title}\n\n${r.markdown}`);
  if (a.includes('--json')) console.log(JSON.stringify(r.data));
}
