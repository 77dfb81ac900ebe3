/**
 * Real OpenClaw from the npm registry, installed once per version into a cache dir OUTSIDE the repo
 * (`$CLAWFIX_E2E_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/clawfix-e2e`) and reused: a dir counts as
 * installed only when its completion marker (written last, after `openclaw --version` answered) names
 * the version. Installs go to a temp dir first and are renamed into place, so an interrupted install
 * is never mistaken for a complete one.
 *
 * `npm install --omit=dev --ignore-scripts`: the package's own install scripts only print a package
 * manager hint and prune/hotfix old dist files; nothing the gateway needs (checked on 7.35 and 9.6).
 * npm runs under the Node 24 toolchain this process runs on (its dir first on PATH).
 *
 * CLI: node test/real/install.mjs 2026.7.35 2026.9.6
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const VERSIONS = ['2026.7.35', '2026.9.6'];
export const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'offline.cjs');
const MARKER = '.clawfix-e2e-complete.json';
const INSTALL_TIMEOUT_MS = 15 * 60_000;

export function cacheRoot(env = process.env) {
  if (env.CLAWFIX_E2E_CACHE) return path.resolve(env.CLAWFIX_E2E_CACHE);
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'clawfix-e2e');
}

function readMarker(dir, version) {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'openclaw', 'package.json'), 'utf8'));
    return m.version === version && pkg.name === 'openclaw' && pkg.version === version ? m : undefined;
  } catch {
    return undefined;
  }
}

function duBytes(dir) {
  let total = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.statSync(p).size;
    }
  };
  walk(dir);
  return total;
}

/** The npm CLI: the one running us (npm run sets npm_execpath) under this Node, else `npm` from PATH. */
function npmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /npm-cli\.js$/.test(execPath) && fs.existsSync(execPath)) return [process.execPath, [execPath]];
  return ['npm', []];
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? INSTALL_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

/**
 * Make sure openclaw@version is installed in the cache. Returns where, and whether this call
 * installed it (then `ms` is the install time, `bytes` its size on disk).
 */
export async function ensureOpenclaw(version, { log = () => {} } = {}) {
  const root = cacheRoot();
  fs.mkdirSync(root, { recursive: true });
  const dir = path.join(root, `openclaw-${version}`);
  const pkgDir = path.join(dir, 'node_modules', 'openclaw');
  const have = readMarker(dir, version);
  if (have) return { version, dir, pkgDir, installed: false, ms: have.installMs, bytes: have.bytes };

  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  const [npm, pre] = npmCommand();
  const env = { ...process.env, PATH: [path.dirname(process.execPath), process.env.PATH].join(path.delimiter), npm_config_update_notifier: 'false' };
  delete env.NODE_OPTIONS;
  log(`installing openclaw@${version} into ${dir} (npm, Node ${process.version}) …`);
  const started = Date.now();
  const args = [...pre, 'install', '--prefix', tmp, `openclaw@${version}`, '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=warn'];
  const r = await run(npm, args, { env, cwd: tmp });
  const ms = Date.now() - started;
  fs.writeFileSync(path.join(tmp, 'npm-install.log'), r.out);
  if (r.code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`npm install openclaw@${version} failed (exit ${r.code ?? r.signal}) after ${Math.round(ms / 1000)} s:\n${r.out.split('\n').slice(-30).join('\n')}`);
  }
  // Proof that the install runs on this Node before it is marked complete.
  const tmpPkg = path.join(tmp, 'node_modules', 'openclaw');
  const v = spawnSync(process.execPath, [path.join(tmpPkg, 'openclaw.mjs'), '--version'], {
    env: { ...env, HOME: tmp, OPENCLAW_STATE_DIR: path.join(tmp, '.probe-state'), NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}` },
    encoding: 'utf8',
    timeout: 120_000,
  });
  fs.rmSync(path.join(tmp, '.probe-state'), { recursive: true, force: true });
  if (v.status !== 0 || !String(v.stdout).includes(version)) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`openclaw@${version} installed but \`openclaw --version\` failed (exit ${v.status ?? v.signal}):\n${v.stdout}\n${v.stderr}`);
  }
  const bytes = duBytes(tmp);
  fs.writeFileSync(
    path.join(tmp, MARKER),
    JSON.stringify({ version, installMs: ms, bytes, node: process.version, npmArgs: args.slice(pre.length), at: new Date().toISOString() }, null, 2),
  );
  fs.rmSync(dir, { recursive: true, force: true }); // an incomplete leftover
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!readMarker(dir, version)) throw err; // someone else finished first: fine
  }
  log(`installed openclaw@${version} in ${(ms / 1000).toFixed(1)} s (${(bytes / 1e6).toFixed(0)} MB)`);
  return { version, dir, pkgDir, installed: true, ms, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const versions = process.argv.slice(2).length ? process.argv.slice(2) : VERSIONS;
  for (const v of versions) {
    const r = await ensureOpenclaw(v, { log: (m) => console.error(m) });
    console.log(JSON.stringify(r));
  }
}
