/**
 * `clawfix rollback [id]`: restore a backup through the same pipeline as a repair: lock, stop the
 * gateway (JSON store), back up the current state (so the rollback can itself be undone), restore,
 * start, verify.
 */
import { promises as fs } from 'node:fs';
import { listBackups, loadBackup, newBackupId, readBackupFile } from '../../apply/backup.js';
import { executePlan } from '../../apply/execute.js';
import { readRows } from '../../apply/sqlite.js';
import { buildRestorePlan } from '../../plan/build.js';
import { containerRefusal, restarts } from '../../plan/container-guard.js';
import type { Plan, FileChange, RowChange } from '../../plan/types.js';
import { ClawfixError, EXIT } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import type { Ctx } from '../context.js';
import { inquirerPrompter } from './fix.js';
import { openSession, planJson, renderPlan, stepReporter, summarize } from '../session.js';

export async function rollback(ctx: Ctx, a: { id?: string; yes: boolean }): Promise<number> {
  const { out } = ctx;
  const session = await openSession(ctx, { dryRun: false });
  const s = session.snapshot;
  let id = a.id;
  if (!id) {
    const all = await listBackups(s.stateDir);
    if (!all.length) throw new ClawfixError(`no clawfix backups in ${s.stateDir}/clawfix/backups`, { exitCode: EXIT.PROBLEM });
    id = all[all.length - 1]!.id;
  }
  const m = await loadBackup(s.stateDir, id);
  const files: FileChange[] = [];
  for (const f of m.files) {
    const data = await readBackupFile(s.stateDir, m, f.name);
    if (sha256(data) !== f.sha256) throw new ClawfixError(`backup ${id}: the copy of ${f.path} is damaged (checksum mismatch); not restoring`, { path: f.path });
    let cur: Buffer | undefined;
    try {
      cur = await fs.readFile(f.path);
    } catch {
      cur = undefined;
    }
    if (cur && cur.equals(data)) continue;
    files.push({ path: f.path, before: cur?.toString('utf8') ?? '', after: data.toString('utf8'), mode: f.mode, beforeSha: cur ? sha256(cur) : '', afterSha: f.sha256 });
  }
  const rows: RowChange[] = [];
  let sqlite: Plan['sqlite'];
  if (m.rows) {
    const current = await readRows(m.rows.db, m.rows.images);
    m.rows.images.forEach((im, i) => {
      const cur = current[i]!.row;
      if (JSON.stringify(cur) !== JSON.stringify(im.row)) rows.push({ table: im.table, key: im.key, before: cur, after: im.row });
    });
    sqlite = { db: m.rows.db, preImage: current };
  }
  if (!files.length && !rows.length) {
    out.result(`Backup ${id} matches the current state: nothing to restore.`);
    if (out.json) out.writeJson({ ok: true, backup: id, applied: [], exitCode: EXIT.OK });
    return EXIT.OK;
  }
  const plan = buildRestorePlan(s, newBackupId(ctx.deps.now()), { id, reason: m.reason }, { files, rows, ...(sqlite ? { sqlite } : {}) }, session.gateway.describe());
  const refusal = containerRefusal(s, 'rollback', restarts(plan));
  if (refusal) throw refusal;
  if (!out.json) out.result(await renderPlan(ctx, plan) + '\n');
  if (!a.yes && out.interactive) {
    const ask = await inquirerPrompter(ctx);
    if (!(await ask.confirm(`Restore backup ${id}?`, true))) {
      out.result('Nothing was changed.');
      return EXIT.OK;
    }
  }
  const res = await executePlan(plan, 'rollback', { gateway: session.gateway, now: ctx.deps.now, logFiles: [], log: (msg) => out.info(msg) }, {
    ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}),
    onEvent: stepReporter(ctx),
  });
  const code = summarize(ctx, plan, res, 'rollback');
  if (out.json) {
    out.writeJson({ ok: res.ok, restored: id, plan: await planJson(plan), applied: res.applied, backup: res.backupId ? { id: res.backupId } : null, rolledBack: res.rolledBack, exitCode: code });
  }
  return code;
}
