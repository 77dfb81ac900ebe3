/**
 * After the real-gateway tests: the last safety net for processes (every gateway the service wrapper
 * ever started is in a pids.log; each still alive AND carrying this run's marker in its environment is
 * killed by pid), the timing summary, and the run's temp root (kept when a test failed, for the logs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { killRecorded } from './processes.mjs';
import { formatTimings, readTimings } from './timings.mjs';

export default async function globalTeardown() {
  const root = process.env.CLAWFIX_E2E_RUN_ROOT;
  if (!root || !fs.existsSync(root)) return;
  const leftovers = [];
  for (const name of fs.readdirSync(root)) {
    const svc = path.join(root, name, 'service');
    if (fs.existsSync(path.join(svc, 'pids.log'))) leftovers.push(...(await killRecorded(svc)));
  }
  // Names real OpenClaw tried to resolve (refused by the offline preload), per gateway.
  for (const name of fs.readdirSync(root)) {
    const f = path.join(root, name, 'service', 'dns-refused.log');
    if (!fs.existsSync(f)) continue;
    const hosts = [...new Set(fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(2).join(' ')))];
    process.stderr.write(`[clawfix e2e] ${name}: offline, refused name lookups: ${hosts.join(', ')}\n`);
  }
  if (leftovers.length) process.stderr.write(`[clawfix e2e] teardown killed leftover gateway processes: ${leftovers.join(', ')}\n`);
  if (process.env.CLAWFIX_E2E_SKIPPED) {
    process.stderr.write(`\n[clawfix e2e] SKIPPED: ${process.env.CLAWFIX_E2E_SKIPPED}\n`);
  } else {
    process.stderr.write(`${formatTimings(readTimings())}\n`);
  }
  const failed = fs.readdirSync(root).filter((n) => fs.existsSync(path.join(root, n, 'FAILED')));
  if (failed.length || process.env.CLAWFIX_E2E_KEEP) {
    process.stderr.write(`[clawfix e2e] kept ${root} for inspection (${failed.length ? `failed: ${failed.join(', ')}` : 'CLAWFIX_E2E_KEEP'})\n`);
  } else {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
