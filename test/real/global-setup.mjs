/**
 * Before the real-gateway tests: install the pinned OpenClaw versions (or reuse the cache), make the
 * run's temp root, and hand both to the tests through the environment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheRoot, ensureOpenclaw, selectedVersions } from './install.mjs';
import { recordTiming } from './timings.mjs';

export default async function globalSetup() {
  const suiteStart = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-e2e-'));
  fs.chmodSync(root, 0o700);
  process.env.CLAWFIX_E2E_RUN_ROOT = root;
  recordTiming({ kind: 'suite-start', at: suiteStart });
  if (process.env.CLAWFIX_E2E_SKIP) {
    process.env.CLAWFIX_E2E_SKIPPED = `CLAWFIX_E2E_SKIP=${process.env.CLAWFIX_E2E_SKIP} is set`;
    return;
  }
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major !== 24 || minor < 16) {
    throw new Error(`the real-gateway tests need Node >= 24.16 < 25 (openclaw@2026.9.x); this is ${process.version}. Run them with \`npm run test:real\` (Node 24 from node_modules).`);
  }
  const versions = selectedVersions();
  const installs = {};
  process.stderr.write(`\n[clawfix e2e] OpenClaw cache: ${cacheRoot()}\n`);
  // Installs are mostly network- and disk-bound: a few at once (CLAWFIX_E2E_INSTALL_CONCURRENCY,
  // default 3). Measured: the whole fresh matrix with a cold npm cache in 320 s at 3 at a time on the
  // busy 2-core machine (4.6 GB; one after the other the recorded single installs add up to ~8 min).
  // Gateways still run one at a time.
  const concurrency = Math.max(1, Number(process.env.CLAWFIX_E2E_INSTALL_CONCURRENCY) || 3);
  const installStart = Date.now();
  const queue = [...versions];
  const results = {};
  const worker = async () => {
    for (let v = queue.shift(); v; v = queue.shift()) {
      results[v] = await ensureOpenclaw(v, { log: (m) => process.stderr.write(`[clawfix e2e] ${m}\n`) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, versions.length) }, worker));
  for (const v of versions) {
    const r = results[v];
    if (!r.installed) process.stderr.write(`[clawfix e2e] openclaw@${v}: cached (${r.dir})\n`);
    recordTiming({ kind: 'install', version: v, installed: r.installed, ms: r.ms, bytes: r.bytes });
    installs[v] = r.pkgDir;
  }
  recordTiming({ kind: 'install-wall', ms: Date.now() - installStart, installed: versions.some((v) => results[v].installed), concurrency });
  process.env.CLAWFIX_E2E_INSTALLS = JSON.stringify(installs);
}
