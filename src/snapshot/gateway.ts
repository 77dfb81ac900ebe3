/**
 * The gateway as seen from here, without the slow CLI: is something answering its port (/healthz),
 * OpenClaw's lock file for this config, who really listens on the port, and when it started. Whether
 * it runs in a container is snapshot/container.ts (asked before the era: it decides the version).
 */
import { probeGateway, readGatewayLock, type GatewayLock } from '../openclaw/gateway-probe.js';
import { pidOnPort, type Listeners } from '../openclaw/process.js';
import type { ContainerInfo, GatewaySnapshot, LogScan } from '../types.js';

export interface GatewayRead {
  gateway: Omit<GatewaySnapshot, 'bind' | 'authMode'>;
  lock?: GatewayLock;
}

export type Probed = Awaited<ReturnType<typeof probe>>;

/** Probe and lock in parallel, with the listening sockets (read since the snapshot started). */
export function probe(port: number, configPath: string, listeners: Promise<Listeners>) {
  return Promise.all([probeGateway(port), readGatewayLock(configPath), listeners]);
}

/**
 * Who really answers the port, only when something answers; a lock file's pid is only a fallback (a
 * container sharing /tmp writes its own namespace's pid there, e.g. 1).
 */
export function listenerOf(port: number, [p, lock, listeners]: Probed): number | undefined {
  if (p.running === false) return undefined;
  // The table was read when the snapshot started (finding `openclaw` may take a while): pidOnPort reads
  // a fresh one when it had no listener on the port. (A listener whose holder this user cannot see
  // stays unseen either way.)
  return pidOnPort(listeners, port, lock?.pid) ?? lock?.pid;
}

export function describeGateway(port: number, [p, lock]: Probed, logs: LogScan, container: ContainerInfo | undefined): GatewayRead {
  let startedAtMs = lock?.createdAtMs;
  if (startedAtMs === undefined && p.running) {
    const listen = [...logs.events].reverse().find((e) => /listening on /.test(e.text));
    if (listen) startedAtMs = listen.timeMs;
  }
  return {
    gateway: {
      port,
      running: p.running,
      probe: p.probe,
      ...(lock ? { pid: lock.pid } : {}),
      ...(container ? { container } : {}),
      ...(startedAtMs !== undefined ? { startedAtMs } : {}),
    },
    ...(lock ? { lock } : {}),
  };
}
