/**
 * A plan that must stop and start a gateway running in a container is refused before anything is
 * touched unless clawfix can do it the container's way (docker/podman stop and start of the container
 * whose bind mount holds this state dir, from the host): stopping the container's main process by pid
 * stops the container, and relaunching `openclaw gateway run` on the host starts a second gateway
 * outside it. Always refused from INSIDE the gateway's container (stopping the main process would stop
 * the container clawfix runs in). The refusal carries the steps that do the repair by hand. Pure.
 */
import { containerLabel, drivableContainer, runtimeCli, undrivableReason } from '../openclaw/container.js';
import type { Snapshot } from '../types.js';
import { ClawfixError, EXIT } from '../util/errors.js';

export type GuardedAction = 'repair' | 'restart' | 'rollback' | 'edit-config';

/** clawfix's own arguments that point at this state dir, for the commands in the advice. */
function whereArgs(s: Snapshot): string {
  if (s.stateDirSource === 'flag') return ` --state-dir ${s.stateDir}`;
  if ((s.stateDirSource === 'profile' || s.stateDirSource === 'discovered') && s.profile) return ` --profile ${s.profile}`;
  if (s.stateDirSource === 'discovered') return ` --state-dir ${s.stateDir}`;
  return '';
}

const REDO: Record<GuardedAction, string> = {
  repair: 'fix --yes',
  restart: 'fix --yes',
  rollback: 'rollback --yes',
  'edit-config': 'edit-config',
};

/** A ClawfixError to throw when `action` would stop or start a containerized gateway; undefined otherwise. */
export function containerRefusal(s: Snapshot, action: GuardedAction, stopsOrStarts: boolean): ClawfixError | undefined {
  const c = s.gateway.container;
  if (!c || !stopsOrStarts || drivableContainer(c)) return undefined;
  const cli = runtimeCli(c);
  const name = c.name ?? c.id?.slice(0, 12) ?? '<container>';
  if (c.relation === 'inside') {
    const host = c.hostStateDir ?? `<host path of ${s.stateDir}>`;
    return new ClawfixError(
      `the gateway is the main process of the container clawfix runs in (pid ${c.pid}${c.name ? `, container ${c.name}` : ''}): stopping it would stop this container, so clawfix will not ${action === 'edit-config' ? 'install a config edit' : action} from inside it; nothing was changed`,
      {
        exitCode: EXIT.PROBLEM,
        hint: `run it from the host, where clawfix stops and starts the container itself: \`clawfix --state-dir ${host} ${REDO[action]}\`${c.hostStateDir ? ` (${host} is where this container's ${s.stateDir} comes from)` : ''}`,
      },
    );
  }
  const steps =
    action === 'restart'
      ? `\`${cli} restart -t 30 ${name}\` does the restart the container's way`
      : `stop the container (\`${cli} stop -t 30 ${name}\`), run \`clawfix${whereArgs(s)} ${REDO[action]}\` with the gateway stopped (it then edits the bind-mounted files and keeps their owner and mode), and start it again (\`${cli} start ${name}\`)`;
  return new ClawfixError(
    `the gateway runs in a ${c.runtime === 'unknown' ? '' : `${c.runtime} `}container (${containerLabel(c)}${c.pid ? `, pid ${c.pid} on this host` : ''}): clawfix cannot stop and start it here (${undrivableReason(c, s.stateDir)}), and doing it the host's way would stop the container and start a second gateway outside it; nothing was changed`,
    { exitCode: EXIT.PROBLEM, hint: steps },
  );
}

