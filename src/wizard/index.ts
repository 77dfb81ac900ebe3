/**
 * The interactive way in (`clawfix` on a terminal): recover an interrupted repair if there is one,
 * detect with a spinner, then the same plan/pipeline as `clawfix fix` with its prompts; when nothing
 * is wrong, offer to roll back the last repair. No prompt is ever shown without a TTY.
 */
import { listBackups } from '../apply/backup.js';
import { pidAlive, readJournal } from '../apply/journal.js';
import { problems } from '../detect/index.js';
import { resolvePaths } from '../openclaw/paths.js';
import { existsSync } from 'node:fs';
import { EXIT } from '../util/errors.js';
import { makeSpinner } from '../util/spinner.js';
import type { Ctx } from '../cli/context.js';
import type { FixArgs } from '../cli/main.js';
import { fix, inquirerPrompter, type Prompter } from '../cli/commands/fix.js';
import { openSession } from '../cli/session.js';

export async function wizard(ctx: Ctx, args: FixArgs, injected?: Prompter): Promise<number> {
  const { out } = ctx;
  const ask = injected ?? (await inquirerPrompter(ctx));
  const c = out.colors;
  const { stateDir } = resolvePaths(ctx.snapshotOptions, ctx.deps.env, existsSync);

  const journal = await readJournal(stateDir);
  if (journal && !pidAlive(journal.pid)) {
    out.info(c.yellow(`An interrupted clawfix ${journal.command} (${journal.id}, started ${new Date(journal.startedAtMs).toISOString()}) was found.`));
    const ok = await ask.confirm('Recover it now? (finishes it if it was fully written, otherwise restores the backup)', true);
    if (!ok) {
      out.result('Nothing was changed. Run clawfix again when you want to recover it.');
      return EXIT.PROBLEM;
    }
  }

  const spin = makeSpinner(ctx.deps.stderr, !out.json && !ctx.deps.env.CI);
  spin.start('Looking at your OpenClaw setup…');
  let session;
  try {
    session = await openSession(ctx, { dryRun: false });
  } finally {
    spin.stop();
  }
  const bad = problems(session.findings);
  if (!bad.length) {
    out.result(c.green('✔ No pairing problems found: sub-agents should be able to connect.'));
    const last = (await listBackups(stateDir)).pop();
    if (last) {
      const again = await ask.confirm(`The last clawfix repair (${last.id}: ${last.reason}) is in place. Roll it back?`, false);
      if (again) {
        const { rollback } = await import('../cli/commands/rollback.js');
        return rollback(ctx, { id: last.id, yes: true });
      }
    }
    return EXIT.OK;
  }
  return fix(ctx, args, ask, session);
}
