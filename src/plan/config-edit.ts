/**
 * The plan `clawfix edit-config` runs through the same transaction as a repair: stop the gateway,
 * check nobody else wrote the config meanwhile, back it up, install the user's bytes exactly (mode
 * kept), start the gateway and verify it answers; any failure puts the old config back. The caller
 * already holds the state-dir lock (taken before the editor opened), so the plan has no `lock` step.
 */
import type { Snapshot } from '../types.js';
import { sha256 } from '../util/hash.js';
import { leftStoppedNote, planBase } from './build.js';
import type { RemoteGateway } from './remote-guard.js';
import { freeze, type ConfigEditPlan, type StepName } from './types.js';

export interface ConfigEdit {
  /** The config file (symlinks resolved: the file that is really written). */
  path: string;
  before: string;
  after: string;
  mode: number;
}

/**
 * `remote`: the config is a remote-mode client's (plan/remote-guard.ts). Editing it is legitimate, but no
 * local gateway runs from it (OpenClaw refuses to start one in remote mode), so nothing is stopped or
 * started: what answers on the local port is the tunnel to the gateway host, if anything.
 */
export function buildConfigEditPlan(s: Snapshot, id: string, edit: ConfigEdit, cmds: { stop: string; start: string }, remote?: RemoteGateway): ConfigEditPlan {
  const running = s.gateway.running === true && !remote;
  const steps: StepName[] = running ? ['stop', 'guard', 'backup', 'patch', 'start', 'verify'] : ['guard', 'backup', 'patch', 'verify'];
  return freeze({
    ...planBase(s, id),
    // Remote mode: whatever answers locally is not a gateway of this config; verify does not wait for it.
    ...(remote ? { gatewayWasRunning: false } : {}),
    kind: 'config-edit',
    title: `Install the edited config ${edit.path}`,
    files: [
      {
        path: edit.path,
        before: edit.before,
        after: edit.after,
        mode: edit.mode,
        beforeSha: sha256(Buffer.from(edit.before, 'utf8')),
        afterSha: sha256(Buffer.from(edit.after, 'utf8')),
      },
    ],
    rows: [],
    guard: { kind: 'files-unchanged' },
    verify: { gateway: 'as-found' },
    commands: running ? [cmds.stop, cmds.start] : [],
    steps,
    notes: remote
      ? [
          `gateway.mode is "remote" (${remote.url}): no local gateway runs from this config, so nothing is stopped or started` +
            (s.gateway.running === true ? ` (what answers on 127.0.0.1:${s.gateway.port} is left alone)` : '') +
            '; the gateway host keeps its own config',
        ]
      : running
        ? ['the gateway is stopped while the file is replaced, so it never reads a half-written config; start a new chat session afterwards']
        : [leftStoppedNote(cmds.start)],
  });
}
