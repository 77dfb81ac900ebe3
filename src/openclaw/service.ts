/**
 * The gateway's OS service definition (systemd user unit, macOS LaunchAgent, Windows `gateway.cmd`)
 * and the lock files of running gateways: which state dir / config a gateway actually uses, and
 * whether a stale OPENCLAW_GATEWAY_TOKEN is baked into the service. Read-only; a token found here is
 * registered for redaction and kept only as a sha256 hash.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { GatewayLockInfo, ServiceSnapshot } from '../types.js';
import { sha256 } from '../util/hash.js';
import { readGatewayLock, type GatewayLock } from './gateway-probe.js';
import { CONFIG_NAMES, expandTilde, validProfile } from './paths.js';

type Env = Record<string, string>;

/** `Environment=` lines of a systemd unit: space-separated assignments, each optionally quoted; `%h` is the home dir. */
export function parseSystemdEnv(text: string, home: string): Env {
  const env: Env = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*Environment\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    const words: string[] = [];
    let cur = '';
    let quote: string | undefined;
    let inWord = false;
    const src = m[1]!;
    for (let i = 0; i < src.length; i++) {
      const ch = src[i]!;
      if (quote) {
        if (ch === '\\' && i + 1 < src.length) cur += src[++i];
        else if (ch === quote) quote = undefined;
        else cur += ch;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
        inWord = true;
      } else if (/\s/.test(ch)) {
        if (inWord) words.push(cur);
        cur = '';
        inWord = false;
      } else {
        if (ch === '\\' && i + 1 < src.length) cur += src[++i];
        else cur += ch;
        inWord = true;
      }
    }
    if (inWord) words.push(cur);
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq <= 0) continue;
      env[w.slice(0, eq)] = w.slice(eq + 1).replace(/%(.)/g, (all, c: string) => (c === 'h' ? home : c === '%' ? '%' : all));
    }
  }
  return env;
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The EnvironmentVariables dict of a LaunchAgent plist (XML). */
export function parsePlistEnv(text: string): Env {
  const env: Env = {};
  const dict = /<key>\s*EnvironmentVariables\s*<\/key>\s*<dict>([\s\S]*?)<\/dict>/.exec(text);
  if (!dict) return env;
  for (const m of dict[1]!.matchAll(/<key>([\s\S]*?)<\/key>\s*<string>([\s\S]*?)<\/string>/g)) env[xmlUnescape(m[1]!.trim())] = xmlUnescape(m[2]!);
  return env;
}

/** `set "KEY=value"` / `set KEY=value` lines of OpenClaw's Windows task script. */
export function parseCmdEnv(text: string): Env {
  const env: Env = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*set\s+(.*)$/i.exec(raw);
    if (!m) continue;
    let a = m[1]!.trim();
    const quoted = a.length >= 2 && a.startsWith('"') && a.endsWith('"');
    if (quoted) a = a.slice(1, -1);
    const eq = a.indexOf('=');
    if (eq <= 0) continue;
    const un = (v: string) => (quoted ? v.replace(/\^(.)/g, '$1').replace(/%%/g, '%') : v);
    env[un(a.slice(0, eq).trim()).toUpperCase()] = un(a.slice(eq + 1));
  }
  return env;
}

interface Candidate {
  kind: ServiceSnapshot['kind'];
  path: string;
  parse: (text: string) => Env;
  /** The state dir the service uses when nothing is pinned. */
  defaultStateDir: string;
}

/**
 * The service definition OpenClaw installs for this profile (`openclaw gateway install`):
 * `~/.config/systemd/user/openclaw-gateway[-<profile>].service`, `~/Library/LaunchAgents/ai.openclaw.{gateway|<profile>}.plist`,
 * `<state>/gateway.cmd`. The platform's own kind is preferred when several exist.
 */
/** The service definition (undefined: none installed) and the raw token it bakes in (for redaction only). */
export async function readServiceDefinition(o: { home: string; stateDir: string; profile?: string; platform?: NodeJS.Platform }): Promise<{ service?: ServiceSnapshot; secrets: string[] }> {
  const { home, profile } = o;
  const defaultDir = path.join(home, profile ? `.openclaw-${profile}` : '.openclaw');
  const all: Candidate[] = [
    {
      kind: 'systemd',
      path: path.join(home, '.config', 'systemd', 'user', `openclaw-gateway${profile ? `-${profile}` : ''}.service`),
      parse: (t) => parseSystemdEnv(t, home),
      defaultStateDir: defaultDir,
    },
    { kind: 'launchd', path: path.join(home, 'Library', 'LaunchAgents', `ai.openclaw.${profile ?? 'gateway'}.plist`), parse: parsePlistEnv, defaultStateDir: defaultDir },
    { kind: 'windows-task', path: path.join(o.stateDir, 'gateway.cmd'), parse: parseCmdEnv, defaultStateDir: o.stateDir },
  ];
  const native = o.platform === 'darwin' ? 'launchd' : o.platform === 'win32' ? 'windows-task' : 'systemd';
  const ordered = [...all.filter((c) => c.kind === native), ...all.filter((c) => c.kind !== native)];
  for (const c of ordered) {
    let text: string;
    try {
      text = await fs.readFile(c.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') continue;
      return {
        service: { kind: c.kind, path: c.path, pins: {}, stateDir: c.defaultStateDir, configPath: path.join(c.defaultStateDir, 'openclaw.json'), error: `cannot read ${c.path}: ${code ?? (err as Error).message}` },
        secrets: [],
      };
    }
    return serviceFrom(c, text, home);
  }
  return { secrets: [] };
}

/** A service definition's text as a ServiceSnapshot (pins, the state dir and config its gateway uses) and its baked token. */
function serviceFrom(c: Candidate, text: string, home: string): { service: ServiceSnapshot; secrets: string[] } {
  const env = c.parse(text);
  const token = env.OPENCLAW_GATEWAY_TOKEN;
  const pins: ServiceSnapshot['pins'] = {
    ...(env.OPENCLAW_STATE_DIR?.trim() ? { stateDir: path.resolve(expandTilde(env.OPENCLAW_STATE_DIR.trim(), home)) } : {}),
    ...(env.OPENCLAW_CONFIG_PATH?.trim() ? { configPath: path.resolve(expandTilde(env.OPENCLAW_CONFIG_PATH.trim(), home)) } : {}),
    ...(env.OPENCLAW_PROFILE?.trim() ? { profile: env.OPENCLAW_PROFILE.trim() } : {}),
  };
  const pinnedProfileDir = pins.profile && pins.profile.toLowerCase() !== 'default' && validProfile(pins.profile) ? path.join(home, `.openclaw-${pins.profile}`) : undefined;
  const stateDir = pins.stateDir ?? pinnedProfileDir ?? c.defaultStateDir;
  return {
    service: {
      kind: c.kind,
      path: c.path,
      ...(token ? { tokenHash: sha256(token) } : {}),
      pins,
      stateDir,
      configPath: pins.configPath ?? path.join(stateDir, 'openclaw.json'),
    },
    secrets: token ? [token] : [],
  };
}

/** A gateway service of some profile, found by listing the service dirs (not by knowing the profile). */
export interface ProfileService {
  service: ServiceSnapshot;
  /** The profile its file name (or its OPENCLAW_PROFILE pin) names; undefined: the default profile. */
  profile?: string;
}

/** The profile a service file is named for: `openclaw-gateway-<p>.service`, `ai.openclaw.<p>.plist` (`gateway`: the default). */
function profileOfServiceFile(name: string): { kind: 'systemd' | 'launchd'; profile?: string } | undefined {
  const sd = /^openclaw-gateway(?:-(.+))?\.service$/.exec(name);
  if (sd) return { kind: 'systemd', ...(sd[1] && validProfile(sd[1]) ? { profile: sd[1] } : {}) };
  const ld = /^ai\.openclaw\.(.+)\.plist$/.exec(name);
  if (ld && (ld[1] === 'gateway' || validProfile(ld[1]!))) return { kind: 'launchd', ...(ld[1] !== 'gateway' ? { profile: ld[1] } : {}) };
  return undefined;
}

/**
 * Every OpenClaw gateway service installed for this home, whatever its profile:
 * `~/.config/systemd/user/openclaw-gateway*.service` and `~/Library/LaunchAgents/ai.openclaw.*.plist`.
 * Only those two dirs are listed; unreadable files are skipped. Tokens come back for redaction only.
 */
export async function listProfileServices(home: string): Promise<{ services: ProfileService[]; secrets: string[] }> {
  const dirs = [path.join(home, '.config', 'systemd', 'user'), path.join(home, 'Library', 'LaunchAgents')];
  const services: ProfileService[] = [];
  const secrets: string[] = [];
  for (const dir of dirs) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const f = profileOfServiceFile(name);
      if (!f) continue;
      const file = path.join(dir, name);
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const defaultStateDir = path.join(home, f.profile ? `.openclaw-${f.profile}` : '.openclaw');
      const parse = f.kind === 'systemd' ? (t: string) => parseSystemdEnv(t, home) : parsePlistEnv;
      const r = serviceFrom({ kind: f.kind, path: file, parse, defaultStateDir }, text, home);
      const pinned = r.service.pins.profile;
      const profile = pinned && pinned.toLowerCase() !== 'default' && validProfile(pinned) ? pinned : f.profile;
      services.push({ service: r.service, ...(profile ? { profile } : {}) });
      secrets.push(...r.secrets);
    }
  }
  return { services, secrets };
}

/**
 * Live gateway locks (OpenClaw's `/tmp/openclaw-<uid>/gateway.<hash>.lock`) for the configs a gateway
 * on this machine may be using: this one (already read by the snapshot), the other state dirs' and the
 * one the service pins. Only these candidates are looked up, never every lock on the machine.
 */
export async function readGatewayLocks(current: { configPath: string; lock?: GatewayLock }, otherStateDirs: readonly string[], service?: ServiceSnapshot): Promise<GatewayLockInfo[]> {
  const candidates = new Set<string>();
  for (const d of otherStateDirs) for (const n of CONFIG_NAMES) candidates.add(path.join(d, n));
  if (service) candidates.add(service.configPath);
  candidates.delete(current.configPath);
  const found = await Promise.all([...candidates].map((p) => readGatewayLock(p)));
  const info = (l: GatewayLock, configPath: string): GatewayLockInfo => ({
    pid: l.pid,
    configPath: l.configPath ?? configPath,
    lockPath: l.path,
    ...(l.createdAtMs !== undefined ? { startedAtMs: l.createdAtMs } : {}),
  });
  const out: GatewayLockInfo[] = current.lock ? [info(current.lock, current.configPath)] : [];
  [...candidates].forEach((p, i) => {
    const l = found[i];
    if (l && !out.some((o) => o.lockPath === l.path)) out.push(info(l, p));
  });
  return out;
}
