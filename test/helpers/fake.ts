/**
 * Installs the tests' fake `openclaw` executable (test/fake-openclaw/openclaw.mjs, a real process)
 * into `<root>/bin` and gives typed access to its control dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type FailCommand =
  | '--version'
  | 'gateway stop'
  | 'gateway start'
  | 'gateway restart'
  | 'gateway status'
  | 'devices list'
  | 'devices approve';

export interface FailSpec {
  mode: 'once' | 'always';
  exitCode?: number;
  stderr?: string;
}

/** ctl.json, read by the fake CLI on every invocation and by the fake gateway when it starts. */
export interface Ctl {
  /** Printed by `--version` and written to `<bin>/package.json`. Default 2026.7.35. */
  version: string;
  /** Default: sqlite when version >= 2026.8 or a 2026.7.2 beta, else json. */
  store: 'json' | 'sqlite';
  /** Scopes the simulated sub-agent asks for right after the gateway listens; omit for no connect. */
  subagentScopes: string[];
  startDelayMs: number;
  /** Read when SIGTERM arrives, so it may be changed while the gateway runs. */
  stopDelayMs: number;
  fail: Partial<Record<FailCommand, FailSpec>>;
  crashOnStart: boolean;
  /** On an accepted sub-agent connect, rewrite the paired record's lastSeenAtMs (like real OpenClaw). */
  touchOnConnect: boolean;
  /**
   * One shot, applied by `gateway stop` right after the gateway is down: another writer edits the
   * store between clawfix's plan and its write. Removed from ctl.json once applied.
   */
  onStop: { writeFile?: { path: string; content: string; mode?: number } };
}

export interface Fake {
  binDir: string;
  ctlDir: string;
  /** Shallow-merges into ctl.json; passing `fail` resets the "once" consumption record. */
  writeCtl(c: Partial<Ctl>): void;
  readCtl(): Partial<Ctl>;
  /** argv strings of each invocation, in order (`FAILED <key>` lines excluded). */
  calls(): string[];
  /** Raw calls.log lines (`<ISO> <pid> <argv>` and `<ISO> <pid> FAILED <key>`). */
  callLines(): string[];
  gatewayPid(): number | undefined;
  isGatewayRunning(): boolean;
  /** Kill the gateway if alive (SIGTERM, then SIGKILL after 5 s); for cleanup. */
  stopGateway(): Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FAKE_DIR = path.resolve(HERE, '..', 'fake-openclaw');
export const FAKE_CLI = path.join(FAKE_DIR, 'openclaw.mjs');

/** Alive and not a zombie (the detached gateway may be reparented to an init that does not reap). */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/**
 * Node 22.12 (clawfix's oldest) has node:sqlite only behind --experimental-sqlite (unflagged from 22.13
 * and 23.4). The fake stands in for OpenClaw, which brings its own Node, so on such a Node the fake and
 * the gateway it spawns get the flag (through NODE_OPTIONS, which a foreground relaunch keeps too);
 * clawfix never does: the tests scrub NODE_OPTIONS from its environment.
 */
export function sqliteFlagLine(version = process.versions.node): string {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const flagged = (major === 22 && minor < 13) || (major === 23 && minor < 4);
  return flagged ? `export NODE_OPTIONS='--experimental-sqlite --disable-warning=ExperimentalWarning'\n` : '';
}

export function installFakeOpenclaw(root: string, opts: { packageJson?: boolean } = {}): Fake {
  const binDir = path.join(root, 'bin');
  const ctlDir = path.join(root, 'fake-ctl');
  fs.mkdirSync(binDir, { recursive: true });
  fs.mkdirSync(ctlDir, { recursive: true });
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  fs.writeFileSync(path.join(binDir, 'openclaw'), `#!/bin/sh\n${sqliteFlagLine()}exec ${q(process.execPath)} ${q(FAKE_CLI)} "$@"\n`, {
    mode: 0o755,
  });
  const ctlPath = path.join(ctlDir, 'ctl.json');
  const pidPath = path.join(ctlDir, 'gateway.pid');
  const writePackageJson = (version: string) => {
    if (opts.packageJson === false) return;
    // Like a real install, where package.json sits beside the resolved `openclaw` entry point.
    fs.writeFileSync(path.join(binDir, 'package.json'), JSON.stringify({ name: 'openclaw', version }, null, 2));
  };

  const fake: Fake = {
    binDir,
    ctlDir,
    readCtl() {
      try {
        return JSON.parse(fs.readFileSync(ctlPath, 'utf8')) as Partial<Ctl>;
      } catch {
        return {};
      }
    },
    writeCtl(c) {
      const next = { ...fake.readCtl(), ...c };
      fs.writeFileSync(ctlPath, JSON.stringify(next, null, 2));
      if (c.fail) fs.rmSync(path.join(ctlDir, 'fail-consumed.json'), { force: true });
      writePackageJson(next.version ?? '2026.7.35');
    },
    callLines() {
      try {
        return fs.readFileSync(path.join(ctlDir, 'calls.log'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    calls() {
      return fake
        .callLines()
        .map((l) => l.replace(/^\S+ \d+ ?/, ''))
        .filter((l) => !l.startsWith('FAILED '));
    },
    gatewayPid() {
      try {
        const pid = Number(fs.readFileSync(pidPath, 'utf8').trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
      } catch {
        return undefined;
      }
    },
    isGatewayRunning() {
      return pidAlive(fake.gatewayPid());
    },
    async stopGateway() {
      // Both the service-started gateway and a foreground one (`gateway run`, relaunched by clawfix).
      for (const file of [pidPath, path.join(ctlDir, 'foreground.pid')]) {
        let pid: number | undefined;
        try {
          pid = Number(fs.readFileSync(file, 'utf8').trim()) || undefined;
        } catch {
          pid = undefined;
        }
        if (pid && pidAlive(pid)) {
          process.kill(pid, 'SIGTERM');
          const deadline = Date.now() + 5000;
          while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
        }
        fs.rmSync(file, { force: true });
      }
    },
  };
  writePackageJson(fake.readCtl().version ?? '2026.7.35');
  return fake;
}
