/**
 * Images for the container end-to-end tests, built locally (no image registry is reachable here) and
 * cached in the runtime's own store under the cache dir, tagged by a hash of everything that goes in:
 *
 *   localhost/clawfix-e2e-base:<key>      a rootfs of the Node 24 binary this process runs on (from the
 *                                         `node` npm package) and the libraries `ldd` lists, /bin/sh and
 *                                         /usr/bin/env, a `node` user (uid 1000, home /home/node), the
 *                                         offline DNS preload, and `openclaw` on PATH → /app; `podman import`
 *   localhost/clawfix-e2e-openclaw:<v>-<key>  FROM that base, the cached npm install of openclaw@<v>
 *                                         (test/real/install.mjs) copied to /app, owned by node, USER node:
 *                                         what the official image is (node as uid 1000, the app in /app)
 *
 * CLI: node test/container/image.mjs 2026.7.35 2026.9.6   (prints one JSON line per image)
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureOpenclaw, PRELOAD } from '../real/install.mjs';
import { containerCache, podman, podmanOk } from './runtime.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RECIPE = 1; // bump when the recipe below changes in a way the hashed inputs do not show

const sha = (data) => crypto.createHash('sha256').update(data).digest('hex');
const fileSha = (f) => sha(fs.readFileSync(f));

/** Shared libraries a binary needs, as ldd lists them (absolute paths, symlinks resolved when copied). */
function libsOf(bin) {
  const r = spawnSync('ldd', [bin], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ldd ${bin} failed: ${r.stderr}`);
  return [...r.stdout.matchAll(/(\/\S+)/g)].map((m) => m[1]).filter((p) => fs.existsSync(p));
}

const TOOLS = ['/bin/sh', '/usr/bin/env'];
const OPENCLAW_WRAPPER = '#!/bin/sh\nexec node /app/node_modules/openclaw/openclaw.mjs "$@"\n';

function baseInputs() {
  const node = fs.realpathSync(process.execPath);
  const bins = [node, ...TOOLS.map((t) => fs.realpathSync(t))];
  const libs = [...new Set(bins.flatMap(libsOf))].sort();
  const key = sha(
    JSON.stringify({
      RECIPE,
      node: fileSha(node),
      tools: TOOLS.map((t) => [t, fileSha(t)]),
      libs: libs.map((l) => [l, fileSha(l)]),
      preload: fileSha(PRELOAD),
      wrapper: OPENCLAW_WRAPPER,
    }),
  ).slice(0, 16);
  return { node, libs, key };
}

async function exists(ref) {
  return (await podman(['image', 'exists', ref])).code === 0;
}

function buildRootfs(dir, { node, libs }) {
  const put = (src, dest, mode) => {
    fs.mkdirSync(path.dirname(path.join(dir, dest)), { recursive: true });
    fs.copyFileSync(src, path.join(dir, dest));
    if (mode !== undefined) fs.chmodSync(path.join(dir, dest), mode);
  };
  put(node, '/usr/local/bin/node', 0o755);
  for (const t of TOOLS) put(fs.realpathSync(t), t, 0o755);
  for (const l of libs) put(l, l);
  for (const d of ['/tmp', '/var/tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o1777 });
  for (const d of ['/tmp', '/var/tmp']) fs.chmodSync(path.join(dir, d), 0o1777);
  fs.mkdirSync(path.join(dir, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n');
  fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
  for (const d of ['root', 'home/node', 'app']) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o755 });
  fs.chownSync(path.join(dir, 'home/node'), 1000, 1000);
  fs.chownSync(path.join(dir, 'app'), 1000, 1000);
  put(PRELOAD, '/opt/clawfix-e2e/offline.cjs', 0o644);
  fs.writeFileSync(path.join(dir, 'usr/local/bin/openclaw'), OPENCLAW_WRAPPER, { mode: 0o755 });
}

/** The base image (node + libs), built when no image of this key exists. */
export async function ensureBaseImage({ log = () => {} } = {}) {
  const inputs = baseInputs();
  const ref = `localhost/clawfix-e2e-base:${inputs.key}`;
  if (await exists(ref)) return { ref, built: false, ms: 0 };
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(containerCache(), 'rootfs-'));
  try {
    buildRootfs(dir, inputs);
    const tar = spawnSync('sh', ['-c', `tar -C "${dir}" -c . | podman import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'ENV HOME=/home/node' - ${ref}`], {
      env: { ...process.env, ...(await import('./runtime.mjs')).runtimeEnv() },
      encoding: 'utf8',
    });
    if (tar.status !== 0) throw new Error(`podman import of the base rootfs failed: ${tar.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ms = Date.now() - t0;
  log(`built ${ref} in ${(ms / 1000).toFixed(1)} s`);
  return { ref, built: true, ms };
}

/** The image of openclaw@version, built FROM the base when no image of this key exists. */
export async function ensureOpenclawImage(version, { log = () => {} } = {}) {
  const base = await ensureBaseImage({ log });
  const inst = await ensureOpenclaw(version, { log });
  const marker = fs.readFileSync(path.join(inst.dir, '.clawfix-e2e-complete.json'), 'utf8');
  const containerfile = [`FROM ${base.ref}`, 'COPY --chown=1000:1000 node_modules /app/node_modules', 'USER node', 'WORKDIR /app', ''].join('\n');
  const key = sha(JSON.stringify({ RECIPE, base: base.ref, marker, containerfile })).slice(0, 16);
  const ref = `localhost/clawfix-e2e-openclaw:${version}-${key}`;
  if (await exists(ref)) return { ref, version, built: false, ms: 0, base };
  const t0 = Date.now();
  const cf = path.join(containerCache(), `Containerfile.${version}.${process.pid}`);
  fs.writeFileSync(cf, containerfile);
  // Only node_modules goes into the build context (the install dir also holds logs and the lockfile).
  const ignore = path.join(containerCache(), `containerignore.${version}.${process.pid}`);
  fs.writeFileSync(ignore, '*\n!node_modules\n');
  try {
    await podmanOk(['build', '--quiet', '--pull=never', '--network', 'none', '-f', cf, '--ignorefile', ignore, '-t', ref, inst.dir]);
  } finally {
    fs.rmSync(cf, { force: true });
    fs.rmSync(ignore, { force: true });
  }
  const ms = Date.now() - t0;
  log(`built ${ref} in ${(ms / 1000).toFixed(1)} s`);
  return { ref, version, built: true, ms, base };
}

/**
 * Removes images of older keys (a changed recipe or input) of the base and of the versions this run
 * built, so the cache does not grow without bound; other versions' images are left alone.
 */
export async function pruneOldImages(keep) {
  const r = await podman(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  const versionOf = (ref) => /^localhost\/clawfix-e2e-openclaw:(.+)-[0-9a-f]{16}$/.exec(ref)?.[1];
  const keptVersions = new Set(keep.map(versionOf).filter(Boolean));
  const stale = r.stdout
    .split('\n')
    .filter((x) => !keep.includes(x))
    .filter((x) => x.startsWith('localhost/clawfix-e2e-base:') || keptVersions.has(versionOf(x)));
  for (const ref of stale) await podman(['rmi', ref]);
  return stale;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const v of process.argv.slice(2)) {
    const r = await ensureOpenclawImage(v, { log: (m) => console.error(m) });
    console.log(JSON.stringify({ ref: r.ref, built: r.built, ms: r.ms, base: r.base }));
  }
  void HERE;
}
