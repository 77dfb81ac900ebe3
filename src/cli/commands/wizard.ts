/** `clawfix` with no command: the wizard on a terminal; without one, the same as `fix` with --yes / --dry-run, or exit 2. */
import { requireConsent } from '../consent.js';
import type { Ctx } from '../context.js';
import type { FixArgs } from './fix.js';

export async function interactive(ctx: Ctx, args: FixArgs): Promise<number> {
  requireConsent(ctx, args.yes || args.dryRun, 'run `clawfix fix --yes` to repair unattended, `clawfix fix --dry-run` to preview, or `clawfix diagnose` to only look');
  if (!args.yes && !args.dryRun) {
    const { wizard } = await import('../../wizard/index.js');
    return wizard(ctx, args);
  }
  const { fix } = await import('./fix.js');
  return fix(ctx, args);
}
