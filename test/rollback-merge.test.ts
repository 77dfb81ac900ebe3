/**
 * A rollback never takes away what someone else changed later (issue 11): after a repair a phone
 * pairs; `rollback --yes` undoes only what the repair changed (the device's fields, the pending
 * requests it dropped) and keeps the phone. Where a later change touched the same record, the rollback
 * refuses, names it, and `--force` takes the old file (or rows) whole. Both stores.
 */
import { afterAll, describe, expect } from '@jest/globals';
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { Fixture } from './helpers/fixtures.js';
import { STORES, broken, cleanupAll, clawfix, fix, txTest } from './helpers/repair.js';

afterAll(cleanupAll);

const PHONE = 'f'.repeat(64);

async function repaired(f: Fixture): Promise<string> {
  const r = await fix(f, ['--yes', '--json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { backup: { id: string } }).backup.id;
}

/** What a later pairing leaves in the store: a new device record (stored the way the store stores it). */
function phonePairs(f: Fixture): void {
  if (f.store === 'json') {
    const paired = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8')) as Record<string, unknown>;
    paired[PHONE] = { deviceId: PHONE, publicKey: 'pk-phone', displayName: 'phone', role: 'operator', roles: ['operator'], scopes: ['operator.read'], approvedScopes: ['operator.read'], createdAtMs: Date.now(), approvedAtMs: Date.now() };
    fs.writeFileSync(f.paths.paired, JSON.stringify(paired, null, 2));
    return;
  }
  const db = new DatabaseSync(f.paths.sqlite);
  db.prepare("INSERT INTO device_pairing_paired (device_id, public_key, display_name, role, roles_json, scopes_json, approved_scopes_json, created_at_ms, approved_at_ms) VALUES (?, 'pk-phone', 'phone', 'operator', '[\"operator\"]', '[\"operator.read\"]', '[\"operator.read\"]', ?, ?)").run(PHONE, Date.now(), Date.now());
  db.close();
}

/** A later change to the repaired device itself (someone approved operator.pairing too). */
function deviceChangedAgain(f: Fixture): void {
  const scopes = ['operator.read', 'operator.write', 'operator.pairing'];
  if (f.store === 'json') {
    const paired = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8')) as Record<string, Record<string, unknown>>;
    paired[f.deviceId]!.approvedScopes = scopes;
    fs.writeFileSync(f.paths.paired, JSON.stringify(paired, null, 2));
    return;
  }
  const db = new DatabaseSync(f.paths.sqlite);
  db.prepare('UPDATE device_pairing_paired SET approved_scopes_json = ? WHERE device_id = ?').run(JSON.stringify(scopes), f.deviceId);
  db.close();
}

describe.each(STORES)('rollback after later changes, $name', ({ version }) => {
  txTest('a device paired after the repair survives the rollback; the repaired device goes back', async (make) => {
    const f = await broken(make, { version, stopAfter: true });
    const id = await repaired(f);
    phonePairs(f);
    const r = await clawfix(f, ['rollback', id, '--yes']);
    expect(r.code).toBe(0);
    if (f.store === 'json') expect(r.stdout).toMatch(/keeps what changed after the repair: \d+ record\(s\)/);
    const s = f.readStore();
    expect(Object.keys(s.paired)).toContain(PHONE);
    expect(s.paired[f.deviceId]!.approvedScopes).toEqual(['operator.read']);
    if (f.store === 'json') expect(Object.keys(s.pending).length).toBeGreaterThan(0); // the dropped request is back
  }, { concurrent: true });

  txTest('the repaired record changed again: refused with the record named and --force offered; --force takes the old state whole', async (make) => {
    const f = await broken(make, { version, stopAfter: true });
    const id = await repaired(f);
    phonePairs(f);
    deviceChangedAgain(f);
    const before = f.readStore();
    const r = await clawfix(f, ['rollback', id, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be rolled back record by record: what the repair changed was changed again since/);
    expect(r.stderr).toContain(f.deviceId.slice(0, 8));
    expect(r.stderr).toContain('--force');
    expect(f.readStore()).toEqual(before);
    const forced = await clawfix(f, ['rollback', id, '--yes', '--force']);
    expect(forced.code).toBe(0);
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read']);
  }, { concurrent: true });
});
