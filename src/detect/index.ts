/**
 * The detector registry and runner. Detectors are pure; the runner times each one and turns a throw
 * into a `detector-failed` finding, so one broken check never hides the others.
 */
import type { Detector, Finding, Snapshot } from '../types.js';
import { configEditedWhileRunning, eraNeverApproves, staleServiceToken } from './advice.js';
import { invalidBind, nonLoopback } from './config-checks.js';
import { gatewayNotRunning, gatewayTokenMismatch, interruptedRepair, severalStateDirs } from './environment.js';
import { firstTimePairing } from './first-time-pairing.js';
import { gatewayInContainer } from './gateway-in-container.js';
import { legacyStore } from './legacy-store.js';
import { pendingExpired } from './pending.js';
import { roleUpgrade } from './role-upgrade.js';
import { scopeUpgrade } from './scope-upgrade.js';
import { storeUnreadable } from './store-health.js';
import { tokenInvalidated } from './token-invalidated.js';
import { tokenScopeMismatch } from './token-scope-mismatch.js';

export const DETECTORS: readonly Detector[] = [
  interruptedRepair,
  storeUnreadable,
  scopeUpgrade,
  roleUpgrade,
  tokenInvalidated,
  tokenScopeMismatch,
  firstTimePairing,
  legacyStore,
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
];

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
