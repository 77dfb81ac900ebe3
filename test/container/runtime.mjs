/**
 * The container runtime the container end-to-end tests use: rootful podman from Debian's packages,
 * configured for this kind of machine by two files in the cache dir (never /etc):
 *   containers.conf  runtime runc (crun refuses the mixed cgroup v1 + unified layout: "cgroups in hybrid
 *                    mode not supported"), cgroupfs (no systemd), ulimits within the sandbox's hard limits
 *                    (podman's defaults fail with `setrlimit … Operation not permitted`), file events
 *   storage.conf     an image store of our own under the cache dir (overlay; vfs where overlay cannot
 *                    mount), so the images we build are cached there, keyed by what went into them,
 *                    and never mix with a podman the machine uses otherwise
 * Every podman call (the tests', clawfix's, the API service's for docker-compose) gets runtimeEnv().
 *
 * probeRuntime() proves the runtime can start a container here; its failure is loud, never a skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The OpenClaw versions the suite runs (the cases of container-gateway.e2e.ts; CLAWFIX_CT_VERSIONS narrows them). */
export const CONTAINER_VERSIONS = ['2026.7.35', '2026.9.6'];

export function cacheRoot(env = process.env) {
  if (env.CLAWFIX_E2E_CACHE) return path.resolve(env.CLAWFIX_E2E_CACHE);
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'clawfix-e2e');
}

export function containerCache(env = process.env) {
  return path.join(cacheRoot(env), 'container');
}

/** The soft:hard limits a container may have here: the sandbox's hard limits, capped. */
function ulimits() {
  const hard = (flag, cap) => {
    const r = spawnSync('sh', ['-c', `ulimit -H${flag}`], { encoding: 'utf8' });
    const v = String(r.stdout).trim();
    return v === 'unlimited' || !/^\d+$/.test(v) ? cap : Math.min(Number(v), cap);
  };
  const nofile = hard('n', 20000);
  const nproc = hard('u', 32768);
  return [`nofile=${nofile}:${nofile}`, `nproc=${nproc}:${nproc}`];
}

function storageDriver(root) {
  // overlay needs a kernel overlayfs that mounts on the backing filesystem; vfs always works (copies).
  if (process.env.CLAWFIX_E2E_STORAGE_DRIVER) return process.env.CLAWFIX_E2E_STORAGE_DRIVER;
  const probe = fs.mkdtempSync(path.join(root, 'overlay-probe-'));
  try {
    for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(probe, d));
    const r = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${probe}/lower,upperdir=${probe}/upper,workdir=${probe}/work`, `${probe}/merged`], { encoding: 'utf8' });
    if (r.status !== 0) return 'vfs';
    spawnSync('umount', [`${probe}/merged`]);
    return 'overlay';
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Writes the config files (once; rewritten when they would differ) and returns the env for podman. */
export function runtimeEnv(env = process.env) {
  const root = containerCache(env);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const confFile = path.join(root, 'containers.conf');
  const storageFile = path.join(root, 'storage.conf');
  const conf = [
    '# clawfix container e2e (test/container/runtime.mjs): generated',
    '[containers]',
    `default_ulimits = [${ulimits().map((u) => JSON.stringify(u)).join(', ')}]`,
    'log_driver = "k8s-file"',
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `tmp_dir = "/run/clawfix-e2e-podman/libpod"`,
    '',
  ].join('\n');
  let driver;
  try {
    driver = /driver = "(\w+)"/.exec(fs.readFileSync(storageFile, 'utf8'))?.[1];
  } catch {
    /* first run */
  }
  driver ??= storageDriver(root);
  const storage = [
    '# clawfix container e2e (test/container/runtime.mjs): generated',
    '[storage]',
    `driver = "${driver}"`,
    `graphroot = "${path.join(root, 'storage')}"`,
    `runroot = "/run/clawfix-e2e-podman/storage"`,
    '',
  ].join('\n');
  for (const [f, text] of [
    [confFile, conf],
    [storageFile, storage],
  ]) {
    let cur;
    try {
      cur = fs.readFileSync(f, 'utf8');
    } catch {
      cur = undefined;
    }
    if (cur !== text) fs.writeFileSync(f, text, { mode: 0o600 });
  }
  return { CONTAINERS_CONF: confFile, CONTAINERS_STORAGE_CONF: storageFile };
}

/** Run podman with the runtime env. Resolves { code, stdout, stderr, ms }; never rejects on exit code. */
export function podman(args, { input, timeoutMs = 600_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('podman', args, { env: { ...process.env, ...runtimeEnv(), ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr, ms: Date.now() - t0 });
    });
    if (input !== undefined) {
      if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
      else input.pipe(child.stdin);
    }
  });
}

export async function podmanOk(args, opts) {
  const r = await podman(args, opts);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
  return r;
}

/** Why the runtime cannot be used on this machine, or undefined when `podman` and runc are there. */
export function runtimeMissing() {
  const p = spawnSync('podman', ['--version'], { encoding: 'utf8' });
  if (p.error || p.status !== 0) return 'podman is not installed (Debian: apt-get install podman runc catatonit)';
  const r = spawnSync('runc', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'runc is not installed (Debian: apt-get install runc)';
  if (process.getuid?.() !== 0) return 'the container tests drive rootful podman and must run as root';
  return undefined;
}
