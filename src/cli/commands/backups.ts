/** `clawfix backups`: list the backups fix made (newest last). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { backupsDir, listBackups } from '../../apply/backup.js';
import { resolvePaths } from '../../openclaw/paths.js';
import { EXIT } from '../../util/errors.js';
import type { Ctx } from '../context.js';

export async function backups(ctx: Ctx): Promise<number> {
  const { stateDir } = resolvePaths(ctx.app.snapshotOptions, ctx.deps.env, existsSync);
  const all = await listBackups(stateDir);
  if (ctx.out.json) {
    ctx.out.writeJson({
      ok: true,
      stateDir,
      backups: all.map((m) => ({
        id: m.id,
        createdAt: new Date(m.createdAtMs).toISOString(),
        reason: m.reason,
        path: path.join(backupsDir(stateDir), m.id),
        files: m.files.map((f) => f.path),
        rows: m.rows ? m.rows.images.map((r) => `${r.table}[${Object.values(r.key).join('/')}]`) : [],
      })),
    });
    return EXIT.OK;
  }
  if (!all.length) {
    ctx.out.result(`No clawfix backups in ${backupsDir(stateDir)}.`);
    return EXIT.OK;
  }
  for (const m of all) {
    const what = [...m.files.map((f) => path.relative(stateDir, f.path)), ...(m.rows ? [`${m.rows.images.length} SQLite row(s)`] : [])].join(', ');
    ctx.out.result(`${m.id}  ${new Date(m.createdAtMs).toISOString()}  ${m.reason}\n    ${what}`);
  }
  ctx.out.result(ctx.out.colors.dim(`\nRestore one with: clawfix rollback <id>   (latest: clawfix rollback)`));
  return EXIT.OK;
}
