#!/usr/bin/env node
/**
 * A big store through the whole CLI: the 7.35 state dir of the tests' fake, the local identity paired
 * read-only and refused operator.write (audit line + pending request, gateway running), plus 40 000
 * superseded requests in devices/pending.json (test/helpers/bigstore.mjs: 90 % this machine's own
 * identity, 10 % eight other paired devices, interleaved; ≈ 20 MB). Reported, median of the runs:
 *
 *  - `diagnose`, `fix --dry-run`, `fix --yes`: wall time, peak RSS, lines/bytes of output; for
 *    `fix --yes` also the time until the first transaction step is reported (snapshot + plan: "plans
 *    in"), the rest being the transaction (stop, guard, backup, patch, start, verify) on the fake gateway;
 *  - how long the process takes to exit after SIGTERM / SIGINT sent in each phase: while the snapshot
 *    is read, while the plan is made (after the cause is printed), and inside the transaction (after
 *    "✔ Stop the gateway", where it rolls back and starts the gateway again first).
 *
 * Before every `fix --yes` the store files are put back as generated (the gateway runs throughout).
 *
 *   node bench/bigstore.mjs [--runs 5] [--count 40000]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addSupersededRequests } from '../test/helpers/bigstore.mjs';
import { CLAWFIX_BIN, healthz, makeStateDir, waitFor } from './lib/fixture.mjs';
import { fmtMb, fmtMs, machine, median, rssMethod, rssRun, table } from './lib/measure.mjs';

const FAST = { CLAWFIX_START_TIMEOUT_MS: '20000', CLAWFIX_STOP_TIMEOUT_MS: '20000' };

/** Runs clawfix once, with peak RSS; `firstStep`: also when the first "✔ " step line appeared on stderr (ms from start). */
function measured(f, args, expect) {
  const r = rssRun(process.execPath, [CLAWFIX_BIN, ...args], { env: f.env(FAST), cwd: f.root, expect });
  return { ms: r.ms, mb: r.mb, stdout: r.stdout };
}

/** The same run as a child we can watch: ms until the first transaction step line, and until exit. */
function stepTiming(f, args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLAWFIX_BIN, ...args], { env: f.env(FAST), cwd: f.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let firstStep;
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (c) => {
      err += c;
      if (firstStep === undefined && err.includes('✔ ')) firstStep = performance.now() - t0;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ firstStep, total: performance.now() - t0 }) : reject(new Error(`${args.join(' ')} exited ${code}:\n${err}`))));
  });
}

/** Sends `sig` when `trigger` appears (a string on stdout/stderr, or a delay in ms); ms from the signal to the exit, and the code. */
function signalLatency(f, args, sig, trigger) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLAWFIX_BIN, ...args], { env: f.env(FAST), cwd: f.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let sentAt;
    const send = () => {
      if (sentAt !== undefined) return;
      sentAt = performance.now();
      child.kill(sig);
    };
    const watch = (c) => {
      text += c;
      if (typeof trigger === 'string' && text.includes(trigger)) send();
    };
    child.stdout.setEncoding('utf8').on('data', watch);
    child.stderr.setEncoding('utf8').on('data', watch);
    if (typeof trigger === 'number') setTimeout(send, trigger);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (sentAt === undefined) return reject(new Error(`${args.join(' ')} ended (${code ?? signal}) before the trigger ${trigger}:\n${text.slice(-2000)}`));
      resolve({ ms: performance.now() - sentAt, code: code ?? signal });
    });
  });
}

async function bigFixture(count) {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }, ...Array.from({ length: 8 }, () => ({ scopes: ['operator.read'] }))] });
  await f.breakIt(['operator.write']);
  const paired = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8'));
  const devs = Object.values(paired);
  const local = devs.find((d) => d.deviceId === f.deviceId);
  // spread over 10 s only, so the requests stay inside OpenClaw's 5-minute TTL for the whole bench (superseded, not expired)
  const made = addSupersededRequests(f.paths.pending, { local, others: devs.filter((d) => d !== local), count, spreadMs: 10_000 });
  const pristine = Object.fromEntries(['paired', 'pending', 'deviceAuth'].map((k) => [k, fs.readFileSync(f.paths[k])]));
  const restore = async () => {
    for (const [k, bytes] of Object.entries(pristine)) fs.writeFileSync(f.paths[k], bytes, { mode: 0o600 });
    fs.rmSync(path.join(f.stateDir, 'clawfix'), { recursive: true, force: true });
    if (!(await healthz(f.port))) await f.startGateway();
  };
  return { f, made, restore };
}

export async function bigStore({ runs = 5, count = 40_000, log = console.error } = {}) {
  const { f, made, restore } = await bigFixture(count);
  try {
    log(`bigstore: pending.json ${(made.bytes / 1e6).toFixed(1)} MB, ${count} requests (${made.localCount} of this machine, ${made.otherCount} of 8 other devices)`);
    const res = { diagnose: [], dry: [], yes: [], plan: [] };
    let out = { diagnose: '', dry: '' };
    for (let i = 0; i < runs; i++) {
      const d = measured(f, ['diagnose'], [1]);
      res.diagnose.push(d);
      out.diagnose = d.stdout;
      const p = measured(f, ['fix', '--dry-run'], [0]);
      res.dry.push(p);
      out.dry = p.stdout;
      await restore();
      res.yes.push(measured(f, ['fix', '--yes'], [0]));
      await restore();
      res.plan.push(await stepTiming(f, ['fix', '--yes']));
      await restore();
      log(`bigstore: run ${i + 1}/${runs}`);
    }
    const signals = [
      { phase: 'reading the store (`fix --dry-run`, 300 ms after start)', args: ['fix', '--dry-run'], sig: 'SIGTERM', trigger: 300 },
      { phase: 'planning (`fix --dry-run`, after the cause is printed)', args: ['fix', '--dry-run'], sig: 'SIGTERM', trigger: '[scope-upgrade]' },
      { phase: 'transaction (`fix --yes`, after "✔ Stop the gateway"): rolls back, starts the gateway', args: ['fix', '--yes'], sig: 'SIGTERM', trigger: '✔ Stop the gateway' },
      { phase: 'transaction, Ctrl-C (`fix --yes`, after "✔ Check nobody changed the store")', args: ['fix', '--yes'], sig: 'SIGINT', trigger: '✔ Check nobody changed the store' },
    ];
    for (const s of signals) {
      s.ms = [];
      s.codes = new Set();
      for (let i = 0; i < Math.min(runs, 3); i++) {
        const r = await signalLatency(f, s.args, s.sig, s.trigger);
        s.ms.push(r.ms);
        s.codes.add(r.code);
        await restore();
        await waitFor(() => healthz(f.port), { timeoutMs: 20_000, what: 'gateway up after the interrupted run' });
      }
    }
    const row = (label, xs, extra) => [label, fmtMs(median(xs.map((x) => x.ms))), fmtMb(median(xs.map((x) => x.mb))), extra];
    const size = (s) => `${s.split('\n').length - 1} lines, ${(Buffer.byteLength(s) / 1024).toFixed(1)} KiB`;
    const markdown = [
      table(
        ['command', 'wall ms (median)', 'peak RSS MiB', 'output / plans in'],
        [
          row('`clawfix diagnose`', res.diagnose, size(out.diagnose)),
          row('`clawfix fix --dry-run`', res.dry, size(out.dry)),
          row('`clawfix fix --yes` (whole transaction)', res.yes, `plans in ${fmtMs(median(res.plan.map((x) => x.firstStep)))} ms (first step reported), done in ${fmtMs(median(res.plan.map((x) => x.total)))} ms`),
        ],
        'lrrl',
      ),
      '',
      table(
        ['signal sent while', 'signal', 'exit after (median, max) ms', 'exit code'],
        signals.map((s) => [s.phase, s.sig, `${fmtMs(median(s.ms))} (${fmtMs(Math.max(...s.ms))})`, [...s.codes].join(', ')]),
        'llrl',
      ),
    ].join('\n');
    return {
      title: `Big store: a 7.35 pending.json of ${count} superseded requests (${(made.bytes / 1e6).toFixed(1)} MB), ${runs} runs`,
      markdown,
      note: `Peak RSS: ${rssMethod()}. "plans in": from process start to the first "✔" step line on stderr (snapshot, detectors, plan).`,
      data: { res, signals: signals.map(({ phase, sig, ms, codes }) => ({ phase, sig, ms, codes: [...codes] })) },
    };
  } finally {
    await f.cleanup();
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const a = process.argv.slice(2);
  const opt = (n, d) => (a.includes(`--${n}`) ? Number(a[a.indexOf(`--${n}`) + 1]) : d);
  const r = await bigStore({ runs: opt('runs', 5), count: opt('count', 40_000) });
  console.log(`\n${machine()}\n\n### ${r.title}\n\n${r.markdown}\n\n${r.note}`);
}
