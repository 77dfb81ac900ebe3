/**
 * Run the BUILT clawfix as a real process against a fixture, and prove things about its effects: tree
 * hashes ("nothing changed") and secret leaks. Which clawfix: $CLAWFIX_BIN when set (CI points it at
 * the bin of the package it packed and installed, so the suites test what ships), else this work
 * tree's bin/clawfix.js → dist/ (built by `npm test`'s pretest). Either runs as `node <bin> …` under
 * the Node running the tests.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fake } from './fake.js';
import type { Fixture } from './fixtures.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLAWFIX_BIN = clawfixBin();

function clawfixBin(): string {
  const fromEnv = process.env.CLAWFIX_BIN;
  if (!fromEnv) return path.join(REPO_ROOT, 'bin', 'clawfix.js');
  const bin = path.resolve(fromEnv);
  if (!fs.existsSync(bin)) throw new Error(`CLAWFIX_BIN=${fromEnv}: no such file (point it at an installed clawfix's bin, e.g. <prefix>/bin/clawfix)`);
  return bin;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Set when the process ended on a signal (code is then 128 + signal number). */
  signal?: NodeJS.Signals;
}

export interface RunOptions {
  fixture?: Fixture;
  /** Default: the fixture's fake. */
  fake?: Fake;
  /** Applied last; a value of '' is passed as an empty string. */
  env?: Record<string, string>;
  /** Written to stdin, then closed (stdin is always a pipe: never a TTY). */
  input?: string;
  /** Default 30 s; the process is then SIGKILLed and the promise rejects. */
  timeoutMs?: number;
  cwd?: string;
  /**
   * runCli checks stdout and stderr against the fixture's planted secrets (and anything shaped like a
   * planted token or a private key PEM) and rejects naming the leak. Opt out only for a test that
   * legitimately prints a secret (none does today).
   */
  allowSecrets?: boolean;
  /** Run the child as this uid/gid (the tests run as root, which bypasses file modes). */
  uid?: number;
  gid?: number;
  /** Run the child through this command prefix, e.g. setpriv dropping root's file-access override. */
  via?: string[];
}

/** Variables that would make a run depend on the developer's machine. */
const SCRUB = /^(OPENCLAW_|CLAWDBOT_|FAKE_OPENCLAW_|FORCE_COLOR$|NODE_OPTIONS$|CLAWFIX_|NO_COLOR$|CI$)/;

export function cliEnv(opts: Pick<RunOptions, 'fixture' | 'fake' | 'env'> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) env[k] = v;
  const fake = opts.fake ?? opts.fixture?.fake;
  const nodeDir = path.dirname(process.execPath);
  env.PATH = [fake?.binDir, nodeDir, process.env.PATH].filter(Boolean).join(path.delimiter);
  if (opts.fixture) {
    env.HOME = opts.fixture.home;
    env.OPENCLAW_STATE_DIR = opts.fixture.stateDir;
    env.OPENCLAW_CONFIG_PATH = opts.fixture.configPath;
    // Hermetic: this machine's real /tmp/openclaw (other gateways' logs) is not the fixture's.
    env.CLAWFIX_OPENCLAW_TMP_ROOT = path.join(opts.fixture.root, 'tmp');
  }
  if (fake) env.FAKE_OPENCLAW_CTL = fake.ctlDir;
  env.NO_COLOR = '1';
  return { ...env, ...(opts.env ?? {}) };
}

/**
 * Spawn `node <CLAWFIX_BIN> …args`. Never rejects on a non-zero exit; rejects on timeout, and — when
 * a fixture is given (unless `allowSecrets`) — when stdout or stderr holds one of its planted secrets.
 */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runProcess(process.execPath, [CLAWFIX_BIN, ...args], opts);
  if (opts.fixture && !opts.allowSecrets) {
    try {
      assertNoSecrets([r.stdout, r.stderr], opts.fixture.secrets);
    } catch (err) {
      const which = (err as Error).message.replace(/text #0/, 'stdout').replace(/text #1/, 'stderr');
      throw new Error(`SECRET LEAK: \`clawfix ${args.join(' ')}\` (exit ${r.code}, fixture ${opts.fixture.root}) printed a planted secret: ${which}`);
    }
  }
  return r;
}

/** Run the fake `openclaw` itself (through its bin/ shim) with the same environment. */
export function runOpenclaw(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const fake = opts.fake ?? opts.fixture?.fake;
  if (!fake) throw new Error('runOpenclaw needs a fixture or a fake');
  return runProcess(path.join(fake.binDir, 'openclaw'), args, opts);
}

export function runProcess(cmd: string, argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const label = [path.basename(cmd), ...argv.slice(cmd === process.execPath ? 1 : 0)].join(' ');
  return new Promise((resolve, reject) => {
    const [exe, ...pre] = opts.via?.length ? [...opts.via, cmd] : [cmd];
    const child = spawn(exe!, [...pre, ...argv], {
      cwd: opts.cwd ?? opts.fixture?.root ?? REPO_ROOT,
      env: cliEnv(opts),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} timed out after ${timeoutMs} ms\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 128 + (signal ? os.constants.signals[signal] : 0),
        stdout,
        stderr,
        durationMs: Date.now() - started,
        ...(signal ? { signal } : {}),
      });
    });
    child.stdin.on('error', () => {}); // EPIPE when the child exits without reading
    child.stdin.end(opts.input ?? '');
  });
}

export interface TreeOptions {
  /** Relative paths (posix separators) to leave out, e.g. SQLite's -wal/-shm files. */
  ignore?: (rel: string) => boolean;
}

/**
 * rel path → `sha256:<hex> mode:<octal>` for files, `dir mode:<octal>` for dirs, `link:<target>`
 * for symlinks. Compare two maps with `diffTrees` to prove "nothing changed".
 */
export async function hashTree(dir: string, opts: TreeOptions = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    const entries = await fs.promises.readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (opts.ignore?.(r)) continue;
      const p = path.join(abs, e.name);
      const st = await fs.promises.lstat(p);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) out.set(r, `link:${await fs.promises.readlink(p)}`);
      else if (st.isDirectory()) {
        out.set(r, `dir mode:${mode}`);
        await walk(p, r);
      } else {
        const hash = crypto.createHash('sha256').update(await fs.promises.readFile(p)).digest('hex');
        out.set(r, `sha256:${hash} mode:${mode}`);
      }
    }
  };
  await walk(dir, '');
  return out;
}

/** Human-readable differences between two hashTree results (empty when identical). */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): string[] {
  const diffs: string[] = [];
  for (const [k, v] of before) {
    if (!after.has(k)) diffs.push(`removed ${k}`);
    else if (after.get(k) !== v) diffs.push(`changed ${k}: ${v} -> ${after.get(k)}`);
  }
  for (const k of after.keys()) if (!before.has(k)) diffs.push(`added ${k}`);
  return diffs;
}

/** The unique part of a planted secret (without the constant `sekrit-` / Ed25519 PEM prefixes). */
function secretCore(s: string): string {
  return s.replace(/^sekrit-/, '').replace(/^MC4CAQAwBQYDK2VwBCIEI/, '');
}

/**
 * Throws naming the leak when any text contains a secret, a 10-character piece of one, or anything
 * shaped like a planted token (`sekrit-…`, which also catches tokens the fake minted later).
 */
export function assertNoSecrets(texts: string[], secrets: string[]): void {
  const describe = (i: number, at: number) => {
    const t = texts[i] ?? '';
    return `text #${i} near: ${JSON.stringify(t.slice(Math.max(0, at - 40), at + 60))}`;
  };
  texts.forEach((text, i) => {
    for (const s of secrets) {
      const at = text.indexOf(s);
      if (at >= 0) throw new Error(`secret ${s.slice(0, 10)}… leaked in ${describe(i, at)}`);
      const core = secretCore(s);
      for (let k = 0; k + 10 <= core.length; k++) {
        const piece = core.slice(k, k + 10);
        const pat = text.indexOf(piece);
        if (pat >= 0) throw new Error(`part of secret ${s.slice(0, 10)}… (${piece}) leaked in ${describe(i, pat)}`);
      }
    }
    const m = /sekrit-[A-Za-z0-9_-]{4,}/.exec(text);
    if (m) throw new Error(`planted token ${m[0].slice(0, 11)}… leaked in ${describe(i, m.index)}`);
    const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.exec(text);
    if (pem) throw new Error(`private key PEM leaked in ${describe(i, pem.index)}`);
  });
}
