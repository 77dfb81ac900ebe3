/**
 * gateway-in-container: the gateway of this state dir runs in a container (seen from the host: its
 * process, or a container — running or stopped — that bind-mounts this state dir), or is the main
 * process of the container clawfix itself runs in. A fact, not a fault: it decides how the gateway is
 * stopped and started (the container's way), and from inside the container repairs that need a
 * restart are refused with the host command instead.
 */
import { containerLabel, drivableContainer, runtimeCli, undrivableReason, type ContainerInfo } from '../openclaw/container.js';
import type { Detector, Finding, Snapshot } from '../types.js';

/** How clawfix knows the gateway is in a container, in words. */
function howSeen(c: ContainerInfo): string {
  const name = c.name ?? c.id?.slice(0, 12) ?? '<container>';
  switch (c.via) {
    case 'port-proxy':
      return `the port is forwarded by ${runtimeCli(c) === 'docker' ? 'docker-proxy' : "podman's port forwarder"} (pid ${c.pid})`;
    case 'cgroup':
      return `its process (pid ${c.pid}) is in the container's cgroup${c.id ? ` ${c.id.slice(0, 12)}` : ''}`;
    case 'pid-namespace':
      return `its process (pid ${c.pid}) runs in another PID namespace`;
    case 'mount':
      return `no process answers the port, and container ${name} (${c.running ? 'running' : 'stopped'}) bind-mounts this state dir`;
    case 'flag':
      return `--container ${name} names it (${c.running ? 'running' : 'stopped'})`;
    default:
      return `it is pid ${c.pid}, this container's main process`;
  }
}

const VIA: Partial<Record<ContainerInfo['via'], string>> = { 'port-proxy': 'port forwarder', cgroup: 'container cgroup', 'pid-namespace': 'other PID namespace' };

function mountText(c: ContainerInfo): string | undefined {
  return c.stateMount ? `${c.stateMount.source} → ${c.stateMount.destination}${c.stateMount.rw ? '' : ' (read-only)'}` : undefined;
}

function runtimeWord(c: ContainerInfo): string {
  return c.runtime === 'unknown' ? '' : `${c.runtime} `;
}

/** clawfix runs inside the gateway's own container: run it from the host instead. */
function inside(s: Snapshot, c: ContainerInfo): Finding {
  const host = c.hostStateDir ?? `<host path of ${s.stateDir}>`;
  return {
    id: 'gateway-in-container',
    severity: 'info',
    title: 'The gateway is the main process of the container clawfix runs in',
    detail:
      `clawfix runs inside a container${c.name ? ` (${c.name})` : ''} and ${howSeen(c)}. Stopping the gateway would stop the container (and clawfix with it), so clawfix does not ` +
      'restart it from here: repairs that need a restart (the JSON store, a refused device token, edit-config) are refused. ' +
      `Run clawfix on the host instead, against ${c.hostStateDir ? `${host}, where this container's ${s.stateDir} comes from` : 'the host path of this bind-mounted state dir'}: it stops and starts the container itself.`,
    evidence: [
      { kind: 'process', text: `gateway pid ${c.pid}: container main process (${c.runtime})` },
      ...(c.hostStateDir ? [{ kind: 'process' as const, text: `${s.stateDir} is mounted from ${c.hostStateDir} (/proc/self/mountinfo)` }] : []),
    ],
    suggestedFix: {
      kind: 'manual',
      description: 'on the host: clawfix stops the container, repairs the bind-mounted state and starts the container again',
      command: `clawfix --state-dir ${host} fix --yes`,
    },
  };
}

/** A container clawfix drives itself: stop, edit on the host, start; approvals through `exec`. */
function drivable(s: Snapshot, c: ContainerInfo, drive: { cli: string; ref: string }): Finding {
  const how = howSeen(c);
  return {
    id: 'gateway-in-container',
    severity: 'info',
    title: `The gateway runs in a ${runtimeWord(c)}container (${containerLabel(c)}${c.running === false ? ', stopped' : ''})`,
    detail:
      `${how[0]!.toUpperCase()}${how.slice(1)}; its state dir is this one, bind-mounted (${mountText(c)})${c.compose ? `; compose project ${c.compose.project}, service ${c.compose.service}` : ''}. ` +
      `A repair that needs a restart stops the container (\`${drive.cli} stop -t N ${drive.ref}\`: SIGTERM, then the timeout), edits the files on the host keeping their owner and mode, and starts the same container again (\`${drive.cli} start ${drive.ref}\`); ` +
      `OpenClaw's own approval runs inside it (\`${drive.cli} exec ${drive.ref} openclaw devices approve …\`). Its process is never signalled by pid and no gateway is started on the host.` +
      (c.others?.length ? ` Other containers mount this state dir too: ${c.others.join(', ')}.` : ''),
    evidence: [
      ...(c.pid ? [{ kind: 'process' as const, text: `127.0.0.1:${s.gateway.port} → pid ${c.pid} (${VIA[c.via] ?? c.via}), container ${c.name ?? c.id}` }] : []),
      { kind: 'process', text: `${drive.cli} inspect ${drive.ref}: ${c.running ? 'running' : 'stopped'}, mount ${c.stateMount!.source} → ${c.stateMount!.destination}` },
    ],
    suggestedFix: {
      kind: 'clawfix',
      description: "clawfix fix repairs it from this host, stopping and starting the container itself (a repair with OpenClaw's approval needs no restart)",
      command: `clawfix${s.stateDirSource === 'flag' ? ` --state-dir ${s.stateDir}` : ''} fix --yes`,
    },
  };
}

/** A container clawfix cannot drive: the repairs that need a restart are refused with the manual steps. */
function undrivable(s: Snapshot, c: ContainerInfo): Finding {
  const cli = runtimeCli(c);
  const name = c.name ?? c.id?.slice(0, 12) ?? '<container>';
  const mount = mountText(c);
  return {
    id: 'gateway-in-container',
    severity: 'info',
    title: `The gateway runs in a ${runtimeWord(c)}container (${containerLabel(c)})`,
    detail:
      `The gateway of this state dir runs in a container: ${howSeen(c)}. clawfix cannot stop and start it here (${undrivableReason(c, s.stateDir)}): ` +
      'stopping that process would stop the container, and `openclaw gateway run` on this host would start a second gateway outside it. ' +
      'Repairs that need a gateway restart (every JSON-store repair, a restart for a refused device token, edit-config, restoring files) are refused ' +
      "with the steps to do them the container's way; SQLite repairs that need no restart still run.",
    evidence: [{ kind: 'process', text: `127.0.0.1:${s.gateway.port} → pid ${c.pid} (${VIA[c.via] ?? c.via})${c.name ? `, container ${c.name}` : ''}${mount ? `, mount ${mount}` : ''}` }],
    suggestedFix: {
      kind: 'manual',
      description: "stop the container, repair with the gateway stopped (clawfix keeps the files' owner and mode), start the container again",
      command: `${cli} stop -t 30 ${name} && clawfix fix --yes && ${cli} start ${name}`,
    },
  };
}

export const gatewayInContainer: Detector = {
  id: 'gateway-in-container',
  role: 'cause',
  detect(s) {
    const c = s.gateway.container;
    if (!c) return [];
    if (c.relation === 'inside') return [inside(s, c)];
    const drive = drivableContainer(c);
    return [drive ? drivable(s, c, drive) : undrivable(s, c)];
  },
};
