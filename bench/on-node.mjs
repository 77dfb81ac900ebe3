#!/usr/bin/env node
/**
 * Runs a bench script under another Node release from the npm registry (scripts/node-from-npm.mjs,
 * cached in ~/.cache/clawfix-node), e.g. the oldest clawfix supports:
 *
 *   node bench/on-node.mjs 22.12.0 bench/coldstart.mjs [--runs 15]
 *
 * Everything the script starts by process.execPath runs on that Node too: the `node -e 0` baseline,
 * clawfix and the fake `openclaw`. On a Node that has node:sqlite only behind a flag (22.12), the bench
 * process itself gets --experimental-sqlite (it builds SQLite fixtures); clawfix never does.
 */
import { spawnSync } from 'node:child_process';
import { ensureNode } from '../scripts/node-from-npm.mjs';

const [version, script, ...rest] = process.argv.slice(2);
if (!version || !script) {
  console.error('usage: node bench/on-node.mjs <node version> <bench script> [args…]');
  process.exit(2);
}
const { bin } = ensureNode(version);
const [major, minor] = version.split('.').map(Number);
const flags = (major === 22 && minor < 13) || (major === 23 && minor < 4) ? ['--experimental-sqlite', '--disable-warning=ExperimentalWarning'] : [];
const r = spawnSync(bin, [...flags, script, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
