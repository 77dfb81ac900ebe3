/**
 * A big 7.35 store, as users met it: a 20 MB pending.json of 40 000 superseded requests (most of this
 * machine's own identity, some of eight other devices), the sub-agent refused operator.write. Through
 * the built CLI: diagnose summarises in at most 50 lines, fix --dry-run shows the changed records (not
 * the file), fix --yes repairs it cutting out exactly the satisfied requests (every other byte kept),
 * rollback puts the 20 MB back, and SIGTERM / Ctrl-C end any phase at once (rolling back first inside
 * the transaction). Times and memory are measured in bench/bigstore.mjs, not here: the bounds below
 * only tell a hang from an answer.
 */
import { afterAll, describe, expect } from '@jest/globals';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { addSupersededRequests } from './helpers/bigstore.mjs';
import { assertNoSecrets, CLAWFIX_BIN, cliEnv, diffTrees, hashTree } from './helpers/cli.js';
import type { Fixture, StoredDevice } from './helpers/fixtures.js';
import { broken, cleanupAll, clawfix, FAST, isPatched, txTest, type Make } from './helpers/repair.js';
import { healthz, waitFor } from './helpers/wait.js';

afterAll(cleanupAll);

const COUNT = 40_000;
/** A run that answers at all answers well within this; today's main did not answer for minutes. */
const ANSWER_MS = 60_000;
/** After SIGTERM / Ctrl-C: the process is gone within this (bench/bigstore.mjs measures the real time). */
const SIGNAL_MS = 10_000;

interface Big {
  f: Fixture;
  /** The local identity's requests in the file (the generated ones plus the refused sub-agent's). */
  local: number;
  others: number;
  /** pending.json as written, and the other devices' request ids. */
  pendingBefore: string;
  otherIds: string[];
}

/** The broken setup of the fix tests, then 40 000 superseded requests added to pending.json (≈ 20 MB). */
async function bigBroken(make: Make): Promise<Big> {
  const f = await broken(make, { devices: [{ scopes: ['operator.read'] }, ...Array.from({ length: 8 }, () => ({ scopes: ['operator.read'] }))] });
  const paired = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8')) as Record<string, StoredDevice>;
  const devs = Object.values(paired);
  const local = devs.find((d) => d.deviceId === f.deviceId)!;
  const others = devs.filter((d) => d !== local);
  const r = addSupersededRequests(f.paths.pending, { local, others, count: COUNT });
  expect(r.bytes).toBeGreaterThan(19_000_000);
  const pendingBefore = fs.readFileSync(f.paths.pending, 'utf8');
  const pend = JSON.parse(pendingBefore) as Record<string, { deviceId: string }>;
  const otherIds = Object.keys(pend).filter((k) => pend[k]!.deviceId !== f.deviceId);
  return { f, local: Object.keys(pend).length - otherIds.length, others: otherIds.length, pendingBefore, otherIds };
}

const lines = (s: string) => s.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).length;

describe('a 20 MB pending.json (40 000 superseded requests)', () => {
  txTest('diagnose summarises it: counts and a few examples, at most 50 lines; --json stays small', async (make) => {
    const { f, local } = await bigBroken(make);
    const before = await hashTree(f.stateDir);
    const human = await clawfix(f, ['diagnose'], {}, ANSWER_MS);
    expect(human.code).toBe(1);
    expect(lines(human.stdout)).toBeLessThanOrEqual(50);
    expect(human.stdout).toContain('[scope-upgrade]');
    expect(human.stdout).toContain('[pending-expired]');
    // the local identity's stale requests are counted, the newest few named
    expect(human.stdout).toContain(`${local - 1} superseded by a newer one`);
    expect(human.stdout).toMatch(/\d+ older stale request\(s\), the oldest from /);
    // findings of one kind past the first two are one line (seven more devices with stale requests)
    expect(human.stdout).toMatch(/… \d+ more \[pending-expired\] finding\(s\)/);

    const json = await clawfix(f, ['diagnose', '--json'], {}, ANSWER_MS);
    expect(json.stdout.length).toBeLessThan(64 * 1024);
    const doc = JSON.parse(json.stdout) as { findings: { id: string; evidence: unknown[] }[] };
    expect(doc.findings.filter((x) => x.id === 'pending-expired')).toHaveLength(9); // every device, in --json
    for (const x of doc.findings) expect(x.evidence.length).toBeLessThanOrEqual(5);
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  }, { timeoutMs: 300_000 });

  txTest('fix --dry-run shows the changed records, not the whole file, and changes nothing', async (make) => {
    const { f, local } = await bigBroken(make);
    const before = await hashTree(f.stateDir);
    const r = await clawfix(f, ['fix', '--dry-run'], {}, ANSWER_MS);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(16 * 1024);
    // pending.json: a count and three examples
    expect(r.stdout).toContain(`record by record (${local + COUNT / 10} before, ${COUNT / 10} after): 0 changed, ${local} removed, 0 added, ${COUNT / 10} unchanged`);
    expect(r.stdout).toContain(`- ${local} record(s) removed, e.g.`);
    expect(r.stdout).toContain(`-   … and ${local - 3} more`);
    // paired.json: the device record's change, as a unified diff
    expect(r.stdout).toMatch(/\+\s+"operator\.write"/);
    expect(r.stdout).toContain(`drops the ${local} pending request(s) the widened record satisfies`);
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  }, { timeoutMs: 300_000 });

  txTest('diagnose and fix --dry-run fit in a 56 MB heap: the 20 MB store is never one tree (reading it whole took over 64 MB)', async (make) => {
    const { f, local } = await bigBroken(make);
    // the old generation capped below what the text, its parsed tree and their copies took together
    const small = { NODE_OPTIONS: '--max-old-space-size=56' };
    const d = await clawfix(f, ['diagnose'], small, ANSWER_MS);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`${local - 1} superseded by a newer one`);
    const p = await clawfix(f, ['fix', '--dry-run'], small, ANSWER_MS);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(`- ${local} record(s) removed, e.g.`);
  }, { timeoutMs: 300_000 });

  txTest('fix --yes cuts out exactly the satisfied requests (every other byte kept); rollback puts the 20 MB back', async (make) => {
    const { f, pendingBefore, otherIds } = await bigBroken(make);
    const devicesBefore = await hashTree(f.stateDir, { ignore: (rel) => rel.startsWith('clawfix') });
    const r = await clawfix(f, ['fix', '--yes'], {}, ANSWER_MS);
    expect(r.code).toBe(0);
    expect(isPatched(f)).toBe(true);
    const after = fs.readFileSync(f.paths.pending, 'utf8');
    const kept = JSON.parse(after) as Record<string, unknown>;
    expect(Object.keys(kept).sort()).toEqual([...otherIds].sort());
    // the kept requests are the very bytes OpenClaw wrote, in their order
    const before = JSON.parse(pendingBefore) as Record<string, unknown>;
    const member = (id: string) => `"${id}": ${JSON.stringify(before[id], null, 2).replace(/\n/g, '\n  ')}`;
    expect(after).toBe(`{\n  ${otherIds.map(member).join(',\n  ')}\n}`);
    expect(fs.statSync(f.paths.pending).mode & 0o777).toBe(0o600);
    expect(await healthz(f.port)).toBe(true);

    const back = await clawfix(f, ['rollback', '--yes'], {}, ANSWER_MS);
    expect(back.code).toBe(0);
    expect(back.stdout.length + back.stderr.length).toBeLessThan(16 * 1024);
    expect(fs.readFileSync(f.paths.pending, 'utf8')).toBe(pendingBefore);
    const devicesNow = await hashTree(f.stateDir, { ignore: (rel) => rel.startsWith('clawfix') });
    expect(diffTrees(devicesBefore, devicesNow)).toEqual([]);
  }, { timeoutMs: 300_000 });
});

interface Running {
  /** Resolves when `text` has appeared on stdout or stderr. */
  seen(text: string): Promise<void>;
  /** Sends the signal; resolves with the exit code (null: ended by the signal itself) and how long after the signal it came. */
  signal(sig: NodeJS.Signals): Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>;
  /** Resolves after `ms` or when the process has ended, whichever comes first. */
  after(ms: number): Promise<void>;
}

/** clawfix as a process we can watch and interrupt (runCli only reports at the end). */
function start(f: Fixture, args: string[]): Running {
  const child = spawn(process.execPath, [CLAWFIX_BIN, ...args], { cwd: f.root, env: cliEnv({ fixture: f, env: FAST }), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (out.includes(w.text) || err.includes(w.text)) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (c: string) => ((out += c), check()));
  child.stderr.setEncoding('utf8').on('data', (c: string) => ((err += c), check()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    seen: (text) =>
      Promise.race([
        new Promise<void>((resolve) => {
          waiters.push({ text, resolve });
          check();
        }),
        exited.then(() => {
          if (!out.includes(text) && !err.includes(text)) throw new Error(`clawfix ${args.join(' ')} ended before printing ${JSON.stringify(text)}:\n${out}\n${err}`);
        }),
      ]),
    after: (ms) => Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), exited.then(() => undefined)]),
    async signal(sig) {
      const t0 = Date.now();
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), SIGNAL_MS * 3);
      const code = await exited;
      clearTimeout(timer);
      assertNoSecrets([out, err], f.secrets);
      return { code, ms: Date.now() - t0, stdout: out, stderr: err };
    },
  };
}

describe('interrupting clawfix on the big store', () => {
  // No phase has a long stretch of synchronous work any more (a signal is only handled between
  // them): SIGTERM sent at several moments of each phase always ends the run at once. On the old
  // code these moments fell into 20–60 s stretches (the detectors, the 20 MB diff) where SIGTERM waited.
  const moments: { args: string[]; from?: string; at: number[] }[] = [
    { args: ['diagnose'], at: [1000, 4000, 8000] }, // reading the store, then detecting and rendering
    { args: ['fix', '--dry-run'], from: '[scope-upgrade]', at: [0, 1000, 3000] }, // the cause is shown: planning, diffing
  ];
  for (const m of moments) {
    txTest(`SIGTERM at any moment of ${m.args.join(' ')}: gone at once, nothing changed`, async (make) => {
      const { f } = await bigBroken(make);
      const before = await hashTree(f.stateDir);
      for (const at of m.at) {
        const run = start(f, m.args);
        if (m.from) await run.seen(m.from);
        await run.after(at);
        const r = await run.signal('SIGTERM');
        expect({ at, exitedWithin: r.ms < SIGNAL_MS }).toEqual({ at, exitedWithin: true });
        // interrupted (130), ended by the signal before clawfix listened for it (null), or already finished
        expect([130, null, 0, 1]).toContain(r.code);
        expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
      }
    }, { timeoutMs: 600_000 });
  }

  for (const [sig, after] of [
    ['SIGTERM', '✔ Stop the gateway'],
    ['SIGINT', '✔ Check nobody changed the store'],
  ] as const) {
    txTest(`${sig} inside the transaction (after "${after}"): rolled back, the store byte for byte as it was, the gateway up again`, async (make) => {
      const { f } = await bigBroken(make);
      const before = await hashTree(f.stateDir, { ignore: (rel) => rel.startsWith('clawfix') });
      const run = start(f, ['fix', '--yes']);
      await run.seen(after);
      const r = await run.signal(sig);
      expect(r.ms).toBeLessThan(SIGNAL_MS);
      expect(r.code).toBe(130);
      expect(r.stderr).toContain('rolling back');
      expect(diffTrees(before, await hashTree(f.stateDir, { ignore: (rel) => rel.startsWith('clawfix') }))).toEqual([]);
      await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'gateway up again' });
      expect(fs.existsSync(`${f.stateDir}/clawfix/journal.json`)).toBe(false);
    }, { timeoutMs: 300_000 });
  }
});
