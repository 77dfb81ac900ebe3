/**
 * Where OpenClaw keeps its state, resolved the way OpenClaw does (home → state dir → config path),
 * with clawfix's flags on top. Pure apart from `existsSync` probes passed in.
 */
import os from 'node:os';
import path from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export interface PathFlags {
  stateDir?: string;
  profile?: string;
  config?: string;
}

export interface ResolvedPaths {
  home: string;
  stateDir: string;
  stateDirSource: 'flag' | 'env' | 'profile' | 'default' | 'discovered';
  profile?: string;
  configPath: string;
}

const PROFILE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const LEGACY_DIRS = ['.clawdbot', '.moldbot', '.moltbot'];
/** Config file names OpenClaw looks for in a state dir, newest name first. */
export const CONFIG_NAMES = ['openclaw.json', 'clawdbot.json', 'moldbot.json', 'moltbot.json'];

/** `~` and `~/…` relative to `home`; anything else unchanged. */
export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}

export function resolveHome(env: Env): string {
  const raw = env.OPENCLAW_HOME?.trim() || env.HOME?.trim() || env.USERPROFILE?.trim() || os.homedir();
  return path.resolve(expandTilde(raw, os.homedir()));
}

export function validProfile(name: string): boolean {
  return PROFILE_RE.test(name);
}

export function resolvePaths(flags: PathFlags, env: Env, exists: (p: string) => boolean): ResolvedPaths {
  const home = resolveHome(env);
  // Like OpenClaw's normalizeProfileName: trimmed; "default" or a name it does not accept means no profile
  // (the CLI refuses a bad --profile before this; a bad OPENCLAW_PROFILE is ignored, as OpenClaw does).
  const profileRaw = (flags.profile ?? env.OPENCLAW_PROFILE)?.trim();
  const profile = profileRaw && profileRaw.toLowerCase() !== 'default' && validProfile(profileRaw) ? profileRaw : undefined;

  let stateDir: string;
  let stateDirSource: ResolvedPaths['stateDirSource'];
  if (flags.stateDir) {
    stateDir = path.resolve(expandTilde(flags.stateDir, home));
    stateDirSource = 'flag';
  } else if (flags.profile && profile) {
    stateDir = path.join(home, `.openclaw-${profile}`);
    stateDirSource = 'profile';
  } else if (env.OPENCLAW_STATE_DIR?.trim() || env.CLAWDBOT_STATE_DIR?.trim()) {
    stateDir = path.resolve(expandTilde((env.OPENCLAW_STATE_DIR?.trim() || env.CLAWDBOT_STATE_DIR?.trim()) as string, home));
    stateDirSource = 'env';
  } else if (profile) {
    stateDir = path.join(home, `.openclaw-${profile}`);
    stateDirSource = 'profile';
  } else {
    const primary = path.join(home, '.openclaw');
    const legacy = LEGACY_DIRS.map((d) => path.join(home, d)).find((d) => exists(d));
    stateDir = exists(primary) || !legacy ? primary : legacy;
    stateDirSource = 'default';
  }

  let configPath: string;
  if (flags.config) {
    configPath = path.resolve(expandTilde(flags.config, home));
  } else if (stateDirSource !== 'flag' && stateDirSource !== 'profile' && (env.OPENCLAW_CONFIG_PATH?.trim() || env.CLAWDBOT_CONFIG_PATH?.trim())) {
    configPath = path.resolve(expandTilde((env.OPENCLAW_CONFIG_PATH?.trim() || env.CLAWDBOT_CONFIG_PATH?.trim()) as string, home));
  } else {
    const found = CONFIG_NAMES.map((n) => path.join(stateDir, n)).find((p) => exists(p));
    configPath = found ?? path.join(stateDir, 'openclaw.json');
  }
  return { home, stateDir, stateDirSource, ...(profile ? { profile } : {}), configPath };
}

/** Store file locations inside a state dir. */
export function storePaths(stateDir: string) {
  return {
    paired: path.join(stateDir, 'devices', 'paired.json'),
    pending: path.join(stateDir, 'devices', 'pending.json'),
    pairedMigrated: path.join(stateDir, 'devices', 'paired.json.migrated'),
    identity: path.join(stateDir, 'identity', 'device.json'),
    deviceAuth: path.join(stateDir, 'identity', 'device-auth.json'),
    sqlite: path.join(stateDir, 'state', 'openclaw.sqlite'),
    clawfixDir: path.join(stateDir, 'clawfix'),
  };
}

/** The names of sibling state dirs (profiles, legacy names) a user might be editing by mistake. */
export function isStateDirName(name: string): boolean {
  return name === '.openclaw' || /^\.openclaw-[a-z0-9][a-z0-9_-]{0,63}$/i.test(name) || LEGACY_DIRS.includes(name);
}
