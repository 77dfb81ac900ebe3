/**
 * The interactive way in (`clawfix` on a terminal): offer to recover an interrupted repair, look with
 * a spinner, then the repair flow with the wizard's questions; when nothing is wrong, offer to roll
 * back the last repair. No prompt is ever shown without a TTY (the command checks before calling).
 */
import { existsSync } from 'node:fs';
import { listBackups } from '../apply/backup.js';
import { fix, type FixArgs } from '../cli/commands/fix.js';
import type { Ctx } from '../cli/context.js';
import { problems } from '../detect/index.js';
import { resolvePaths } from '../openclaw/paths.js';
import { readJournal } from '../records/journal.js';
import { openSession } from '../usecase/session.js';
import { EXIT } from '../util/errors.js';
import { pidAlive } from '../util/pid.js';
import { makeSpinner } from '../util/spinner.js';
import { askRecovery, askRollbackLast } from './questions.js';

export async function wizard(ctx: Ctx, args: FixArgs): Promise<number> {
  const { out } = ctx;
  const ask = await ctx.deps.prompt();
  const c = out.colors;
  const { stateDir } = resolvePaths(ctx.app.snapshotOptions, ctx.deps.env, existsSync);

  const journal = await readJournal(stateDir);
  if (journal && !pidAlive(journal.pid)) {
    out.info(c.yellow(`An interrupted clawfix ${journal.command} (${journal.id}, started ${new Date(journal.startedAtMs).toISOString()}) was found.`));
    if (!(await askRecovery(ask))) {
      out.result('Nothing was changed. Run clawfix again when you want to recover it.');
      return EXIT.PROBLEM;
    }
  }

  const spin = makeSpinner(ctx.deps.stderr, !out.json && !ctx.deps.env.CI);
  spin.start('Looking at your OpenClaw setup…');
  let session;
  try {
    session = await openSession(ctx.app, { dryRun: false });
  } finally {
    spin.stop();
  }
  if (problems(session.findings).length) return fix(ctx, args, session);
  out.result(c.green('✔ No pairing problems found: sub-agents should be able to connect.'));
  const last = (await listBackups(stateDir)).pop();
  if (last && (await askRollbackLast(ask, last))) {
    const { rollback } = await import('../cli/commands/rollback.js');
    return rollback(ctx, { id: last.id, yes: true });
  }
  return EXIT.OK;
}
