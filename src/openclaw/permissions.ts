/**
 * Who may touch the state dir: whether the user clawfix runs as can write it (its owner otherwise,
 * by uid and, from /etc/passwd, by name), and which token/key files other users can read (OpenClaw
 * writes them 0600 in 0700 dirs). Read-only; POSIX only (on Windows modes mean nothing: undefined).
 */
import { constants, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExposedFile, StateDirAccess, StoreKind } from '../types.js';
import { storePaths } from './paths.js';

/** The login name of a uid from /etc/passwd (undefined when it has none or the file is unreadable). */
export function userName(uid: number, passwd = '/etc/passwd'): string | undefined {
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && Number(f[2]) === uid && f[0]) return f[0];
    }
  } catch {
    /* no passwd file */
  }
  return undefined;
}

async function writable(p: string): Promise<boolean> {
  try {
    await fs.access(p, constants.W_OK | constants.X_OK);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Whether `uid` can write the state dir and the dirs a repair writes in (devices/, identity/, state/,
 * clawfix/). Undefined when the state dir does not exist or there are no uids (Windows).
 */
export async function stateDirAccess(stateDir: string, uid: number | undefined): Promise<StateDirAccess | undefined> {
  if (uid === undefined) return undefined;
  const dirs = [stateDir, ...['devices', 'identity', 'state', 'clawfix'].map((d) => path.join(stateDir, d))];
  const top = await fs.stat(stateDir).catch(() => undefined);
  if (!top) return undefined;
  for (const d of dirs) {
    if (await writable(d)) continue;
    const st = await fs.stat(d).catch(() => top);
    const name = userName(st.uid);
    return { uid, notWritable: d, ownerUid: st.uid, ...(name ? { ownerName: name } : {}) };
  }
  const name = userName(top.uid);
  return { uid, ownerUid: top.uid, ...(name ? { ownerName: name } : {}) };
}

/** The token and key files of a state dir (for the era's store) that group or others can read. */
export async function exposedSecretFiles(stateDir: string, store: StoreKind, platform: NodeJS.Platform): Promise<ExposedFile[]> {
  if (platform === 'win32') return [];
  const p = storePaths(stateDir);
  // The SQLite file holds tokens and keys only in the SQLite era (7.35 creates one with empty tables beside the JSON store).
  const candidates = [p.paired, p.identity, p.deviceAuth, ...(store === 'sqlite' ? [p.sqlite, `${p.sqlite}-wal`] : [])];
  const out: ExposedFile[] = [];
  for (const f of candidates) {
    try {
      const st = await fs.stat(f);
      if (st.isFile() && st.mode & 0o044) out.push({ path: f, mode: st.mode & 0o777 });
    } catch {
      /* absent */
    }
  }
  return out;
}
