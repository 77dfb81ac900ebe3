/**
 * Shared by the transaction suites (fix-failures, rollback): a broken setup with a running fake
 * gateway, "is the state exactly as before" proofs for both store kinds, and concurrency-safe
 * fixture tracking (every test cleans up its own gateways, even when it fails).
 */
import { expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { diffTrees, hashTree, runCli, runOpenclaw, type RunResult } from './cli.js';
import { makeStateDir, type Fixture, type FixtureOptions, type StoreContents } from './fixtures.js';
import { assertClawfixDirClean } from './secrets.js';
import { healthz, waitFor } from './wait.js';

export const FAST = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };

export const STORES = [
  { name: 'JSON store (2026.7.35)', version: '2026.7.35', kind: 'json' as const },
  { name: 'SQLite store (2026.9.6)', version: '2026.9.6', kind: 'sqlite' as const },
];

export type Make = (o?: FixtureOptions) => Promise<Fixture>;

/** Every fixture still alive, so a crashed test run cannot leave a gateway behind. */
const live = new Set<Fixture>();

export async function cleanupAll(): Promise<void> {
  await Promise.all([...live].map((f) => f.cleanup()));
  live.clear();
}

/**
 * A test that gets its own fixture maker and always stops its gateways. `concurrent` runs it beside
 * the other concurrent tests of the file (each has its own temp dir and port).
 */
export function txTest(name: string, fn: (make: Make) => Promise<void>, opts: { concurrent?: boolean; timeoutMs?: number } = {}): void {
  const body = async () => {
    const mine: Fixture[] = [];
    const make: Make = async (o = {}) => {
      const f = await makeStateDir(o);
      mine.push(f);
      live.add(f);
      return f;
    };
    let ok = false;
    try {
      await fn(make);
      ok = true;
    } finally {
      // What clawfix left on disk must hold no planted secret either (backup data and the recorded
      // foreground-gateway env excepted: see ./secrets.ts). Only checked when the test itself passed,
      // so a failure is never masked.
      let leak: unknown;
      try {
        if (ok) for (const f of mine) assertClawfixDirClean(f);
      } catch (err) {
        leak = err;
      }
      await Promise.all(
        mine.map(async (f) => {
          live.delete(f);
          await f.cleanup();
        }),
      );
      if (leak) throw leak;
    }
  };
  if (opts.concurrent) test.concurrent(name, body, opts.timeoutMs);
  else test(name, body, opts.timeoutMs);
}

export async function startGateway(f: Fixture): Promise<void> {
  const r = await runOpenclaw(['gateway', 'start'], { fixture: f });
  expect(r.code).toBe(0);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway up' });
}

export interface BrokenOptions extends FixtureOptions {
  /** Scopes the sub-agent asks for when the gateway starts (default operator.write). */
  subagent?: string[];
  /**
   * After the first start, stop the simulated sub-agent from reconnecting on later starts (default
   * true), so a restart by clawfix does not itself rewrite the store and "unchanged" is provable.
   */
  quiet?: boolean;
  /** Leave the gateway stopped after the sub-agent was refused. */
  stopAfter?: boolean;
}

/** Device paired with operator.read, gateway running, the sub-agent refused (audit line + pending request). */
export async function broken(make: Make, o: BrokenOptions = {}): Promise<Fixture> {
  const { subagent = ['operator.write'], quiet = true, stopAfter = false, ...fo } = o;
  const f = await make({ devices: [{ scopes: ['operator.read'] }], ...fo });
  f.fake.writeCtl({ subagentScopes: subagent });
  await startGateway(f);
  if (quiet) f.fake.writeCtl({ subagentScopes: [] });
  if (stopAfter) {
    const r = await runOpenclaw(['gateway', 'stop'], { fixture: f });
    expect(r.code).toBe(0);
    await waitFor(async () => !(await healthz(f.port)), { what: 'fake gateway down' });
  }
  return f;
}

export function clawfix(f: Fixture, args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<RunResult> {
  return runCli(args, { fixture: f, env: { ...FAST, ...env }, timeoutMs });
}

export function fix(f: Fixture, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return clawfix(f, ['fix', ...args], env);
}

/** clawfix's own dir, SQLite side files, and (SQLite store) the db file itself, whose rows are compared instead. */
export function ignoreFor(f: Fixture): (rel: string) => boolean {
  return (rel) =>
    rel === 'clawfix' ||
    rel.startsWith('clawfix/') ||
    /sqlite-(wal|shm|journal)$/.test(rel) ||
    (f.store === 'sqlite' && rel === 'state/openclaw.sqlite');
}

export interface StateImage {
  tree: Map<string, string>;
  store: StoreContents;
  authRows: unknown[];
}

/** device_auth_tokens rows (SQLite) — readStore() does not include them. */
export function authRows(f: Fixture): unknown[] {
  if (f.store !== 'sqlite') return [];
  const db = new DatabaseSync(f.paths.sqlite, { readOnly: true });
  try {
    return db.prepare('SELECT * FROM device_auth_tokens ORDER BY device_id, role').all().map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}

export async function stateOf(f: Fixture): Promise<StateImage> {
  return { tree: await hashTree(f.stateDir, { ignore: ignoreFor(f) }), store: f.readStore(), authRows: authRows(f) };
}

/** The store exactly as before: every byte of the state dir (JSON), every row (SQLite). */
export async function expectSameState(f: Fixture, before: StateImage): Promise<void> {
  const now = await stateOf(f);
  expect(diffTrees(before.tree, now.tree)).toEqual([]);
  expect(now.store).toEqual(before.store);
  expect(now.authRows).toEqual(before.authRows);
}

export function journalFile(f: Fixture): string {
  return path.join(f.stateDir, 'clawfix', 'journal.json');
}

export function backupIds(f: Fixture): string[] {
  try {
    return fs.readdirSync(path.join(f.stateDir, 'clawfix', 'backups')).sort();
  } catch {
    return [];
  }
}

/** Lines of stderr that announce the failure ("✖ repair failed: …"). */
export function failureLines(stderr: string, what = 'repair'): string[] {
  return stderr.split('\n').filter((l) => l.includes(`✖ ${what} failed:`));
}

/** Every regular file under dir (absolute paths). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The repair is in the store: the device holds operator.write everywhere, no pending request of it is left. */
export function isPatched(f: Fixture, scope = 'operator.write'): boolean {
  const s = f.readStore();
  const d = s.paired[f.deviceId];
  if (!d) return false;
  const approved = d.approvedScopes ?? d.scopes ?? [];
  const ok =
    approved.includes(scope) &&
    (d.scopes ?? []).includes(scope) &&
    (d.tokens?.operator?.scopes ?? []).includes(scope) &&
    !Object.values(s.pending).some((p) => p.deviceId === f.deviceId && (p.scopes ?? []).includes(scope));
  if (!ok || f.store !== 'json') return ok;
  const auth = JSON.parse(fs.readFileSync(f.paths.deviceAuth, 'utf8')) as { tokens: { operator: { scopes: string[] } } };
  return auth.tokens.operator.scopes.includes(scope);
}
