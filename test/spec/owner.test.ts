/**
 * clawfix run as root on a state dir another user owns (a uid-1000 dir bind-mounted into a container,
 * repaired from the host): what it creates there belongs to the dir's owner, what it rewrites keeps its
 * owner, so the gateway in the container can still write its state. In-process, on a temp dir; needs
 * root to chown (skipped, saying so, otherwise).
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBackup } from '../../src/apply/backup.js';
import { keepSqliteSidecarsOwned, mkdirOwned, ownerFor, writeAtomic } from '../../src/apply/fs.js';
import { writeJournal } from '../../src/apply/journal.js';
import { acquireLock } from '../../src/apply/lock.js';

const root = process.getuid?.() === 0;
if (!root) console.warn('owner.test: not root: the owner-keeping specs are SKIPPED (only root can give files away)');

const U = 1000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cfx-owner-'));
  dirs.push(d);
  const s = path.join(d, '.openclaw');
  fs.mkdirSync(path.join(s, 'devices'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(s, 'devices', 'paired.json'), '{}', { mode: 0o600 });
  for (const p of [s, path.join(s, 'devices'), path.join(s, 'devices', 'paired.json')]) fs.chownSync(p, U, U);
  return s;
}

const owner = (p: string) => `${fs.statSync(p).uid}:${fs.statSync(p).gid}`;

/** Every path under `dir` and its owner, for the ones not owned by uid 1000. */
function foreign(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((r) => path.join(dir, r)).filter((p) => fs.lstatSync(p).uid !== U).map((p) => `${path.relative(dir, p)} ${owner(p)}`);
}

(root ? describe : describe.skip)('as root on a state dir uid 1000 owns', () => {
  test('new files and dirs take the owner of the dir they are made in; a rewritten file keeps its own', async () => {
    const s = stateDir();
    expect(ownerFor(path.join(s, 'x'))).toEqual({ uid: U, gid: U });
    mkdirOwned(path.join(s, 'clawfix', 'backups', 'b1'), 0o700);
    await writeAtomic(path.join(s, 'clawfix', 'new.json'), '{}', 0o600);
    await writeAtomic(path.join(s, 'devices', 'paired.json'), '{"a":1}', 0o600);
    expect(foreign(s)).toEqual([]);
    expect(fs.statSync(path.join(s, 'clawfix', 'backups', 'b1')).mode & 0o777).toBe(0o700);
    // a file root owns stays root's when rewritten
    fs.writeFileSync(path.join(s, 'root.json'), '{}', { mode: 0o600 });
    await writeAtomic(path.join(s, 'root.json'), '{"b":2}', 0o600);
    expect(owner(path.join(s, 'root.json'))).toBe('0:0');
  });

  test('a dir root owns: nothing is given away', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cfx-owner-root-'));
    dirs.push(d);
    expect(ownerFor(path.join(d, 'x'))).toBeUndefined();
  });

  test('lock, journal and backup of a transaction leave nothing root-owned behind', async () => {
    const s = stateDir();
    const release = await acquireLock(s);
    await writeJournal({ version: 1, id: 'j1', pid: process.pid, startedAtMs: 1, command: 'fix', kind: 'json-scope-upgrade', stateDir: s, gatewayWasRunning: null, expected: [], steps: {}, order: [], phase: 'applying' });
    await createBackup({ stateDir: s, id: 'b1', nowMs: 1, reason: 'test', files: [path.join(s, 'devices', 'paired.json')] });
    await release();
    expect(foreign(s)).toEqual([]);
  });

  test('SQLite sidecars written as root go back to the database’s owner', () => {
    const s = stateDir();
    const db = path.join(s, 'openclaw.sqlite');
    fs.writeFileSync(db, '');
    fs.chownSync(db, U, U);
    fs.writeFileSync(`${db}-wal`, '');
    fs.writeFileSync(`${db}-shm`, '');
    keepSqliteSidecarsOwned(db);
    expect([owner(`${db}-wal`), owner(`${db}-shm`)]).toEqual([`${U}:${U}`, `${U}:${U}`]);
  });
});
