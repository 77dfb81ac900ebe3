/**
 * The user's real state dir when clawfix was not told where to look. OpenClaw's default is ~/.openclaw;
 * a user who only ever ran a profile (`openclaw --profile work`, unit `openclaw-gateway-work.service`)
 * has no state there, and a diagnosis of the empty default ("gateway not running on 18789") is wrong.
 * The profile dirs in the home dir and the installed gateway services (of any profile) are listed; when
 * the default holds no state and exactly one of them does, that one is used (and said so); with several,
 * the default stays and the several-state-dirs finding names each `--profile`. Read-only.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { CONFIG_NAMES, isStateDirName, type Env, type PathFlags, type ResolvedPaths } from '../openclaw/paths.js';
import { listProfileServices } from '../openclaw/service.js';
import type { StateDirCandidate, StateDirDiscovery } from '../types.js';

/** A dir holds OpenClaw state: a config, a JSON pairing store or the SQLite store. */
export function hasState(dir: string): boolean {
  return [...CONFIG_NAMES, 'devices/paired.json', 'state/openclaw.sqlite'].some((f) => existsSync(path.join(dir, f)));
}

/** clawfix was pointed at a location (flag or OpenClaw's env): then nothing is discovered. */
export function pointed(flags: PathFlags, env: Env): boolean {
  return !!(flags.stateDir || flags.profile || flags.config || ['OPENCLAW_STATE_DIR', 'CLAWDBOT_STATE_DIR', 'OPENCLAW_CONFIG_PATH', 'CLAWDBOT_CONFIG_PATH'].some((k) => env[k]?.trim()));
}

async function candidates(paths: ResolvedPaths): Promise<{ list: StateDirCandidate[]; secrets: string[] }> {
  const byDir = new Map<string, StateDirCandidate>();
  const add = (dir: string, c: Omit<StateDirCandidate, 'stateDir' | 'via'>, via: string) => {
    const d = path.resolve(dir);
    if (d === path.resolve(paths.stateDir)) return;
    const cur = byDir.get(d) ?? { stateDir: d, via: [] };
    byDir.set(d, { ...c, ...cur, via: [...cur.via, via] }); // the first finder's profile/config win
  };
  const { services, secrets } = await listProfileServices(paths.home);
  for (const { service, profile } of services) {
    const unit = `${service.kind === 'systemd' ? 'systemd unit' : 'LaunchAgent'} ${path.basename(service.path)}`;
    const pin = service.pins.stateDir ? ` (OPENCLAW_STATE_DIR=${service.pins.stateDir})` : '';
    add(service.stateDir, { service: service.path, ...(profile ? { profile } : {}), ...(service.pins.configPath ? { configPath: service.pins.configPath } : {}) }, `the gateway service ${unit} uses it${pin}`);
  }
  const entries = await fs.readdir(paths.home, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory() || !isStateDirName(e.name)) continue;
    const profile = /^\.openclaw-(.+)$/.exec(e.name)?.[1];
    add(path.join(paths.home, e.name), profile ? { profile } : {}, `${profile ? `the profile dir of "${profile}"` : 'a state dir'} in ${paths.home}`);
  }
  return { list: [...byDir.values()].filter((c) => hasState(c.stateDir)).sort((a, b) => a.stateDir.localeCompare(b.stateDir)), secrets };
}

/** The config a chosen candidate's gateway uses: the service's pin, else the first config name present. */
function configOf(c: StateDirCandidate): string {
  return c.configPath ?? CONFIG_NAMES.map((n) => path.join(c.stateDir, n)).find((p) => existsSync(p)) ?? path.join(c.stateDir, 'openclaw.json');
}

export async function discoverStateDir(paths: ResolvedPaths, isPointed: boolean): Promise<{ paths: ResolvedPaths; discovery?: StateDirDiscovery; secrets: string[] }> {
  if (isPointed || paths.stateDirSource !== 'default') return { paths, secrets: [] };
  const found = await candidates(paths);
  const defaultEmpty = !hasState(paths.stateDir);
  const only = defaultEmpty && found.list.length === 1 ? found.list[0] : undefined;
  const discovery: StateDirDiscovery = { defaultEmpty, candidates: found.list, ...(only ? { chosen: only } : {}) };
  if (!only) return { paths, discovery, secrets: found.secrets };
  return {
    paths: { home: paths.home, stateDir: only.stateDir, stateDirSource: 'discovered', ...(only.profile ? { profile: only.profile } : {}), configPath: configOf(only) },
    discovery,
    secrets: found.secrets,
  };
}
