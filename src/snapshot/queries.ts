/** Questions asked of a snapshot's pairing store by detectors and planners alike. Pure. */
import type { PairedDevice, PendingRequest, Snapshot } from '../types.js';

/** OpenClaw drops a pending request after 5 minutes (PENDING_TTL_MS). */
export const PENDING_TTL_MS = 5 * 60 * 1000;

export function findDevice(s: Snapshot, deviceId: string): PairedDevice | undefined {
  return s.store.paired.find((d) => d.deviceId === deviceId);
}

/** The device's pending requests, oldest first. */
export function pendingFor(s: Snapshot, deviceId: string): PendingRequest[] {
  return s.store.pending.filter((p) => p.deviceId === deviceId).sort((a, b) => (a.refreshedAtMs ?? a.ts) - (b.refreshedAtMs ?? b.ts));
}

export function isExpired(s: Snapshot, p: PendingRequest): boolean {
  return s.takenAtMs - (p.refreshedAtMs ?? p.ts) > PENDING_TTL_MS;
}
