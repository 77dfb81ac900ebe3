/**
 * The rollback use case: which backup, what restoring it changes (files whose bytes differ, rows that
 * differ), refused when a backup copy is damaged, planned like a repair and run through the same pipeline
 * (the current state is backed up first, so a rollback can itself be undone).
 */
import { promises as fs } from 'node:fs';
import { listBackups, loadBackup, newBackupId, readBackupFile } from '../apply/backup.js';
import { readRows } from '../apply/sqlite.js';
import { buildRestorePlan } from '../plan/build.js';
import { containerRefusal } from '../plan/container-guard.js';
import { ownerRefusal } from '../plan/owner-guard.js';
import { remoteRefusal } from '../plan/remote-guard.js';
import { restarts, type FileChange, type RestorePlan, type RowChange, type SqliteTarget } from '../plan/types.js';
import { ClawfixError, EXIT } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import type { AppCtx } from './context.js';
import type { Session } from './session.js';

export type RestorePreparation = { kind: 'same'; backupId: string } | { kind: 'plan'; backupId: string; plan: RestorePlan };

async function latestBackupId(stateDir: string): Promise<string> {
  const all = await listBackups(stateDir);
  if (!all.length) throw new ClawfixError(`no clawfix backups in ${stateDir}/clawfix/backups`, { exitCode: EXIT.PROBLEM });
  return all[all.length - 1]!.id;
}

async function fileChanges(stateDir: string, m: Awaited<ReturnType<typeof loadBackup>>): Promise<FileChange[]> {
  const files: FileChange[] = [];
  for (const f of m.files) {
    const data = await readBackupFile(stateDir, m, f.name);
    if (sha256(data) !== f.sha256) throw new ClawfixError(`backup ${m.id}: the copy of ${f.path} is damaged (checksum mismatch); not restoring`, { path: f.path });
    const cur = await fs.readFile(f.path).catch(() => undefined);
    if (cur && cur.equals(data)) continue;
    files.push({ path: f.path, before: cur?.toString('utf8') ?? '', after: data.toString('utf8'), mode: f.mode, beforeSha: cur ? sha256(cur) : '', afterSha: f.sha256 });
  }
  return files;
}

async function rowChanges(m: Awaited<ReturnType<typeof loadBackup>>): Promise<{ rows: RowChange[]; sqlite?: SqliteTarget }> {
  if (!m.rows) return { rows: [] };
  const current = await readRows(m.rows.db, m.rows.images);
  const rows: RowChange[] = [];
  m.rows.images.forEach((im, i) => {
    const cur = current[i]!.row;
    if (JSON.stringify(cur) !== JSON.stringify(im.row)) rows.push({ table: im.table, key: im.key, before: cur, after: im.row });
  });
  return { rows, sqlite: { db: m.rows.db, preImage: current } };
}

/**
 * Remote mode: restoring the local pairing store (rows, or any file but the config) or restarting what
 * answers on the local port is refused; putting back only the client's own config is not.
 */
async function remoteStoreRefusal(s: Session['snapshot'], plan: RestorePlan): Promise<ClawfixError | undefined> {
  const config = await fs.realpath(s.config.path).catch(() => s.config.path);
  const storeTouched = plan.rows.length > 0 || plan.files.some((f) => f.path !== s.config.path && f.path !== config);
  return storeTouched || restarts(plan) ? remoteRefusal(s, 'rollback') : undefined;
}

export async function prepareRestore(app: AppCtx, session: Session, id?: string): Promise<RestorePreparation> {
  const s = session.snapshot;
  const notOwner = ownerRefusal(s, 'rollback');
  if (notOwner) throw notOwner;
  const backupId = id ?? (await latestBackupId(s.stateDir));
  const m = await loadBackup(s.stateDir, backupId);
  const files = await fileChanges(s.stateDir, m);
  const { rows, sqlite } = await rowChanges(m);
  if (!files.length && !rows.length) return { kind: 'same', backupId };
  const plan = buildRestorePlan(s, newBackupId(app.now()), { id: backupId, reason: m.reason }, { files, rows, ...(sqlite ? { sqlite } : {}) }, session.gateway.describe());
  const refusal = containerRefusal(s, 'rollback', restarts(plan)) ?? (await remoteStoreRefusal(s, plan));
  if (refusal) throw refusal;
  return { kind: 'plan', backupId, plan };
}
