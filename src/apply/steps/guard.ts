/**
 * guard: with the gateway stopped, check that what the plan was made from still holds. edit-config:
 * the config still has the bytes the user opened. JSON scope repair: the device's own fields and
 * requests are as planned; if only unrelated fields changed (the gateway records last-seen times),
 * plan/ makes a new plan on the current files and the transaction runs that one, saying so.
 */
import { promises as fs } from 'node:fs';
import { readJsonInputs } from '../../openclaw/json-store.js';
import { hashFile } from '../fs.js';
import { rebaseJsonScopePlan } from '../../plan/rebase.js';
import { ClawfixError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import type { StepDef } from './types.js';

/** Every file still holds the bytes the plan was made from (by hash, read in chunks: cheap for a 20 MB store). */
async function textsAsPlanned(files: readonly { path: string; beforeSha: string }[]): Promise<boolean> {
  for (const f of files) {
    const now = await hashFile(f.path).catch(() => undefined);
    if (!now || now.sha256 !== f.beforeSha) return false;
  }
  return true;
}

export const guard: StepDef = {
  name: 'guard',
  title: (plan) => (plan.kind === 'config-edit' ? 'Check nobody else changed the config' : 'Check nobody changed the store'),
  async run(tx) {
    const plan = tx.plan;
    if (plan.guard.kind === 'files-unchanged') {
      for (const f of plan.files) {
        const now = await fs.readFile(f.path).catch(() => undefined);
        if (!now || sha256(now) !== f.beforeSha) {
          throw new ClawfixError(`${f.path} was changed by someone else while you were editing it`, { hint: 'nothing was written; run clawfix edit-config again', path: f.path });
        }
      }
      return;
    }
    if (plan.guard.kind !== 'json-device' || plan.kind !== 'json-scope-upgrade') return;
    // The usual case, checked first with a plain read (a 20 MB store is not parsed again): nothing changed.
    if (await textsAsPlanned(plan.files)) return;
    const next = rebaseJsonScopePlan(plan, await readJsonInputs(plan.stateDir));
    if (next === plan) return;
    tx.plan = next;
    tx.ports.log('re-based onto the current file: same change (the gateway rewrote unrelated fields after planning; the patch was re-applied to the current contents)');
  },
};
