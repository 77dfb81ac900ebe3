/**
 * Re-basing a JSON scope plan onto the store as it is now, with the gateway stopped. The running
 * gateway rewrites paired.json on every device connect (last-seen times, metadata): the same change on
 * the current files is a NEW plan (same id, grant and device), never an edit of the plan that was shown.
 * If the device's own scopes, token or requests changed, someone else edited it: refused.
 */
import type { JsonInputs } from '../openclaw/json-store.js';
import { storePaths } from '../openclaw/paths.js';
import { ClawfixError } from '../util/errors.js';
import { isLeftStoppedNote, jsonScopeNotes } from './build.js';
import { jsonGuard, planJsonPatch } from './json-scope.js';
import { freeze, type JsonScopePlan } from './types.js';

/** `plan` itself when the files are exactly as planned; a new plan on the current files otherwise. */
export function rebaseJsonScopePlan(plan: JsonScopePlan, inputs: JsonInputs): JsonScopePlan {
  const current = [inputs.paired, inputs.pending, inputs.deviceAuth];
  if (plan.files.every((f) => current.some((r) => r.path === f.path && r.text === f.before))) return plan;
  const g = plan.guard;
  if (g.kind !== 'json-device' || g.fingerprint !== jsonGuard(inputs, g.deviceId, g.role)) {
    throw new ClawfixError(
      `the store changed since the plan was made: device ${plan.scope.deviceId}'s scopes, token or pending requests are different now (someone else edited it)`,
      { hint: 'nothing was written; run clawfix again to plan against the current state', path: storePaths(plan.stateDir).paired },
    );
  }
  const patch = planJsonPatch(inputs, plan.scope.deviceId, [...plan.scope.grant]);
  return freeze({
    ...plan,
    files: patch.files,
    removedRequests: patch.removedRequests,
    // The same start command as the plan shown (the gateway's own: a container's, the service's).
    notes: [
      ...jsonScopeNotes(patch.removedRequests, undefined, [inputs.paired, inputs.pending, inputs.deviceAuth].filter((f) => f.format?.bom).map((f) => f.path)),
      ...plan.notes.filter(isLeftStoppedNote),
    ],
  });
}
