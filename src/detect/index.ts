/**
 * The detector registry and runner. Detectors are pure, one per file, named by the finding they
 * produce; the runner times each one and turns a throw into a `detector-failed` finding, so one broken
 * check never hides the others.
 */
import type { Detector, Finding, FindingId, FindingRole, Snapshot } from '../types.js';
import { configEditedWhileRunning } from './config-edited-while-running.js';
import { eraNeverApproves } from './era-never-approves.js';
import { firstTimePairing } from './first-time-pairing.js';
import { gatewayInContainer } from './gateway-in-container.js';
import { gatewayNotRunning } from './gateway-not-running.js';
import { gatewayTokenMismatch } from './gateway-token-mismatch.js';
import { identityChanged } from './identity-changed.js';
import { interruptedRepair } from './interrupted-repair.js';
import { invalidBind } from './invalid-bind.js';
import { legacyDeviceAuth } from './legacy-device-auth.js';
import { legacyStore } from './legacy-store-ignored.js';
import { nonLoopback } from './non-loopback.js';
import { openclawNotFound } from './openclaw-not-found.js';
import { pendingExpired } from './pending-expired.js';
import { roleUpgrade } from './role-upgrade.js';
import { scopeUpgrade } from './scope-upgrade.js';
import { secretsReadable } from './secrets-readable.js';
import { severalStateDirs } from './several-state-dirs.js';
import { staleServiceToken } from './stale-service-token.js';
import { stateDirNotWritable } from './state-dir-not-writable.js';
import { storeBom } from './store-bom.js';
import { storeUnreadable } from './store-unreadable.js';
import { tokenInvalidated } from './token-invalidated.js';
import { tokenScopeMismatch } from './token-scope-mismatch.js';

export const DETECTORS: readonly Detector[] = [
  openclawNotFound,
  interruptedRepair,
  storeUnreadable,
  storeBom,
  scopeUpgrade,
  roleUpgrade,
  tokenInvalidated,
  tokenScopeMismatch,
  firstTimePairing,
  identityChanged,
  legacyStore,
  legacyDeviceAuth,
  invalidBind,
  nonLoopback,
  pendingExpired,
  gatewayTokenMismatch,
  gatewayNotRunning,
  gatewayInContainer,
  severalStateDirs,
  staleServiceToken,
  eraNeverApproves,
  configEditedWhileRunning,
  stateDirNotWritable,
  secretsReadable,
];

const ROLES = new Map<FindingId, FindingRole>(DETECTORS.map((d) => [d.id, d.role]));

/** The role of a finding (a failed check counts as a cause: something to look at). */
export function roleOf(id: FindingId): FindingRole {
  return ROLES.get(id) ?? 'cause';
}

const ORDER: Record<Finding['severity'], number> = { error: 0, warning: 1, info: 2 };

export function runDetectors(snapshot: Snapshot, detectors: readonly Detector[] = DETECTORS): Finding[] {
  const out: Finding[] = [];
  for (const d of detectors) {
    try {
      out.push(...d.detect(snapshot));
    } catch (err) {
      out.push({
        id: 'detector-failed',
        severity: 'warning',
        title: `Check "${d.id}" failed: ${(err as Error).message}`,
        detail: 'This check crashed on the data it found; the other checks still ran. Please report it with the output of --verbose.',
        evidence: [],
        suggestedFix: { kind: 'manual', description: 'report this to clawfix' },
      });
    }
  }
  return out.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/** Findings that count as problems for the exit code (info notes do not). */
export function problems(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'info');
}
