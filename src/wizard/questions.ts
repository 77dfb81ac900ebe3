/**
 * The wizard's questions, over the prompt port: which device, operator.admin consent (after the
 * warning), what to do with the plan, which scopes, whether to apply, recovery and rollback offers.
 * They only ever run on a terminal.
 */
import type { Out } from '../cli/io.js';
import type { PromptPort } from '../cli/ports/types.js';
import type { RepairQuestions } from '../usecase/repair-flow.js';
import { ADMIN } from '../util/scopes.js';

export const ADMIN_WARNING =
  'operator.admin lets the device change the gateway config, approve other devices, and run anything an owner can. Grant it only if you trust every sub-agent on this machine.';

export function repairQuestions(ask: PromptPort, out: Out): RepairQuestions {
  const warn = () => out.info(out.colors.yellow(`⚠ ${ADMIN_WARNING}`));
  return {
    chooseDevice: (candidates) =>
      ask.select(
        'Several devices were refused scopes. Which one should be repaired?',
        candidates.map((f) => ({ name: f.title, value: f.device!.deviceId })),
      ),
    async consentAdmin(reason) {
      warn();
      return ask.confirm(reason === 'requested' ? 'The device also asked for operator.admin. Grant operator.admin too?' : 'Really grant operator.admin?', false);
    },
    nextAction: () =>
      ask.select('What now?', [
        { name: 'Apply this repair', value: 'apply' as const },
        { name: 'Change which scopes to grant', value: 'scopes' as const },
        { name: 'Cancel (change nothing)', value: 'cancel' as const },
      ]),
    pickScopes: (offered, granted) =>
      ask.checkbox(
        'Scopes to grant (space to toggle, enter to confirm)',
        offered.map((x) => ({ name: x === ADMIN ? `${x}  (full control: see warning)` : x, value: x, checked: granted.includes(x) })),
      ),
    confirmApply: () => ask.confirm('Apply this repair?', true),
  };
}

export function askRecovery(ask: PromptPort): Promise<boolean> {
  return ask.confirm('Recover it now? (finishes it if it was fully written, otherwise restores the backup)', true);
}

export function askRollbackLast(ask: PromptPort, last: { id: string; reason: string }): Promise<boolean> {
  return ask.confirm(`The last clawfix repair (${last.id}: ${last.reason}) is in place. Roll it back?`, false);
}

export function askRestore(ask: PromptPort, id: string): Promise<boolean> {
  return ask.confirm(`Restore backup ${id}?`, true);
}
