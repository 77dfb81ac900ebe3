/**
 * Snapshots built in memory for pure detector and planner specs: an OpenClaw version (its era decided
 * by the product's own rules), paired devices, pending requests, and log lines in OpenClaw's formats
 * (parsed by the product's own parser). No files, no processes.
 */
import { parseLogLine } from '../../src/openclaw/logs.js';
import { decideEra } from '../../src/openclaw/version.js';
import type { PairedDevice, PendingRequest, Snapshot } from '../../src/types.js';

export const LOCAL_ID = 'a'.repeat(64);
export const OTHER_ID = 'b'.repeat(64);

export function device(o: Partial<PairedDevice> & { scopes?: string[] } = {}): PairedDevice {
  const scopes = o.scopes ?? ['operator.read'];
  return {
    deviceId: LOCAL_ID,
    clientId: 'cli',
    roles: ['operator'],
    role: 'operator',
    scopes,
    approvedScopes: o.approvedScopes ?? scopes,
    tokens: [{ role: 'operator', scopes: o.approvedScopes ?? scopes, tokenHash: 'abc123abc123' }],
    ...o,
  };
}

export function pending(o: Partial<PendingRequest> & { scopes: string[] }): PendingRequest {
  return { requestId: 'req-1', deviceId: LOCAL_ID, roles: ['operator'], role: 'operator', clientId: 'gateway-client', isRepair: true, ts: NOW - 10_000, ...o };
}

export const NOW = Date.parse('2026-11-24T14:30:00Z');

export interface SnapOptions {
  version?: string;
  paired?: PairedDevice[];
  pending?: PendingRequest[];
  /** Raw log lines (build them with ./logs.js). */
  lines?: string[];
  running?: boolean | null;
  startedAtMs?: number;
  patch?: Partial<Snapshot>;
}

export function snap(o: SnapOptions = {}): Snapshot {
  const version = o.version ?? '2026.7.35';
  const era = decideEra(version, { jsonPairedExists: true, jsonMigrated: false, sqliteExists: false, sqlitePairedRows: 0 });
  const events = (o.lines ?? []).map((l) => parseLogLine(l, '/tmp/openclaw/openclaw.log')).filter((e) => e !== undefined);
  return {
    takenAtMs: NOW,
    stateDir: '/home/u/.openclaw',
    stateDirSource: 'default',
    stateDirExists: true,
    config: { path: '/home/u/.openclaw/openclaw.json', exists: true, value: { gateway: { mode: 'local', port: 18789 } } },
    openclaw: { executable: '/usr/bin/openclaw', version, versionSource: 'package.json' },
    era,
    store: { kind: era.store, paths: ['/home/u/.openclaw/devices/paired.json', '/home/u/.openclaw/devices/pending.json'], ok: true, paired: o.paired ?? [device()], pending: o.pending ?? [] },
    identity: { deviceId: LOCAL_ID, path: '/home/u/.openclaw/identity/device.json' },
    gateway: { port: 18789, running: o.running === undefined ? true : o.running, probe: 'healthz', ...(o.startedAtMs !== undefined ? { startedAtMs: o.startedAtMs } : {}) },
    logs: { files: ['/tmp/openclaw/openclaw.log'], fromMs: NOW - 86_400_000, toMs: NOW, events, bytesRead: 0, truncated: false },
    otherStateDirs: [],
    env: { gatewayTokenSet: false },
    gatewayLocks: [],
    ...o.patch,
  };
}
