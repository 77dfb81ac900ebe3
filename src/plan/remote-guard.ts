/**
 * Remote mode (`gateway.mode: "remote"` with a `gateway.remote.url`): this machine is a client, the
 * gateway and the pairing store that decides are on the gateway host. A repair or rollback here would
 * patch a store no gateway reads and "restart" whatever answers on the local port (in remote mode that
 * is usually an SSH tunnel to the gateway host: stopping it by pid cuts the user off). So it is refused
 * before anything is touched, with the ways to run clawfix where the gateway is. OpenClaw refuses to
 * start a gateway from a remote-mode config (`Gateway start blocked: set gateway.mode=local`, package
 * code 2026.2.21–9.6) unless started with --allow-unconfigured: a live gateway lock file for this very
 * config is that case, and then the local store is the gateway's after all. Pure.
 */
import { remoteGateway, type RemoteGateway } from '../snapshot/remote.js';
import type { Snapshot } from '../types.js';
import { ClawfixError, EXIT } from '../util/errors.js';
import type { GuardedAction } from './container-guard.js';

export { remoteGateway, type RemoteGateway };

const REDO: Record<GuardedAction, string> = { repair: 'fix --yes', restart: 'fix --yes', rollback: 'rollback --yes', 'edit-config': 'edit-config' };
const VERB: Record<GuardedAction, string> = {
  repair: 'patch the local pairing store or restart a local gateway',
  restart: 'restart a local gateway',
  rollback: 'restore the local pairing store or restart a local gateway',
  'edit-config': 'restart a local gateway',
};

/** How to run clawfix where the gateway is. */
export function remoteAdvice(r: RemoteGateway, cmd: string): string {
  const there = r.tunnel
    ? `on the host at the other end of the tunnel (\`ssh <gateway-host>\`, then \`clawfix ${cmd}\`)`
    : `on the gateway host: \`ssh ${r.host ?? '<gateway-host>'}\`, then \`clawfix ${cmd}\``;
  return (
    `run clawfix ${there}; add \`--profile NAME\` or \`--state-dir DIR\` there if that gateway uses a non-default state dir; ` +
    `a gateway in a container there: \`docker exec -it <container> clawfix ${cmd}\``
  );
}

/** A ClawfixError to throw when `action` would write the local store or restart a local gateway in remote mode. */
export function remoteRefusal(s: Snapshot, action: GuardedAction): ClawfixError | undefined {
  const r = remoteGateway(s);
  if (!r) return undefined;
  const where = r.tunnel ? `through ${r.url} (a loopback URL in remote mode: a tunnel to the gateway host)` : `at ${r.url}`;
  return new ClawfixError(
    `gateway.mode is "remote" in ${s.config.path}: this machine is a client of the gateway ${where}, and the pairing store that decides is on the gateway's host, not in ${s.stateDir}; ` +
      `clawfix will not ${VERB[action]} here; nothing was changed`,
    { exitCode: EXIT.PROBLEM, hint: remoteAdvice(r, REDO[action]), path: s.config.path },
  );
}
