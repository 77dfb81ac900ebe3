/**
 * Backups live in <state>/clawfix/backups/<id>/ (dir 0700, files 0600): exact copies of the files a
 * repair touches, or the pre-image of the SQLite rows it changes, plus a manifest. A backup is
 * verified by re-reading before anything is patched, and only the newest KEEP are kept.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ClawfixError, describeFsError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { copyAtomic, eachAtOnce, hashFile, mkdirOwned, writeAtomic } from './fs.js';
import { clawfixDir } from '../records/journal.js';
import type { RowImage } from '../plan/types.js';
import type { FaultPort } from './faults.js';

export const KEEP = 10;

export type { RowImage } from '../plan/types.js';

export interface BackupManifest {
  version: 1;
  id: string;
  createdAtMs: number;
  reason: string;
  stateDir: string;
  files: { path: string; name: string; sha256: string; mode: number; size: number }[];
  rows?: { db: string; images: RowImage[] };
  /**
   * What the transaction wrote (recorded once it has written): a copy of each file as written, and the
   * rows as they were right after (in `after-rows.json`). A rollback compares the current state with
   * these, record by record, to undo only what the repair changed and keep what came later.
   */
  after?: { files: { path: string; name: string; sha256: string }[]; rows?: string };
}

export function backupsDir(stateDir: string): string {
  return path.join(clawfixDir(stateDir), 'backups');
}

export function newBackupId(nowMs: number): string {
  const d = new Date(nowMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${randomBytes(2).toString('hex')}`;
}

function jsonSafe(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

export async function createBackup(o: {
  stateDir: string;
  id: string;
  reason: string;
  nowMs: number;
  files: string[];
  rows?: { db: string; images: RowImage[] };
  faults?: FaultPort;
}): Promise<BackupManifest> {
  const dir = path.join(backupsDir(o.stateDir), o.id);
  try {
    mkdirOwned(dir, 0o700);
    await fs.chmod(backupsDir(o.stateDir), 0o700);
    await fs.chmod(clawfixDir(o.stateDir), 0o700);
    const manifest: BackupManifest = { version: 1, id: o.id, createdAtMs: o.nowMs, reason: o.reason, stateDir: o.stateDir, files: [] };
    manifest.files = await eachAtOnce(o.files, async (file, i) => {
      o.faults?.fault('backup', file);
      const st = await fs.stat(file);
      const name = `${i}-${path.basename(file)}`;
      // copied in chunks: a 20 MB store is not held in memory twice
      const copied = await copyAtomic(file, path.join(dir, name), 0o600, o.faults);
      return { path: file, name, sha256: copied.sha256, mode: st.mode & 0o777, size: copied.size };
    });
    if (o.rows) {
      o.faults?.fault('backup', o.rows.db);
      manifest.rows = {
        db: o.rows.db,
        images: o.rows.images.map((im) => ({ ...im, row: im.row ? Object.fromEntries(Object.entries(im.row).map(([k, v]) => [k, jsonSafe(v)])) : null })),
      };
    }
    await writeAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', 0o600, o.faults);
    await verifyBackup(o.stateDir, manifest);
    return manifest;
  } catch (err) {
    // A half-written backup has no usable manifest: listings skip it and pruning never sees it, so
    // remove it here or it stays forever.
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof ClawfixError) throw err;
    const d = describeFsError(err, (err as { path?: string }).path ?? dir);
    throw new ClawfixError(`backup failed: ${d.message}`, { hint: d.hint, cause: err });
  }
}

/** Re-read every backed-up file and compare hashes with the manifest (and, for files, with the original). */
export async function verifyBackup(stateDir: string, m: BackupManifest): Promise<void> {
  const dir = path.join(backupsDir(stateDir), m.id);
  for (const f of m.files) {
    if ((await hashFile(path.join(dir, f.name))).sha256 !== f.sha256) throw new ClawfixError(`backup ${m.id} is damaged: ${f.name} does not match its checksum`, { path: path.join(dir, f.name) });
  }
  const again = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (again.id !== m.id || again.files.length !== m.files.length) throw new ClawfixError(`backup ${m.id}: manifest did not read back`);
}

export async function readBackupFile(stateDir: string, m: BackupManifest, name: string): Promise<Buffer> {
  const p = path.join(backupsDir(stateDir), m.id, name);
  try {
    return await fs.readFile(p);
  } catch (err) {
    const d = describeFsError(err, p);
    throw new ClawfixError(`backup ${m.id} is unreadable: ${d.message}`, { hint: d.hint, path: p });
  }
}

export async function loadBackup(stateDir: string, id: string): Promise<BackupManifest> {
  const p = path.join(backupsDir(stateDir), id, 'manifest.json');
  let text: string;
  try {
    text = await fs.readFile(p, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ClawfixError(`no backup with id ${id}`, { hint: 'list them with `clawfix backups`', exitCode: 2 });
    }
    const d = describeFsError(err, p);
    throw new ClawfixError(`backup ${id} is unreadable: ${d.message}`, { hint: d.hint, path: p });
  }
  try {
    const m = JSON.parse(text) as BackupManifest;
    if (m.version !== 1 || m.id !== id || !Array.isArray(m.files)) throw new Error('unexpected manifest');
    return m;
  } catch {
    throw new ClawfixError(`backup ${id} has a damaged manifest (${p})`, { path: p });
  }
}

export async function listBackups(stateDir: string): Promise<BackupManifest[]> {
  let names: string[];
  try {
    names = await fs.readdir(backupsDir(stateDir));
  } catch {
    return [];
  }
  const out: BackupManifest[] = [];
  for (const n of names.sort()) {
    try {
      out.push(await loadBackup(stateDir, n));
    } catch {
      /* skip damaged entries in listings */
    }
  }
  return out.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
}

export async function pruneBackups(stateDir: string, keep = KEEP): Promise<string[]> {
  const all = await listBackups(stateDir);
  const drop = all.slice(0, Math.max(0, all.length - keep));
  for (const m of drop) await fs.rm(path.join(backupsDir(stateDir), m.id), { recursive: true, force: true });
  return drop.map((m) => m.id);
}

/** Put every backed-up file back (atomically, mode kept), skipping those already identical. */
export async function restoreFilesFromBackup(stateDir: string, m: BackupManifest, faults?: FaultPort): Promise<void> {
  for (const f of m.files) {
    let current: Buffer | undefined;
    try {
      current = await fs.readFile(f.path);
    } catch {
      current = undefined;
    }
    if (current && sha256(current) === f.sha256) {
      const st = await fs.stat(f.path);
      if ((st.mode & 0o777) === f.mode) continue;
    }
    const data = await readBackupFile(stateDir, m, f.name);
    if (sha256(data) !== f.sha256) throw new ClawfixError(`backup copy of ${f.path} is damaged; not restoring it`, { path: f.path });
    await writeAtomic(f.path, data, f.mode, faults);
  }
}

/**
 * Record what the transaction wrote next to its backup (files as written, rows as they are now), then
 * the manifest that names them. Best effort by design: a rollback without it restores whole files.
 */
export async function recordAfter(stateDir: string, m: BackupManifest, files: readonly { path: string; after: string }[], rows?: RowImage[], faults?: FaultPort): Promise<BackupManifest> {
  const dir = path.join(backupsDir(stateDir), m.id);
  const after: NonNullable<BackupManifest['after']> = { files: [] };
  after.files = await eachAtOnce(files, async (f, i) => {
    const name = `${i}-${path.basename(f.path)}.after`;
    await writeAtomic(path.join(dir, name), f.after, 0o600, faults);
    return { path: f.path, name, sha256: sha256(f.after) };
  });
  if (rows) {
    after.rows = 'after-rows.json';
    await writeAtomic(path.join(dir, after.rows), JSON.stringify(rows.map((im) => ({ ...im, row: im.row ? Object.fromEntries(Object.entries(im.row).map(([k, v]) => [k, jsonSafe(v)])) : null }))) + '\n', 0o600, faults);
  }
  const next = { ...m, after };
  await writeAtomic(path.join(dir, 'manifest.json'), JSON.stringify(next, null, 2) + '\n', 0o600, faults);
  return next;
}

/** The recorded after-state of a backup's transaction (undefined for backups made before it was recorded). */
export async function loadAfter(stateDir: string, m: BackupManifest): Promise<{ files: Map<string, Buffer>; rows?: RowImage[] } | undefined> {
  if (!m.after) return undefined;
  const dir = path.join(backupsDir(stateDir), m.id);
  try {
    const files = new Map<string, Buffer>();
    for (const f of m.after.files) {
      const data = await fs.readFile(path.join(dir, f.name));
      if (sha256(data) !== f.sha256) return undefined;
      files.set(f.path, data);
    }
    const rows = m.after.rows ? (JSON.parse(await fs.readFile(path.join(dir, m.after.rows), 'utf8')) as RowImage[]) : undefined;
    return { files, ...(rows ? { rows } : {}) };
  } catch {
    return undefined;
  }
}
