/**
 * The gateway control for a snapshot: a gateway that is the main process of a container clawfix can
 * drive (docker/podman, its bind mount holds this state dir) is stopped and started the container's way;
 * any other through the `openclaw` CLI (service manager, foreground by pid), pointed at the same state
 * as clawfix. Either is addressed on the port the config file on disk names at each call: a repair or
 * rollback that changes gateway.port (edit-config, a restored config) stops on the old port, starts on
 * the new one, and a rollback's start goes back to the old one, as the gateway does.
 */
import { containerGatewayControl } from '../apply/container-gateway.js';
import path from 'node:path';
import { cliGatewayControl, type GatewayControl } from '../apply/gateway.js';
import { gatewayPort, loadConfig } from '../openclaw/config.js';
import { drivableContainer } from '../openclaw/container.js';
import type { Snapshot } from '../types.js';
import type { AppCtx } from './context.js';

function envNumber(env: AppCtx['env'], name: string, dflt: number): number {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

function gatewayOnPort(app: AppCtx, s: Snapshot, port: number): GatewayControl {
  const stopTimeoutMs = envNumber(app.env, 'CLAWFIX_STOP_TIMEOUT_MS', 30_000);
  const startTimeoutMs = envNumber(app.env, 'CLAWFIX_START_TIMEOUT_MS', 90_000);
  // A container's main process: the container is stopped and started, never its pid.
  const ctr = drivableContainer(s.gateway.container);
  if (ctr) return containerGatewayControl({ cli: ctr.cli, container: ctr.ref, port, env: { ...app.env }, stopTimeoutMs, startTimeoutMs });
  const env: Record<string, string | undefined> = { ...app.env };
  // Point the CLI at the same state when clawfix was pointed somewhere explicitly, or found it itself:
  // a discovered profile dir by its profile (so `openclaw` manages that profile's service), anything else by path.
  const byProfile = (s.stateDirSource === 'profile' || (s.stateDirSource === 'discovered' && path.basename(s.stateDir) === `.openclaw-${s.profile}`)) && !!s.profile;
  if (s.stateDirSource === 'flag' || (s.stateDirSource === 'discovered' && !byProfile)) env.OPENCLAW_STATE_DIR = s.stateDir;
  if (app.configFlag || s.discovery?.chosen?.configPath) env.OPENCLAW_CONFIG_PATH = s.config.path;
  return cliGatewayControl({
    executable: s.openclaw.executable,
    stateDir: s.stateDir,
    configPath: s.config.path,
    version: s.openclaw.version,
    port,
    args: byProfile ? ['--profile', s.profile!] : [],
    env,
    stopTimeoutMs,
    startTimeoutMs,
  });
}

export function gatewayFor(app: AppCtx, s: Snapshot, configFile: string = s.config.path): GatewayControl {
  const base = gatewayOnPort(app, s, s.gateway.port);
  const current = async (): Promise<GatewayControl> => {
    const c = await loadConfig(configFile);
    const port = c.value ? gatewayPort(c.value, app.env) : s.gateway.port;
    return port === s.gateway.port ? base : gatewayOnPort(app, s, port);
  };
  let stopper: GatewayControl = base;
  return {
    isUp: async () => (await current()).isUp(),
    stop: async (signal) => {
      stopper = await current();
      return stopper.stop(signal);
    },
    stopIssued: () => stopper.stopIssued(),
    forgetForeground: () => base.forgetForeground(),
    start: async (signal) => (await current()).start(signal),
    approve: (id, signal) => base.approve(id, signal),
    describe: () => base.describe(),
  };
}
