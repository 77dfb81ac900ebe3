/**
 * Before the container tests: the runtime must work on this machine (a container must start), and the
 * images for the pinned OpenClaw versions must exist (built from the cached npm installs, or reused).
 *
 * No runtime is a FAILURE, loudly: CI must prove the container repair. CLAWFIX_CONTAINER_E2E_SKIP=<why>
 * (for a developer's machine without podman) turns it into skipped tests that say so.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordTiming } from '../real/timings.mjs';
import { ensureBaseImage, ensureOpenclawImage, pruneOldImages } from './image.mjs';
import { CONTAINER_VERSIONS, podman, runtimeEnv, runtimeMissing } from './runtime.mjs';

const say = (m) => process.stderr.write(`[clawfix container e2e] ${m}\n`);

export default async function globalSetup() {
  const suiteStart = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-ct-'));
  fs.chmodSync(root, 0o755); // uid 1000 (the containers' user) must reach the state dirs below it
  process.env.CLAWFIX_E2E_RUN_ROOT = root;
  process.env.CLAWFIX_CT_RUN_ID = crypto.randomBytes(8).toString('hex');
  recordTiming({ kind: 'suite-start', at: suiteStart });
  if (process.env.CLAWFIX_CONTAINER_E2E_SKIP) {
    if (process.env.CI) throw new Error(`CLAWFIX_CONTAINER_E2E_SKIP is set under CI: CI must prove the container repair, it cannot skip it`);
    process.env.CLAWFIX_CT_SKIPPED = `CLAWFIX_CONTAINER_E2E_SKIP=${process.env.CLAWFIX_CONTAINER_E2E_SKIP} is set`;
    return;
  }
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major !== 24 || minor < 16) throw new Error(`the container tests need Node >= 24.16 < 25; this is ${process.version}. Run them with \`npm run test:container\`.`);
  const missing = runtimeMissing();
  if (missing) {
    throw new Error(`CONTAINER RUNTIME MISSING: ${missing}. The container repair is not proven on this machine. (.ci/run installs it; set CLAWFIX_CONTAINER_E2E_SKIP=<reason> to skip on purpose.)`);
  }
  const env = runtimeEnv();
  say(`podman config: ${env.CONTAINERS_CONF}, ${env.CONTAINERS_STORAGE_CONF}`);
  const base = await ensureBaseImage({ log: say });
  recordTiming({ kind: 'phase', version: 'image', name: base.built ? 'base image built' : 'base image cached', ms: base.ms });
  // Proof the runtime can start a container here (runc, cgroups, ulimits), before any gateway.
  const probe = await podman(['run', '--rm', '--network', 'host', '--init', '-u', '1000:1000', base.ref, 'node', '-e', 'process.stdout.write(String(process.getuid()))'], { timeoutMs: 120_000 });
  if (probe.code !== 0 || probe.stdout.trim() !== '1000') {
    throw new Error(`CONTAINER RUNTIME BROKEN: podman could not run a container here (exit ${probe.code}): ${probe.stderr.trim()}`);
  }
  recordTiming({ kind: 'phase', version: 'image', name: 'probe container run (start+exit)', ms: probe.ms });
  // The suite's own versions (test:real's matrix is its own): CLAWFIX_CT_VERSIONS narrows them.
  const versions = (process.env.CLAWFIX_CT_VERSIONS || CONTAINER_VERSIONS.join(',')).split(',').map((v) => v.trim()).filter(Boolean);
  const images = {};
  for (const v of versions) {
    const r = await ensureOpenclawImage(v, { log: say });
    if (!r.built) say(`openclaw@${v}: image cached (${r.ref})`);
    recordTiming({ kind: 'phase', version: 'image', name: `openclaw@${v} image ${r.built ? 'built' : 'cached'}`, ms: r.ms });
    images[v] = r.ref;
  }
  const pruned = await pruneOldImages([base.ref, ...Object.values(images)]);
  if (pruned.length) say(`pruned stale images: ${pruned.join(', ')}`);
  process.env.CLAWFIX_CT_IMAGES = JSON.stringify(images);
}
