/**
 * `clawfix fix` as a transaction, proven against real processes: every failing step rolls back to the
 * exact store it found and leaves the gateway as it was; the lock, concurrent runs, a store changed by
 * someone else, operator.admin consent, --json and the token-invalidated restart. (kill -9 at every
 * step boundary: fix-crash.test.ts.)
 *
 * Fault seams (src/apply/test-hooks.ts): CLAWFIX_TEST_FAULT=<op>:<ERRNO>[:<path substring>] and
 * CLAWFIX_TEST_CRASH_AT=before:<step>|after:<step>|undo:<step>.
 */
import { afterAll, describe, expect } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { assertNoSecrets } from './helpers/cli.js';
import type { Fixture } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import {
  STORES,
  backupIds,
  broken,
  cleanupAll,
  clawfix,
  expectSameState,
  failureLines,
  filesUnder,
  fix,
  isPatched,
  journalFile,
  startGateway,
  stateOf,
  txTest,
  type Make,
} from './helpers/repair.js';
import { agentCall, healthz, waitFor } from './helpers/wait.js';

afterAll(cleanupAll);

const WRITE = ['operator.write'];

function gatewayCalls(f: Fixture, from = 0): string[] {
  return f.fake
    .calls()
    .slice(from)
    .filter((c) => /^gateway (stop|start|restart)/.test(c))
    .map((c) => c.replace(/ --force$/, ''));
}

/** exit 1, exactly one "repair failed" line naming the cause, and "rolled back" said once. */
function expectRolledBack(r: { code: number; stderr: string; stdout: string }, cause: RegExp): void {
  if (r.code !== 1) throw new Error(`expected exit 1, got ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  const lines = failureLines(r.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(cause);
  expect(r.stderr).toContain('Everything was rolled back');
  expect(r.stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/); // no stack trace
}

// ---------------------------------------------------------------------------------------------
// 1. Every failing step: exit 1 (or 3 when the gateway cannot be brought back), store unchanged
// ---------------------------------------------------------------------------------------------

describe('JSON store (2026.7.35): a failing step rolls back', () => {
  const json = (make: Make, o = {}) => broken(make, { version: '2026.7.35', ...o });

  // clawfix treats a failing `openclaw gateway stop` like "no service owns this gateway" (9.x exits
  // non-zero when no service is installed) and stops the process by pid, then relaunches the same
  // command line: the repair goes through and nothing of that detour is left behind.
  txTest('`gateway stop` fails once → exit 1, nothing written, gateway still running (never killed by pid behind a service)', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    const pid = f.fake.gatewayPid();
    f.fake.writeCtl({ fail: { 'gateway stop': { mode: 'once' } } });
    const r = await fix(f, ['--yes']);
    expectRolledBack(r, /openclaw gateway stop.*failed/);
    await expectSameState(f, before);
    expect(f.fake.callLines().some((l) => l.includes('FAILED gateway stop'))).toBe(true);
    expect(await healthz(f.port)).toBe(true);
    expect(f.fake.gatewayPid()).toBe(pid); // the same process: not killed and relaunched
    expect(fs.existsSync(path.join(f.stateDir, 'clawfix', 'gateway-process.json'))).toBe(false);
    expect(fs.existsSync(journalFile(f))).toBe(false);
  }, { concurrent: true });

  txTest('a stop slower than the timeout: the rollback waits for it to take effect and starts the gateway again', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    // `openclaw gateway stop` waits for the process, bounded by the larger of the two timeouts: both
    // stay under the stop delay, and the start keeps seconds to spare for a loaded CI machine.
    f.fake.writeCtl({ stopDelayMs: 7000 });
    const r = await fix(f, ['--yes'], { CLAWFIX_STOP_TIMEOUT_MS: '800', CLAWFIX_START_TIMEOUT_MS: '4000' });
    expect(r.code).toBe(1);
    await expectSameState(f, before);
    // The gateway went down after clawfix gave up on the stop; the rollback saw it and started it again.
    await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'gateway running again' });
    expect(fs.existsSync(path.join(f.stateDir, 'clawfix', 'gateway-process.json'))).toBe(false);
  }, { concurrent: true });

  txTest('`gateway start` fails once → the rollback starts it: exit 1, store byte-identical, gateway running', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    const from = f.fake.calls().length;
    f.fake.writeCtl({ fail: { 'gateway start': { mode: 'once' } } });
    const r = await fix(f, ['--yes']);
    expectRolledBack(r, /openclaw gateway start.*failed/);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
    // stop, the failed start, then the rollback's start: the store was restored while it was down
    expect(gatewayCalls(f, from)).toEqual(['gateway stop', 'gateway start', 'gateway start']);
    expect(f.fake.callLines().some((l) => l.includes('FAILED gateway start'))).toBe(true);
  }, { concurrent: true });

  txTest('`gateway start` always fails → exit 3 with manual steps, store restored, next run recovers', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    f.fake.writeCtl({ fail: { 'gateway start': { mode: 'always' } } });
    const r = await fix(f, ['--yes']);
    expect(r.code).toBe(3);
    expect(failureLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('The rollback did not complete');
    expect(r.stderr).toMatch(/openclaw gateway start/);
    expect(r.stderr).toMatch(/clawfix rollback \S+ --yes/);
    // The store was restored before the rollback tried (and failed) to start the gateway.
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(false);
    // The journal stays so the next run can finish the job once the gateway can start again.
    expect(fs.existsSync(journalFile(f))).toBe(true);
    f.fake.writeCtl({ fail: {} });
    const next = await fix(f, ['--yes']);
    expect(next.stderr).toMatch(/recovered:.*had already undone its changes/);
    expect(next.stderr).toMatch(/recovered: started the gateway again/);
    expect(next.code).toBe(0);
    expect(fs.existsSync(journalFile(f))).toBe(false);
    expect(await healthz(f.port)).toBe(true);
    expect(isPatched(f)).toBe(true);
  }, { concurrent: true });

  // Decision: a gateway that crashes on every start fails the `start` step (it never answers within
  // CLAWFIX_START_TIMEOUT_MS), and the rollback's own start crashes too. The store is nevertheless
  // restored first (undo order: start → patch → stop), so the honest outcome is exit 3 ("rollback
  // incomplete": the gateway is down), manual steps, and a journal the next run completes.
  txTest('the restarted gateway crashes (crashOnStart) → exit 3, store restored, gateway down until the next run', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    f.fake.writeCtl({ crashOnStart: true });
    const r = await fix(f, ['--yes'], { CLAWFIX_START_TIMEOUT_MS: '2000' });
    expect(r.code).toBe(3);
    expect(failureLines(r.stderr)[0]).toMatch(/did not answer .* within 2 s/);
    expect(r.stderr).toContain('The rollback did not complete');
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(false);
    f.fake.writeCtl({ crashOnStart: false });
    const next = await fix(f, ['--yes']);
    expect(next.stderr).toMatch(/recovered:.*started the gateway again/s);
    expect(next.code).toBe(0);
    expect(await healthz(f.port)).toBe(true);
    expect(isPatched(f)).toBe(true);
  }, { concurrent: true });

  txTest('verify fails (verify:EIO) → exit 1, stopped again, restored, restarted', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    const from = f.fake.calls().length;
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'verify:EIO' });
    expectRolledBack(r, /EIO/);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
    expect(gatewayCalls(f, from)).toEqual(['gateway stop', 'gateway start', 'gateway stop', 'gateway start']);
  }, { concurrent: true });

  txTest('write of devices/paired.json fails (ENOSPC) → exit 1 naming the disk, byte-identical, gateway running', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'write:ENOSPC:devices/paired.json' });
    expectRolledBack(r, /no space left .*paired\.json/);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  txTest('write of devices/pending.json fails after paired.json was written → paired.json is restored too', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'write:ENOSPC:devices/pending.json' });
    expectRolledBack(r, /no space left .*pending\.json/);
    expect(r.stderr).toMatch(/undid: Patch the store/);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  // `paired.json` as a bare substring also matches the backup's copy (clawfix/backups/<id>/0-paired.json),
  // which is written first: that is a backup failure, and it must roll back just the same.
  txTest('write fault matching the backup copy (write:ENOSPC:paired.json) → backup fails, exit 1, unchanged', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'write:ENOSPC:paired.json' });
    expectRolledBack(r, /no space left/);
    expect(backupIds(f)).toEqual([]);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  txTest('backup fails (backup:EACCES) → exit 1 naming the permission problem, unchanged, gateway running', async (make) => {
    const f = await json(make);
    const before = await stateOf(f);
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'backup:EACCES' });
    expectRolledBack(r, /backup failed: permission denied/);
    expect(backupIds(f)).toEqual([]); // no half-written backup left behind
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });
});

describe('SQLite store (2026.9.6): a failing step rolls back', () => {
  const sqlite = (make: Make, o = {}) => broken(make, { version: '2026.9.6', ...o });

  txTest('verify fails after `openclaw devices approve` (verify:EIO) → rows restored, exit 1, gateway running', async (make) => {
    const f = await sqlite(make);
    const before = await stateOf(f);
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'verify:EIO' });
    expectRolledBack(r, /EIO/);
    expect(f.fake.calls().some((c) => c.startsWith('devices approve'))).toBe(true);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  txTest('backup fails (backup:EACCES) → exit 1, rows unchanged, no approval ran', async (make) => {
    const f = await sqlite(make);
    const before = await stateOf(f);
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'backup:EACCES' });
    expectRolledBack(r, /backup failed: permission denied/);
    expect(backupIds(f)).toEqual([]); // no half-written backup left behind
    expect(f.fake.calls().some((c) => c.startsWith('devices approve'))).toBe(false);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  txTest('SQLite commit fails (gateway running, no pending: transaction path) → exit 1, rows unchanged', async (make) => {
    // No sub-agent connect: nothing pending, so `--device/--scopes` is applied as one SQLite transaction.
    const f = await make({ version: '2026.9.6', devices: [{ scopes: ['operator.read'] }] });
    await startGateway(f);
    const before = await stateOf(f);
    const r = await fix(f, ['--yes', '--device', f.deviceId, '--scopes', 'operator.write'], { CLAWFIX_TEST_FAULT: 'sqlite-commit:EIO' });
    expectRolledBack(r, /SQLite edit of .* failed and was rolled back: EIO/);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  txTest('SQLite commit fails (gateway stopped, pending request) → exit 1, rows unchanged, gateway left stopped', async (make) => {
    const f = await sqlite(make, { stopAfter: true });
    const before = await stateOf(f);
    const from = f.fake.calls().length;
    const r = await fix(f, ['--yes'], { CLAWFIX_TEST_FAULT: 'sqlite-commit:EIO' });
    expectRolledBack(r, /SQLite edit of .* failed and was rolled back: EIO/);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(false);
    expect(gatewayCalls(f, from)).toEqual([]);
    // Without the fault the same repair goes through (and still leaves the gateway as found).
    const ok = await fix(f, ['--yes']);
    expect(ok.code).toBe(0);
    expect(isPatched(f)).toBe(true);
  }, { concurrent: true });

  txTest('`openclaw devices approve` refused → the same rows are widened in one transaction, exit 0', async (make) => {
    const f = await sqlite(make);
    f.fake.writeCtl({ fail: { 'devices approve': { mode: 'always' } } });
    const r = await fix(f, ['--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/approval did not go through/);
    expect(isPatched(f)).toBe(true);
    expect((await agentCall(f.port, WRITE)).ok).toBe(true);
  }, { concurrent: true });
});

describe.each(STORES)('restart plan (token-invalidated) on $name: a failing step rolls back', ({ version }) => {
  txTest('`gateway start` fails once → exit 1, gateway running again', async (make) => {
    const f = await make({ version, devices: [{ scopes: ['operator.read', 'operator.write'] }] });
    await startGateway(f);
    f.appendLog([L.deviceTokenMismatch(), L.deviceTokenMismatch()]);
    const before = await stateOf(f);
    f.fake.writeCtl({ fail: { 'gateway start': { mode: 'once' } } });
    const r = await fix(f, ['--yes']);
    expectRolledBack(r, /openclaw gateway start.*failed/);
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });
});

// ---------------------------------------------------------------------------------------------
// 3. The lock
// ---------------------------------------------------------------------------------------------

describe.each(STORES)('lock on $name', ({ version }) => {
  txTest('held by another process → exit 1 naming the lock, nothing changed, gateway untouched', async (make) => {
    const f = await broken(make, { version });
    const dir = path.join(f.stateDir, 'clawfix');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lockPath = path.join(dir, 'repair.lock');
    const release = await lockfile.lock(dir, { lockfilePath: lockPath, realpath: false });
    // The journal belongs to whoever holds the lock: a run that cannot take it must never write it.
    const journalEvents: string[] = [];
    const watcher = fs.watch(dir, (ev, name) => {
      if (name === 'journal.json') journalEvents.push(ev);
    });
    try {
      const before = await stateOf(f);
      const from = f.fake.calls().length;
      const r = await fix(f, ['--yes']);
      expectRolledBack(r, /another clawfix .*repair\.lock/);
      expect(r.stderr).toContain(lockPath);
      await new Promise((res) => setTimeout(res, 200)); // let inotify deliver
      expect(journalEvents).toEqual([]);
      await expectSameState(f, before);
      expect(gatewayCalls(f, from)).toEqual([]);
      expect(f.fake.calls().slice(from).some((c) => c.startsWith('devices approve'))).toBe(false);
      expect(await healthz(f.port)).toBe(true);
      expect(fs.existsSync(journalFile(f))).toBe(false);
    } finally {
      watcher.close();
      await release();
    }
    // Once released, the repair goes through.
    const ok = await fix(f, ['--yes']);
    expect(ok.code).toBe(0);
    expect(isPatched(f)).toBe(true);
  }, { concurrent: true });

  txTest('a journal of a clawfix that is still running → exit 1 naming its pid, journal and store untouched', async (make) => {
    const f = await broken(make, { version });
    const dir = path.join(f.stateDir, 'clawfix');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const theirs = JSON.stringify({ version: 1, id: '20260101-000000-beef', pid: process.pid, startedAtMs: Date.now(), command: 'fix', kind: 'json-scope-upgrade', stateDir: f.stateDir, gatewayWasRunning: true, expected: [], steps: { lock: 'done', stop: 'started' }, order: ['lock', 'stop'], phase: 'applying' });
    fs.writeFileSync(journalFile(f), theirs, { mode: 0o600 });
    const before = await stateOf(f);
    const from = f.fake.calls().length;
    const r = await fix(f, ['--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another clawfix (pid ${process.pid}) is in the middle of a repair`);
    expect(fs.readFileSync(journalFile(f), 'utf8')).toBe(theirs);
    await expectSameState(f, before);
    expect(gatewayCalls(f, from)).toEqual([]);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  txTest('two `fix --yes` at once: exactly one repairs, the other is refused or finds nothing to do', async (make) => {
    const f = await broken(make, { version });
    const [a, b] = await Promise.all([fix(f, ['--yes']), fix(f, ['--yes'])]);
    const runs = [a!, b!];
    const repaired = runs.filter((r) => r.code === 0 && r.stdout.includes('Repaired'));
    expect(repaired).toHaveLength(1);
    const other = runs.find((r) => r !== repaired[0])!;
    const refused = other.code === 1 && /another clawfix|repair\.lock|changed since the plan/.test(other.stderr);
    const nothing = other.code === 0 && /Nothing to repair/.test(other.stdout);
    if (!refused && !nothing) throw new Error(`second run: exit ${other.code}\n${other.stdout}\n${other.stderr}`);
    expect(isPatched(f)).toBe(true);
    expect(await healthz(f.port)).toBe(true);
    expect(fs.existsSync(journalFile(f))).toBe(false);
    expect((await agentCall(f.port, WRITE)).ok).toBe(true);
  }, { concurrent: true });
});

// ---------------------------------------------------------------------------------------------
// 4. The store changed by someone else between plan and apply (JSON: while the gateway is down)
// ---------------------------------------------------------------------------------------------

describe('JSON store changed between plan and write', () => {
  txTest("the device's scopes changed → aborts with \"changed since the plan\", the other writer's store kept", async (make) => {
    const f = await broken(make, { version: '2026.7.35' });
    const paired = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8')) as Record<string, Record<string, unknown>>;
    paired[f.deviceId]!.approvedScopes = ['operator.read', 'operator.approvals'];
    paired[f.deviceId]!.scopes = ['operator.read', 'operator.approvals'];
    const theirs = JSON.stringify(paired, null, 2);
    f.fake.writeCtl({ onStop: { writeFile: { path: f.paths.paired, content: theirs } } });
    const before = await stateOf(f);
    const r = await fix(f, ['--yes']);
    expectRolledBack(r, /changed since the plan/);
    expect(f.fake.readCtl().onStop).toBeUndefined(); // it did run
    expect(fs.readFileSync(f.paths.paired, 'utf8')).toBe(theirs);
    const now = await stateOf(f);
    for (const [k, v] of before.tree) if (k !== 'devices/paired.json') expect([k, now.tree.get(k)]).toEqual([k, v]);
    expect(await healthz(f.port)).toBe(true);
    expect(fs.existsSync(journalFile(f))).toBe(false);
  }, { concurrent: true });

  txTest("only another device's lastSeenAtMs changed → the fix still succeeds and keeps that change", async (make) => {
    const f = await broken(make, { version: '2026.7.35', devices: [{ scopes: ['operator.read'] }, { displayName: 'phone', scopes: ['operator.read'] }] });
    const paired = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8')) as Record<string, Record<string, unknown>>;
    const other = Object.keys(paired).find((id) => id !== f.deviceId)!;
    paired[other]!.lastSeenAtMs = 1_777_777_777_777;
    f.fake.writeCtl({ onStop: { writeFile: { path: f.paths.paired, content: JSON.stringify(paired, null, 2) } } });
    const r = await fix(f, ['--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/re-applied to the current contents/);
    expect(f.fake.readCtl().onStop).toBeUndefined();
    const s = f.readStore();
    expect(s.paired[other]!.lastSeenAtMs).toBe(1_777_777_777_777);
    expect(isPatched(f)).toBe(true);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });
});

// ---------------------------------------------------------------------------------------------
// 5. operator.admin consent, --scopes, --device
// ---------------------------------------------------------------------------------------------

describe.each(STORES)('scopes and consent on $name', ({ version }) => {
  const ADMIN_WRITE = ['operator.admin', 'operator.write'];

  txTest('asked for admin+write: `fix --yes` grants write only, holds back admin, exit 1', async (make) => {
    const f = await broken(make, { version, subagent: ADMIN_WRITE, quiet: false });
    const r = await fix(f, ['--yes']);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/held back: operator\.admin/);
    expect(r.code).toBe(1);
    const d = f.readStore().paired[f.deviceId]!;
    expect(d.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(d.scopes).not.toContain('operator.admin');
    expect(d.tokens!.operator!.scopes).not.toContain('operator.admin');
    expect(await healthz(f.port)).toBe(true);
    expect((await agentCall(f.port, WRITE)).ok).toBe(true);
    expect((await agentCall(f.port, ADMIN_WRITE)).ok).toBe(false);
    expect(fs.existsSync(journalFile(f))).toBe(false);
  }, { concurrent: true });

  txTest('asked for admin+write: `fix --yes --allow-admin` grants operator.admin, exit 0', async (make) => {
    const f = await broken(make, { version, subagent: ADMIN_WRITE, quiet: false });
    const r = await fix(f, ['--yes', '--allow-admin']);
    expect(r.code).toBe(0);
    const d = f.readStore().paired[f.deviceId]!;
    expect(d.approvedScopes).toContain('operator.admin');
    expect(await healthz(f.port)).toBe(true);
    expect((await agentCall(f.port, ADMIN_WRITE)).ok).toBe(true);
  }, { concurrent: true });

  txTest('`--scopes operator.write --device <id>` grants exactly that', async (make) => {
    const f = await broken(make, { version, subagent: ADMIN_WRITE });
    const r = await fix(f, ['--yes', '--scopes', 'operator.write', '--device', f.deviceId]);
    expect(r.code).toBe(0);
    const d = f.readStore().paired[f.deviceId]!;
    expect(d.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect((await agentCall(f.port, WRITE)).ok).toBe(true);
  }, { concurrent: true });

  txTest('`--scopes bogus.scope` → exit 2; unknown `--device` → exit 2; nothing changed', async (make) => {
    const f = await broken(make, { version });
    const before = await stateOf(f);
    const from = f.fake.calls().length;
    const bogus = await fix(f, ['--yes', '--scopes', 'bogus.scope', '--device', f.deviceId]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/unknown scope bogus\.scope/);
    const unknown = await fix(f, ['--yes', '--device', 'f00dfeedf00dfeed']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown device f00dfeedf00dfeed/);
    await expectSameState(f, before);
    expect(gatewayCalls(f, from)).toEqual([]);
    expect(backupIds(f)).toEqual([]);
  }, { concurrent: true });
});

// ---------------------------------------------------------------------------------------------
// 6. --json
// ---------------------------------------------------------------------------------------------

interface FixJson {
  ok: boolean;
  findings: { id: string }[];
  plan: { kind: string; steps: { name: string }[]; grant: string[] } | null;
  applied: string[];
  backup: { id: string; path: string } | null;
  rolledBack: boolean;
  exitCode: number;
  error?: string;
}

function parseOne(stdout: string): FixJson {
  // Exactly one JSON document: JSON.parse rejects anything before or after it.
  return JSON.parse(stdout) as FixJson;
}

describe.each(STORES)('fix --json on $name', ({ version }) => {
  txTest('stdout is one JSON document, progress on stderr, no secret anywhere', async (make) => {
    const f = await broken(make, { version });
    const r = await fix(f, ['--yes', '--json']);
    expect(r.code).toBe(0);
    const doc = parseOne(r.stdout);
    expect(doc).toMatchObject({ ok: true, rolledBack: false, exitCode: 0 });
    expect(doc.findings.map((x) => x.id)).toContain('scope-upgrade');
    expect(doc.plan!.grant).toEqual(['operator.write']);
    expect(doc.applied).toEqual(doc.plan!.steps.map((s) => s.name));
    expect(doc.backup!.id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(doc.backup!.path).toBe(path.join(f.stateDir, 'clawfix', 'backups', doc.backup!.id));
    expect(fs.existsSync(path.join(doc.backup!.path, 'manifest.json'))).toBe(true);
    expect(r.stderr).toMatch(/✔ /); // step progress
    const listing = await clawfix(f, ['backups']);
    const listingJson = await clawfix(f, ['backups', '--json']);
    expect(listing.code).toBe(0);
    expect(listingJson.code).toBe(0);
    // Backup data files are exact copies of the store (they hold its tokens by design, mode 0600);
    // everything else clawfix keeps — manifests of file backups, journal, listings — must not.
    // (after-rows.json is the rows as the repair left them: backup data too, for the record-level rollback.)
    const meta = filesUnder(path.join(f.stateDir, 'clawfix')).filter((p) => (f.store === 'json' ? !/\/\d+-[^/]+$/.test(p) : !/(manifest|after-rows)\.json$/.test(p)));
    assertNoSecrets([r.stdout, r.stderr, listing.stdout, listing.stderr, listingJson.stdout, ...meta.map((p) => fs.readFileSync(p, 'utf8'))], f.secrets);
    for (const p of filesUnder(path.join(f.stateDir, 'clawfix'))) expect([p, fs.statSync(p).mode & 0o777]).toEqual([p, 0o600]);
  }, { concurrent: true });

  txTest('a failed repair is one JSON document too: ok false, rolledBack true, exitCode 1', async (make) => {
    const f = await broken(make, { version });
    const r = await fix(f, ['--yes', '--json'], { CLAWFIX_TEST_FAULT: 'verify:EIO' });
    expect(r.code).toBe(1);
    const doc = parseOne(r.stdout);
    expect(doc).toMatchObject({ ok: false, rolledBack: true, exitCode: 1 });
    expect(doc.error).toMatch(/EIO/);
    expect(r.stderr).toMatch(/undid:/);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
  }, { concurrent: true });
});

// ---------------------------------------------------------------------------------------------
// 7. token-invalidated → restart
// ---------------------------------------------------------------------------------------------

describe.each(STORES)('token-invalidated on $name', ({ version }) => {
  txTest('device_token_mismatch after the last start → restart (stop, start), new-session advice, exit 0', async (make) => {
    const f = await make({ version, devices: [{ scopes: ['operator.read', 'operator.write'] }] });
    await startGateway(f);
    f.appendLog([L.deviceTokenMismatch(), L.deviceTokenMismatch()]);
    const diag = await clawfix(f, ['diagnose', '--json']);
    expect((JSON.parse(diag.stdout) as FixJson).findings.map((x) => x.id)).toContain('token-invalidated');
    const before = await stateOf(f);
    const pid = f.fake.gatewayPid();
    const from = f.fake.calls().length;
    const r = await fix(f, ['--yes']);
    expect(r.code).toBe(0);
    expect(gatewayCalls(f, from)).toEqual(['gateway stop', 'gateway start']);
    expect(r.stdout).toMatch(/new chat session/);
    expect(await healthz(f.port)).toBe(true);
    expect(f.fake.gatewayPid()).not.toBe(pid);
    await expectSameState(f, before); // a restart changes no pairing state
    const after = await clawfix(f, ['diagnose', '--json']);
    expect((JSON.parse(after.stdout) as FixJson).findings.map((x) => x.id)).not.toContain('token-invalidated');
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
  }, { concurrent: true });
});
