/**
 * Until clawfix drives container runtimes itself, a plan that must stop and start a gateway running in
 * a container is refused before anything is touched: stopping the container's main process stops the
 * container, and relaunching `openclaw gateway run` on the host starts a second gateway outside it.
 * The refusal carries the steps that do the same repair by hand, the container's way. Pure.
 */
import { containerLabel, runtimeCli } from '../openclaw/container.js';
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
  if (!c || !stopsOrStarts) return undefined;
  const cli = runtimeCli(c);
  const name = c.name ?? c.id?.slice(0, 12) ?? '<container>';
  if (c.relation === 'inside') {
    return new ClawfixError(
      `the gateway is the main process of the container clawfix runs in (pid ${c.pid}): stopping it would stop this container, so clawfix will not ${action === 'edit-config' ? 'install a config edit' : action} from inside it; nothing was changed`,
      {
        exitCode: EXIT.PROBLEM,
        hint: `run clawfix on the host against the bind-mounted state dir instead: \`${cli} stop -t 30 ${name}\`, then \`clawfix --state-dir <host path of ${s.stateDir}> ${REDO[action]}\`, then \`${cli} start ${name}\``,
      },
    );
  }
  const steps =
    action === 'restart'
      ? `\`${cli} restart -t 30 ${name}\` does the restart the container's way`
      : `stop the container (\`${cli} stop -t 30 ${name}\`), run \`clawfix${whereArgs(s)} ${REDO[action]}\` with the gateway stopped (it then edits the bind-mounted files and keeps their owner and mode), and start it again (\`${cli} start ${name}\`)`;
  return new ClawfixError(
    `the gateway runs in a ${c.runtime === 'unknown' ? '' : `${c.runtime} `}container (${containerLabel(c)}, pid ${c.pid} on this host): clawfix cannot stop and start a containerized gateway yet, and doing it the host's way would stop the container and start a second gateway outside it; nothing was changed`,
    { exitCode: EXIT.PROBLEM, hint: steps },
  );
}

