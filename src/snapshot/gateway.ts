/**
 * The gateway as seen from here, without the slow CLI: is something answering its port (/healthz),
 * OpenClaw's lock file for this config, who really listens on the port, whether that is a container,
 * and when it started.
 */
import { classifyGateway, describeContainer, selfContainerMarker, type CommandRunner } from '../openclaw/container.js';
import { probeGateway, readGatewayLock, type GatewayLock } from '../openclaw/gateway-probe.js';
import { pidListeningOn, readPlacement } from '../openclaw/process.js';
import type { ContainerInfo, GatewaySnapshot, LogScan } from '../types.js';

/**
 * Where the process answering the gateway port runs, when it is not an ordinary process beside
 * clawfix (a container seen from the host, or clawfix inside the gateway's own container).
 */
async function gatewayContainer(pid: number | undefined, port: number, run: CommandRunner | undefined): Promise<ContainerInfo | undefined> {
  if (pid === undefined) return undefined;
  const info = classifyGateway({ gateway: readPlacement(pid), self: readPlacement('self'), init: readPlacement(1), selfMarker: selfContainerMarker() });
  return info && run ? describeContainer(info, port, run) : info;
}

export interface GatewayRead {
  gateway: Omit<GatewaySnapshot, 'bind' | 'authMode'>;
  lock?: GatewayLock;
}

/** Probe and lock in parallel with the caller's other reads; the listener only when something answers. */
export function probe(port: number, configPath: string) {
  return Promise.all([probeGateway(port), readGatewayLock(configPath)]);
}

export async function describeGateway(
  port: number,
  [p, lock]: Awaited<ReturnType<typeof probe>>,
  logs: LogScan,
  run: CommandRunner | undefined,
): Promise<GatewayRead> {
  let startedAtMs = lock?.createdAtMs;
  if (startedAtMs === undefined && p.running) {
    const listen = [...logs.events].reverse().find((e) => /listening on /.test(e.text));
    if (listen) startedAtMs = listen.timeMs;
  }
  // Who really answers the port; a lock file's pid is only a fallback (a container sharing /tmp writes its
  // own namespace's pid there, e.g. 1).
  const listener = p.running !== false ? (pidListeningOn(port, lock?.pid) ?? lock?.pid) : undefined;
  const container = await gatewayContainer(listener, port, run);
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
