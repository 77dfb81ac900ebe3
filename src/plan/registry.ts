/** Which findings clawfix repairs, and how: a scope grant on the device, or a gateway restart. Typed by FindingId. */
import type { FindingId } from '../types.js';

export type RepairKind = 'scope' | 'rewrite' | 'restart';

export const REPAIRS = {
  'scope-upgrade': 'scope',
  'store-bom': 'rewrite',
  'token-invalidated': 'restart',
} as const satisfies Partial<Record<FindingId, RepairKind>>;

export function repairKind(id: FindingId): RepairKind | undefined {
  return (REPAIRS as Partial<Record<FindingId, RepairKind>>)[id];
}
