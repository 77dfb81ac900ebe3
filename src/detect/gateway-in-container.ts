/**
 * gateway-in-container: the gateway answering this state dir's port runs in a container (seen from the
 * host), or is the main process of the container clawfix itself runs in. A fact, not a fault: it decides
 * how the gateway may be stopped and started, and clawfix refuses repairs that need that until it can
 * drive the container runtime itself.
 */
import { containerLabel, runtimeCli } from '../openclaw/container.js';
import type { Detector } from '../types.js';

export const gatewayInContainer: Detector = {
  id: 'gateway-in-container',
  role: 'cause',
  detect(s) {
    const c = s.gateway.container;
    if (!c) return [];
    const cli = runtimeCli(c);
    const name = c.name ?? c.id?.slice(0, 12) ?? '<container>';
    const how =
      c.via === 'port-proxy'
        ? `the port is forwarded by ${cli === 'docker' ? 'docker-proxy' : "podman's port forwarder"} (pid ${c.pid})`
        : c.via === 'cgroup'
          ? `its process (pid ${c.pid}) is in the container's cgroup${c.id ? ` ${c.id.slice(0, 12)}` : ''}`
          : c.via === 'pid-namespace'
            ? `its process (pid ${c.pid}) runs in another PID namespace`
            : `it is pid ${c.pid}, this container's main process`;
    if (c.relation === 'inside') {
      return [
        {
          id: 'gateway-in-container',
          severity: 'info',
          title: 'The gateway is the main process of the container clawfix runs in',
          detail:
            `clawfix runs inside a container and ${how}. Stopping the gateway would stop the container (and clawfix with it), so clawfix does not ` +
            'restart it from here: repairs that need a restart (the JSON store, a refused device token, edit-config) are refused with the host-side steps. ' +
            'Run clawfix on the host against the bind-mounted state dir instead.',
          evidence: [{ kind: 'process', text: `gateway pid ${c.pid}: container main process (${c.runtime})` }],
          suggestedFix: {
            kind: 'manual',
            description: `on the host: stop the container, run clawfix against the bind-mounted state dir, start the container`,
            command: `${cli} stop -t 30 ${name} && clawfix --state-dir <host path of ${s.stateDir}> fix --yes && ${cli} start ${name}`,
          },
        },
      ];
    }
    return [
      {
        id: 'gateway-in-container',
        severity: 'info',
        title: `The gateway runs in a ${c.runtime === 'unknown' ? '' : `${c.runtime} `}container (${containerLabel(c)})`,
        detail:
          `Something answers 127.0.0.1:${s.gateway.port} from a container: ${how}. clawfix does not stop or start containers yet: ` +
          `stopping that process would stop the container, and \`openclaw gateway run\` on this host would start a second gateway outside it. ` +
          'Repairs that need a gateway restart (every JSON-store repair, a restart for a refused device token, edit-config, restoring files) are refused ' +
          'with the steps to do them the container\'s way; SQLite repairs that need no restart still run.',
        evidence: [{ kind: 'process', text: `127.0.0.1:${s.gateway.port} → pid ${c.pid} (${c.via === 'port-proxy' ? 'port forwarder' : c.via === 'cgroup' ? 'container cgroup' : 'other PID namespace'})${c.name ? `, container ${c.name}` : ''}` }],
        suggestedFix: {
          kind: 'manual',
          description: 'stop the container, repair with the gateway stopped (clawfix keeps the files\' owner and mode), start the container again',
          command: `${cli} stop -t 30 ${name} && clawfix fix --yes && ${cli} start ${name}`,
        },
      },
    ];
  },
};
