/**
 * After the container tests: remove every container of this run (by its label, never by name
 * pattern), stop the API service a compose test started (by its recorded pid), print the timings, and
 * remove the run's temp root (kept when a test failed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatTimings, readTimings } from '../real/timings.mjs';
import { podman } from './runtime.mjs';
import { stopService } from './service.mjs';

export default async function globalTeardown() {
  const root = process.env.CLAWFIX_E2E_RUN_ROOT;
  const id = process.env.CLAWFIX_CT_RUN_ID;
  if (id && !process.env.CLAWFIX_CT_SKIPPED) {
    const ps = await podman(['ps', '-a', '-q', '--filter', `label=clawfix-e2e-run=${id}`]).catch(() => ({ stdout: '' }));
    const ids = ps.stdout.split('\n').filter(Boolean);
    if (ids.length) {
      process.stderr.write(`[clawfix container e2e] teardown removes leftover containers: ${ids.join(', ')}\n`);
      await podman(['rm', '-f', '-t', '5', ...ids]);
    }
  }
  if (root) await stopService(root);
  if (process.env.CLAWFIX_CT_SKIPPED) process.stderr.write(`\n[clawfix container e2e] SKIPPED: ${process.env.CLAWFIX_CT_SKIPPED}\n`);
  else process.stderr.write(`${formatTimings(readTimings())}\n`);
  if (!root || !fs.existsSync(root)) return;
  const failed = fs.readdirSync(root).filter((n) => fs.existsSync(path.join(root, n, 'FAILED')));
  if (failed.length || process.env.CLAWFIX_E2E_KEEP) {
    process.stderr.write(`[clawfix container e2e] kept ${root} for inspection (${failed.length ? `failed: ${failed.join(', ')}` : 'CLAWFIX_E2E_KEEP'})\n`);
  } else {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
