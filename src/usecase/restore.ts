/**
 * The rollback use case: which backup, what restoring it changes (files whose bytes differ, rows that
 * differ), refused when a backup copy is damaged, planned like a repair and run through the same pipeline
 * (the current state is backed up first, so a rollback can itself be undone).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { listBackups, loadAfter, loadBackup, newBackupId, readBackupFile } from '../apply/backup.js';
import { readRows } from '../apply/sqlite.js';
import { buildRestorePlan } from '../plan/build.js';
import { mergeRecords, mergeRow } from '../plan/merge.js';
import { containerRefusal } from '../plan/container-guard.js';
import { ownerRefusal } from '../plan/owner-guard.js';
import { remoteRefusal } from '../plan/remote-guard.js';
import { restarts, type FileChange, type RestorePlan, type RowChange, type SqliteTarget } from '../plan/types.js';
import { ClawfixError, EXIT } from '../util/errors.js';
import { shortId } from '../util/format.js';
import { sha256 } from '../util/hash.js';
import type { AppCtx } from './context.js';
import type { Session } from './session.js';

export type RestorePreparation = { kind: 'same'; backupId: string } | { kind: 'plan'; backupId: string; plan: RestorePlan };

async function latestBackupId(stateDir: string): Promise<string> {
  const all = await listBackups(stateDir);
  if (!all.length) throw new ClawfixError(`no clawfix backups in ${stateDir}/clawfix/backups`, { exitCode: EXIT.PROBLEM });
  return all[all.length - 1]!.id;
}

type Manifest = Awaited<ReturnType<typeof loadBackup>>;
type After = Awaited<ReturnType<typeof loadAfter>>;

/** What a rollback restores and what it keeps; the conflicts refuse it (unless --force). */
interface Changes {
  files: FileChange[];
  rows: RowChange[];
  sqlite?: SqliteTarget;
  kept: string[];
  conflicts: string[];
}

function change(path: string, cur: Buffer | undefined, after: string, mode: number): FileChange {
  return { path, before: cur?.toString('utf8') ?? '', after, mode, beforeSha: cur ? sha256(cur) : '', afterSha: sha256(after) };
}

async function fileChanges(stateDir: string, m: Manifest, after: After, force: boolean, c: Changes): Promise<void> {
  for (const f of m.files) {
    const data = await readBackupFile(stateDir, m, f.name);
    if (sha256(data) !== f.sha256) throw new ClawfixError(`backup ${m.id}: the copy of ${f.path} is damaged (checksum mismatch); not restoring`, { path: f.path });
    const cur = await fs.readFile(f.path).catch(() => undefined);
    if (cur && cur.equals(data)) continue;
    const wrote = after?.files.get(f.path);
    // Nothing changed since the repair (or --force, or no record of what it wrote): the old file whole.
    if (force || !wrote || !cur || cur.equals(wrote)) {
      c.files.push(change(f.path, cur, data.toString('utf8'), f.mode));
      continue;
    }
    const merged = mergeRecords(data.toString('utf8'), wrote.toString('utf8'), cur.toString('utf8'));
    const name = path.relative(stateDir, f.path);
    if (merged.text === undefined) c.conflicts.push(`${name} (not a JSON object now)`);
    c.conflicts.push(...merged.conflicts.map((k) => `${name}: ${shortId(k)}`));
    c.kept.push(...merged.kept.map((k) => `${name}: ${shortId(k)}`));
    if (merged.text !== undefined && merged.text !== cur.toString('utf8')) c.files.push(change(f.path, cur, merged.text, f.mode));
  }
}

async function rowChanges(m: Manifest, after: After, force: boolean, c: Changes): Promise<void> {
  if (!m.rows) return;
  const current = await readRows(m.rows.db, m.rows.images);
  m.rows.images.forEach((im, i) => {
    const cur = current[i]!.row;
    const wrote = after?.rows?.[i];
    const how = force || !wrote ? (JSON.stringify(cur) === JSON.stringify(im.row) ? 'keep' : 'restore') : mergeRow(im.row, wrote.row, cur);
    const label = `${im.table}[${Object.values(im.key).map(shortId).join('/')}]`;
    if (how === 'restore') c.rows.push({ table: im.table, key: im.key, before: cur, after: im.row });
    else if (how === 'conflict') c.conflicts.push(label);
  });
  c.sqlite = { db: m.rows.db, preImage: current };
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

export async function prepareRestore(app: AppCtx, session: Session, id?: string, force = false): Promise<RestorePreparation> {
  const s = session.snapshot;
  const notOwner = ownerRefusal(s, 'rollback');
  if (notOwner) throw notOwner;
  const backupId = id ?? (await latestBackupId(s.stateDir));
  const m = await loadBackup(s.stateDir, backupId);
  const after = await loadAfter(s.stateDir, m);
  const c: Changes = { files: [], rows: [], kept: [], conflicts: [] };
  await fileChanges(s.stateDir, m, after, force, c);
  await rowChanges(m, after, force, c);
  if (c.conflicts.length) {
    throw new ClawfixError(
      `backup ${backupId} cannot be rolled back record by record: what the repair changed was changed again since (${c.conflicts.join('; ')}); nothing was changed`,
      { hint: `look at those records; rerun with --force to put the old files/rows back whole (what changed in them since is lost; the current state is backed up first)` },
    );
  }
  if (!c.files.length && !c.rows.length) return { kind: 'same', backupId };
  const notes = [
    ...(c.kept.length ? [`keeps what changed after the repair: ${c.kept.length} record(s) (${c.kept.slice(0, 5).join(', ')}${c.kept.length > 5 ? ', …' : ''})`] : []),
    ...(!after && !force && (m.files.length || m.rows) ? ['this backup predates record-level rollback: the files are restored whole'] : []),
    ...(force ? ['--force: the old files and rows are put back whole'] : []),
  ];
  const plan = buildRestorePlan(s, newBackupId(app.now()), { id: backupId, reason: m.reason }, { files: c.files, rows: c.rows, ...(c.sqlite ? { sqlite: c.sqlite } : {}), notes }, session.gateway.describe());
  const refusal = containerRefusal(s, 'rollback', restarts(plan)) ?? (await remoteStoreRefusal(s, plan));
  if (refusal) throw refusal;
  return { kind: 'plan', backupId, plan };
}
