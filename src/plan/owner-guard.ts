/**
 * A repair, rollback or config install as a user who cannot write the state dir is refused before
 * anything is touched (no lock, no stop): it would fail half-way, or, worse, stop a gateway it then
 * cannot restore. The refusal names the owner and the command that runs clawfix as them. Pure.
 */
import type { Snapshot } from '../types.js';
import { ClawfixError, EXIT } from '../util/errors.js';
import { asOwnerCommand } from '../util/shell.js';
import type { GuardedAction } from './container-guard.js';

const REDO: Record<GuardedAction, string> = { repair: 'fix --yes', restart: 'fix --yes', rollback: 'rollback --yes', 'edit-config': 'edit-config' };

export function ownerRefusal(s: Snapshot, action: GuardedAction): ClawfixError | undefined {
  const a = s.access;
  if (!a?.notWritable) return undefined;
  return new ClawfixError(
    `cannot ${action === 'edit-config' ? 'install a config edit' : action}: clawfix runs as uid ${a.uid}, which cannot write ${a.notWritable}; nothing was changed`,
    { exitCode: EXIT.PROBLEM, hint: `run as the owner of ${s.stateDir} (uid ${a.ownerUid}${a.ownerName ? `, ${a.ownerName}` : ''}): ${asOwnerCommand(s.stateDir, a, REDO[action])}`, path: a.notWritable },
  );
}
