/**
 * The file store's two primitives, in-process on a temp dir: the state-dir lock (mkdir + refreshed
 * mtime, the protocol proper-lockfile uses, so an older clawfix that locks with proper-lockfile and
 * this one keep out of each other's way) and the atomic write (exact mode, symlinks written through,
 * nothing left behind by a failure).
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { writeAtomic } from '../../src/apply/fs.js';
import { acquireLock, lockPath } from '../../src/apply/lock.js';

let stateDir: string;
beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-spec-'));
});
afterEach(() => {
  jest.useRealTimers();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const clawfixDir = () => path.join(stateDir, 'clawfix');

describe('the state-dir lock', () => {
  test('is a directory while held, and nothing of it is left after release', async () => {
    const release = await acquireLock(stateDir);
    expect(fs.statSync(lockPath(stateDir)).isDirectory()).toBe(true);
    expect(fs.readdirSync(clawfixDir())).toContain(`repair.lock.${process.pid}`);
    await release();
    expect(fs.readdirSync(clawfixDir())).toEqual([]);
  });

  test('a second taker is refused with a readable error while it is held', async () => {
    const release = await acquireLock(stateDir);
    try {
      await expect(acquireLock(stateDir)).rejects.toThrow(/another clawfix is repairing this OpenClaw state dir \(lock .*repair\.lock is held\)/);
    } finally {
      await release();
    }
  });

  test('a lock held with proper-lockfile (an older clawfix) is respected, and proper-lockfile respects this one', async () => {
    fs.mkdirSync(clawfixDir());
    const old = await lockfile.lock(clawfixDir(), { lockfilePath: lockPath(stateDir), realpath: false });
    await expect(acquireLock(stateDir)).rejects.toThrow(/is held/);
    await old();
    const release = await acquireLock(stateDir);
    await expect(lockfile.lock(clawfixDir(), { lockfilePath: lockPath(stateDir), realpath: false, stale: 30_000 })).rejects.toMatchObject({ code: 'ELOCKED' });
    await release();
  });

  test('a lock nobody refreshed for over 30 s is stale and taken over', async () => {
    fs.mkdirSync(lockPath(stateDir), { recursive: true });
    const old = new Date(Date.now() - 31_000);
    fs.utimesSync(lockPath(stateDir), old, old);
    const release = await acquireLock(stateDir);
    expect(Date.now() - fs.statSync(lockPath(stateDir)).mtimeMs).toBeLessThan(5_000);
    await release();
  });

  test('a held lock is refreshed every 5 s, so it never looks stale to another taker', async () => {
    jest.useFakeTimers({ doNotFake: ['Date', 'performance', 'nextTick', 'queueMicrotask', 'setImmediate'] });
    const release = await acquireLock(stateDir);
    const old = new Date(Date.now() - 29_000);
    fs.utimesSync(lockPath(stateDir), old, old);
    jest.advanceTimersByTime(5_000);
    expect(Date.now() - fs.statSync(lockPath(stateDir)).mtimeMs).toBeLessThan(5_000);
    await release();
  });

  test('a lock whose only marks name dead clawfix processes is taken over at once', async () => {
    fs.mkdirSync(lockPath(stateDir), { recursive: true });
    const dead = 2 ** 22 + 12345; // above pid_max's default: no such process
    fs.writeFileSync(`${lockPath(stateDir)}.${dead}`, '');
    const release = await acquireLock(stateDir);
    expect(fs.existsSync(`${lockPath(stateDir)}.${dead}`)).toBe(false);
    await release();
  });
});

describe('writeAtomic', () => {
  test('writes the exact mode whatever the umask, and UTF-8 text byte for byte', async () => {
    const file = path.join(stateDir, 'paired.json');
    const before = process.umask(0o077);
    try {
      await writeAtomic(file, '{"é":"\u2028"}\n', 0o644);
    } finally {
      process.umask(before);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(file)).toEqual(Buffer.from('{"é":"\u2028"}\n', 'utf8'));
  });

  test('replaces an existing file and keeps no temp file beside it', async () => {
    const file = path.join(stateDir, 'pending.json');
    fs.writeFileSync(file, 'old', { mode: 0o600 });
    await writeAtomic(file, Buffer.from('new'), 0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.readdirSync(stateDir)).toEqual(['pending.json']);
  });

  test('a symlinked file is written where the link points; the link stays a link', async () => {
    const real = path.join(stateDir, 'real.json');
    const link = path.join(stateDir, 'paired.json');
    fs.writeFileSync(real, 'old');
    fs.symlinkSync(real, link);
    await writeAtomic(link, 'new', 0o600);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('new');
  });

  test('a write that fails names the file, leaves what was there, and no temp file', async () => {
    const file = path.join(stateDir, 'paired.json');
    fs.mkdirSync(file); // a directory where the file should be: the rename fails
    fs.writeFileSync(path.join(file, 'keep'), 'x');
    await expect(writeAtomic(file, 'new', 0o600)).rejects.toThrow(`could not write ${file}`);
    expect(fs.readdirSync(stateDir)).toEqual(['paired.json']);
    expect(fs.readFileSync(path.join(file, 'keep'), 'utf8')).toBe('x');
  });
});
