/**
 * `clawfix backups` and `clawfix rollback` end to end: what fix backed up is listed, restored exactly
 * (JSON: byte-identical files, through stop/restore/start; SQLite: identical rows, live), the
 * rollback is itself undoable, and backups are pruned to the newest 10 with private modes.
 */
import { afterAll, describe, expect } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { assertNoSecrets } from './helpers/cli.js';
import type { Fixture } from './helpers/fixtures.js';
import {
  STORES,
  backupIds,
  broken,
  cleanupAll,
  clawfix,
  expectSameState,
  fix,
  isPatched,
  journalFile,
  stateOf,
  txTest,
} from './helpers/repair.js';
import { agentCall, healthz } from './helpers/wait.js';

afterAll(cleanupAll);

const WRITE = ['operator.write'];

interface BackupsJson {
  ok: boolean;
  stateDir: string;
  backups: { id: string; createdAt: string; reason: string; path: string; files: string[]; rows: string[] }[];
}

function gatewayCalls(f: Fixture, from = 0): string[] {
  return f.fake
    .calls()
    .slice(from)
    .filter((c) => /^gateway (stop|start|restart)/.test(c))
    .map((c) => c.replace(/ --force$/, ''));
}

function backupsDir(f: Fixture): string {
  return path.join(f.stateDir, 'clawfix', 'backups');
}

async function repaired(f: Fixture): Promise<string> {
  const r = await fix(f, ['--yes', '--json']);
  expect(r.code).toBe(0);
  const id = (JSON.parse(r.stdout) as { backup: { id: string } }).backup.id;
  expect(isPatched(f)).toBe(true);
  return id;
}

describe.each(STORES)('backups and rollback on $name', ({ version, kind }) => {
  txTest('`backups` lists what fix saved (time, files or rows, reason), also as --json', async (make) => {
    const f = await broken(make, { version });
    const t0 = Date.now();
    const id = await repaired(f);

    const text = await clawfix(f, ['backups']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(id);
    expect(text.stdout).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(text.stdout).toMatch(/Grant operator\.write to/);
    if (kind === 'json') {
      expect(text.stdout).toContain(path.join('devices', 'paired.json'));
      expect(text.stdout).toContain(path.join('devices', 'pending.json'));
      expect(text.stdout).toContain(path.join('identity', 'device-auth.json'));
    } else {
      expect(text.stdout).toMatch(/\d+ SQLite row\(s\)/);
    }
    expect(text.stdout).toMatch(/clawfix rollback/);

    const js = await clawfix(f, ['backups', '--json']);
    expect(js.code).toBe(0);
    const doc = JSON.parse(js.stdout) as BackupsJson;
    expect(doc.ok).toBe(true);
    expect(doc.stateDir).toBe(f.stateDir);
    expect(doc.backups).toHaveLength(1);
    const b = doc.backups[0]!;
    expect(b.id).toBe(id);
    expect(b.path).toBe(path.join(backupsDir(f), id));
    expect(Date.parse(b.createdAt)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(Date.parse(b.createdAt)).toBeLessThanOrEqual(Date.now());
    expect(b.reason).toMatch(/^Grant operator\.write to /);
    if (kind === 'json') {
      expect(b.files.sort()).toEqual([f.paths.deviceAuth, f.paths.paired, f.paths.pending].sort());
      expect(b.rows).toEqual([]);
    } else {
      expect(b.files).toEqual([]);
      expect(b.rows).toEqual(expect.arrayContaining([`device_pairing_paired[${f.deviceId}]`]));
    }
    assertNoSecrets([text.stdout, text.stderr, js.stdout, js.stderr], f.secrets);
  }, { concurrent: true });

  txTest('`rollback --yes` (latest) restores the original store, gateway running; the rollback is itself undoable', async (make) => {
    const f = await broken(make, { version });
    const original = await stateOf(f);
    await repaired(f);
    const patched = await stateOf(f);
    const from = f.fake.calls().length;

    const r = await clawfix(f, ['rollback', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rolled back/);
    await expectSameState(f, original);
    expect(await healthz(f.port)).toBe(true);
    expect(fs.existsSync(journalFile(f))).toBe(false);
    if (kind === 'json') {
      // Files are restored only with the gateway down (it rewrites them while running).
      expect(gatewayCalls(f, from)).toEqual(['gateway stop', 'gateway start']);
    } else {
      // Rows are restored in one transaction while the gateway runs.
      expect(gatewayCalls(f, from)).toEqual([]);
    }
    // (No agent call here: a refused connect would itself add a pending request to the store.)
    assertNoSecrets([r.stdout, r.stderr], f.secrets);

    // The rollback backed up the repaired state first: rolling back again brings the repair back.
    expect(backupIds(f)).toHaveLength(2);
    const again = await clawfix(f, ['rollback', '--yes']);
    expect(again.code).toBe(0);
    await expectSameState(f, patched);
    expect(await healthz(f.port)).toBe(true);
    expect((await agentCall(f.port, WRITE)).ok).toBe(true);
  }, { concurrent: true });

  txTest('`rollback <id> --yes` restores that backup; restoring a backup equal to the current state changes nothing', async (make) => {
    const f = await broken(make, { version });
    const original = await stateOf(f);
    const id = await repaired(f);

    const r = await clawfix(f, ['rollback', id, '--yes', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; restored: string; backup: { id: string } | null; exitCode: number };
    expect(doc).toMatchObject({ ok: true, restored: id, exitCode: 0 });
    expect(doc.backup!.id).not.toBe(id);
    await expectSameState(f, original);
    expect(await healthz(f.port)).toBe(true);

    const callsBefore = f.fake.calls().length;
    const same = await clawfix(f, ['rollback', id, '--yes']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/matches the current state: nothing to restore/);
    expect(gatewayCalls(f, callsBefore)).toEqual([]);
    await expectSameState(f, original);
  }, { concurrent: true });

  txTest('unknown id → exit 2; no TTY without --yes → exit 2; nothing changed either way', async (make) => {
    const f = await broken(make, { version });
    await repaired(f);
    const before = await stateOf(f);
    const from = f.fake.calls().length;

    const unknown = await clawfix(f, ['rollback', '20000101-000000-dead', '--yes']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no backup with id 20000101-000000-dead/);
    expect(unknown.stderr).toMatch(/clawfix backups/);

    const noTty = await clawfix(f, ['rollback']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--yes/);

    await expectSameState(f, before);
    expect(gatewayCalls(f, from)).toEqual([]);
    expect(backupIds(f)).toHaveLength(1);
  }, { concurrent: true });

  txTest('a damaged backup is refused (checksum / manifest) and nothing is touched', async (make) => {
    const f = await broken(make, { version });
    const id = await repaired(f);
    const before = await stateOf(f);
    const dir = path.join(backupsDir(f), id);
    if (kind === 'json') {
      const copy = fs.readdirSync(dir).find((n) => n.endsWith('-paired.json'))!;
      fs.appendFileSync(path.join(dir, copy), ' ');
      const r = await clawfix(f, ['rollback', id, '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/damaged \(checksum mismatch\)/);
    } else {
      fs.writeFileSync(path.join(dir, 'manifest.json'), '{ not json');
      const r = await clawfix(f, ['rollback', id, '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/damaged manifest/);
    }
    await expectSameState(f, before);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });

  txTest('no backups yet → `rollback --yes` exits 1 saying so; `backups` says there are none', async (make) => {
    const f = await broken(make, { version });
    const before = await stateOf(f);
    const r = await clawfix(f, ['rollback', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no clawfix backups/);
    const list = await clawfix(f, ['backups']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/No clawfix backups/);
    await expectSameState(f, before);
  }, { concurrent: true });

  txTest('backups are pruned to the newest 10; the dirs are 0700 and every file 0600', async (make) => {
    const f = await broken(make, { version });
    // Ten older backups (as an earlier clawfix would have left them), then a fix and a rollback.
    const old: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = `20000101-0000${String(i).padStart(2, '0')}-00${String(i).padStart(2, '0')}`;
      const dir = path.join(backupsDir(f), id);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const manifest = { version: 1, id, createdAtMs: Date.UTC(2000, 0, 1, 0, 0, i), reason: `synthetic ${i}`, stateDir: f.stateDir, files: [] };
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest), { mode: 0o600 });
      old.push(id);
    }
    fs.chmodSync(path.join(f.stateDir, 'clawfix'), 0o755); // clawfix tightens what it finds
    fs.chmodSync(backupsDir(f), 0o755);
    const fixId = await repaired(f);
    expect(backupIds(f)).toEqual([...old.slice(1), fixId].sort());
    const rb = await clawfix(f, ['rollback', fixId, '--yes', '--json']);
    expect(rb.code).toBe(0);
    const rbId = (JSON.parse(rb.stdout) as { backup: { id: string } }).backup.id;
    expect(backupIds(f)).toEqual([...old.slice(2), fixId, rbId].sort());

    const list = JSON.parse((await clawfix(f, ['backups', '--json'])).stdout) as BackupsJson;
    expect(list.backups.map((b) => b.id)).toEqual([...old.slice(2), fixId, rbId]); // oldest first

    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    expect(mode(path.join(f.stateDir, 'clawfix'))).toBe(0o700);
    expect(mode(backupsDir(f))).toBe(0o700);
    for (const id of [fixId, rbId]) {
      const dir = path.join(backupsDir(f), id);
      expect(mode(dir)).toBe(0o700);
      const names = fs.readdirSync(dir);
      expect(names).toContain('manifest.json');
      if (kind === 'json') expect(names.length).toBeGreaterThan(1);
      for (const n of names) expect([n, mode(path.join(dir, n))]).toEqual([n, 0o600]);
    }
  }, { concurrent: true });
});

describe('JSON store (2026.7.35): rollback transaction failures', () => {
  txTest('`gateway start` fails once during rollback → the rollback is undone: repaired store kept, gateway running, exit 1', async (make) => {
    const f = await broken(make, { version: '2026.7.35' });
    await repaired(f);
    const patched = await stateOf(f);
    f.fake.writeCtl({ fail: { 'gateway start': { mode: 'once' } } });
    const r = await clawfix(f, ['rollback', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.includes('✖ rollback failed:'))).toHaveLength(1);
    await expectSameState(f, patched);
    expect(await healthz(f.port)).toBe(true);
    expect(fs.existsSync(journalFile(f))).toBe(false);
  }, { concurrent: true });

  txTest('kill -9 after the restore → the next run finishes the rollback', async (make) => {
    const f = await broken(make, { version: '2026.7.35' });
    const original = await stateOf(f);
    await repaired(f);
    const r = await clawfix(f, ['rollback', '--yes'], { CLAWFIX_TEST_CRASH_AT: 'after:restore' });
    expect(r.signal).toBe('SIGKILL');
    await expectSameState(f, original); // restored files are complete
    expect(await healthz(f.port)).toBe(false); // killed while the gateway was down
    const next = await clawfix(f, ['backups']);
    expect(next.code).toBe(0); // listing never recovers or blocks
    const rec = await fix(f, ["--yes"]);
    expect(rec.stderr).toMatch(/recovered:.*rollback.*finishing it/);
    expect(rec.stderr).toMatch(/recovered: started the gateway again/);
    expect(fs.existsSync(journalFile(f))).toBe(false);
    expect(await healthz(f.port)).toBe(true);
  }, { concurrent: true });
});
