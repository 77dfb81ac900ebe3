/**
 * This machine's device identity was replaced: the shared fact behind the identity-changed finding,
 * which first-time-pairing then leaves alone. OpenClaw creates a new key pair (so a new deviceId) when
 * identity/device.json is missing (2.x also when it is unreadable); every approval of the old identity
 * stops applying to this machine. Seen as: the local identity is not paired and asks to be (a pending
 * request, or a `not-paired` refusal since the gateway started), while the store holds another paired
 * record of the same client (the CLI / the gateway's own sub-agent client). Pure.
 */
import { findDevice, isExpired } from '../snapshot/queries.js';
import type { PairedDevice, Snapshot } from '../types.js';
import { gatewayStartMs, logFacts } from './log-facts.js';

/** The clients that use this machine's own identity. */
const OWN_CLIENTS = ['cli', 'gateway-client'];

export interface NewIdentity {
  /** The local identity's (new) deviceId. */
  deviceId: string;
  /** The paired records of the same client under another id (the old identity), newest first. */
  previous: PairedDevice[];
  requestId?: string;
  /** Where the request was seen: the pending store or a refusal log line. */
  seen: 'pending' | 'log';
}

export function newLocalIdentity(s: Snapshot): NewIdentity | undefined {
  const id = s.identity.deviceId;
  if (!id || !s.store.ok || findDevice(s, id)) return undefined;
  const pending = s.store.pending.filter((p) => p.deviceId === id && !isExpired(s, p)).sort((a, b) => a.ts - b.ts);
  const start = gatewayStartMs(s);
  const refusal = logFacts(s)
    .refusals.filter((r) => r.deviceId === id && r.reason === 'not-paired' && (start === undefined || r.ev.timeMs >= start))
    .pop();
  const req = pending[pending.length - 1];
  if (!req && !refusal) return undefined;
  const clients = req?.clientId ? [req.clientId] : OWN_CLIENTS;
  const previous = s.store.paired
    .filter((d) => d.deviceId !== id && d.clientId !== undefined && clients.includes(d.clientId) && (!req?.clientMode || !d.clientMode || d.clientMode === req.clientMode))
    .sort((a, b) => (b.approvedAtMs ?? 0) - (a.approvedAtMs ?? 0));
  if (!previous.length) return undefined;
  const requestId = req?.requestId ?? refusal?.requestId;
  return { deviceId: id, previous, ...(requestId ? { requestId } : {}), seen: req ? 'pending' : 'log' };
}
