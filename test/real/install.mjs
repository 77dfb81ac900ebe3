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
 * Per-version install quirks are data (INSTALL_QUIRKS): 2026.2.21 depends (through
 * @whiskeysockets/baileys, the WhatsApp channel) on `libsignal` from GitHub only, which an offline or
 * registry-only machine cannot fetch; the install then gets a root package.json whose npm `overrides`
 * point `libsignal` at a stub package this script generates (a tarball, so nothing links outside the
 * install dir). The stub throws on use; the harness skips channels (OPENCLAW_SKIP_CHANNELS=1), so the
 * gateway never loads it.
 *
 * CLI: node test/real/install.mjs [version …]   (default: the whole MATRIX, or $CLAWFIX_E2E_VERSIONS)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real-gateway era matrix (test/real/cases.ts says what each version proves). */
export const MATRIX = ['2026.2.21', '2026.3.24', '2026.4.21', '2026.5.12', '2026.6.11', '2026.7.35', '2026.8.1', '2026.9.6'];

/** `CLAWFIX_E2E_VERSIONS=2026.4.21,2026.9.6` picks versions; default the whole matrix. */
export function selectedVersions(env = process.env) {
  const raw = env.CLAWFIX_E2E_VERSIONS;
  if (!raw || !raw.trim()) return [...MATRIX];
  return raw.split(',').map((v) => v.trim()).filter(Boolean);
}

/** Dependencies a version cannot install from the npm registry, replaced by generated stubs. */
export const INSTALL_QUIRKS = {
  // @whiskeysockets/baileys@7.0.0-rc.9 (WhatsApp) imports these names from libsignal (GitHub only).
  '2026.2.21': {
    stubs: {
      libsignal: {
        version: '2.0.1',
        files: {
          'index.js': ['SessionCipher', 'SessionBuilder', 'SessionRecord', 'ProtocolAddress'],
          'src/curve.js': ['generateKeyPair', 'calculateAgreement', 'calculateSignature', 'verifySignature'],
          'src/crypto.js': ['deriveSecrets', 'decrypt', 'encrypt', 'calculateMAC'],
        },
      },
    },
  },
};
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
 * A root package.json for the install prefix whose `overrides` replace each named dependency with a
 * generated stub tarball (`file:./stubs/<name>-<version>.tgz`), wherever it sits in the tree. Each stub
 * file names its exports statically (`exports.X = …`), so ESM importers' named imports link; calling
 * any of them throws.
 */
async function writeStubOverrides(tmp, version, stubs, { npm, pre, env }) {
  const stubRoot = path.join(tmp, 'stubs');
  const overrides = {};
  for (const [name, stub] of Object.entries(stubs)) {
    const src = path.join(stubRoot, `${name}-src`);
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(
      path.join(src, 'package.json'),
      `${JSON.stringify({ name, version: stub.version, description: `clawfix e2e stub: ${name} is not installable from the npm registry (openclaw@${version})`, main: 'index.js', license: 'MIT' }, null, 2)}\n`,
    );
    for (const [file, names] of Object.entries(stub.files)) {
      const body = [
        "'use strict';",
        `// Generated by clawfix test/real/install.mjs: a stub of ${name}/${file} for openclaw@${version} (the real package is on GitHub only).`,
        `function fail() { throw new Error('${name} is a stub in the clawfix end-to-end install (channels are skipped)'); }`,
        ...names.map((n) => `exports.${n} = fail;`),
        '',
      ].join('\n');
      fs.mkdirSync(path.dirname(path.join(src, file)), { recursive: true });
      fs.writeFileSync(path.join(src, file), body);
    }
    const r = await run(npm, [...pre, 'pack', '--pack-destination', stubRoot, '--loglevel=warn'], { env, cwd: src, timeoutMs: 60_000 });
    const tgz = `${name}-${stub.version}.tgz`;
    if (r.code !== 0 || !fs.existsSync(path.join(stubRoot, tgz))) throw new Error(`could not pack the ${name} stub for openclaw@${version}:\n${r.out}`);
    fs.rmSync(src, { recursive: true, force: true });
    overrides[name] = `file:./stubs/${tgz}`;
  }
  fs.writeFileSync(
    path.join(tmp, 'package.json'),
    `${JSON.stringify({ name: `clawfix-e2e-openclaw-${version}`, private: true, dependencies: { openclaw: version }, overrides }, null, 2)}\n`,
  );
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
  const quirks = INSTALL_QUIRKS[version] ?? {};
  const [npm, pre] = npmCommand();
  const env = { ...process.env, PATH: [path.dirname(process.execPath), process.env.PATH].join(path.delimiter), npm_config_update_notifier: 'false' };
  delete env.NODE_OPTIONS;
  log(`installing openclaw@${version} into ${dir} (npm, Node ${process.version}) …`);
  const started = Date.now();
  if (quirks.stubs) await writeStubOverrides(tmp, version, quirks.stubs, { npm, pre, env });
  const args = [...pre, 'install', '--prefix', tmp, `openclaw@${version}`, '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', '--loglevel=warn'];
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
    JSON.stringify({ version, installMs: ms, bytes, node: process.version, npmArgs: args.slice(pre.length), stubs: Object.keys(quirks.stubs ?? {}), at: new Date().toISOString() }, null, 2),
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
  const versions = process.argv.slice(2).length ? process.argv.slice(2) : selectedVersions();
  for (const v of versions) {
    const r = await ensureOpenclaw(v, { log: (m) => console.error(m) });
    console.log(JSON.stringify(r));
  }
}
