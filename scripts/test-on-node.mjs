#!/usr/bin/env node
/**
 * `npm run test:node22`: the CLI suites (the fast run and the process run) under another Node
 * release from the npm registry (scripts/node-from-npm.mjs), e.g. 22.12.0, the oldest clawfix
 * supports. That Node runs jest, so every clawfix the tests spawn (`node <CLAWFIX_BIN>`) and the fake
 * `openclaw` run on it too; it is first on PATH for anything the tests start by name (npm, npx).
 * The tests' own process reads SQLite fixtures directly, so on a Node that has node:sqlite only behind
 * a flag jest gets --experimental-sqlite; clawfix never does (the tests scrub NODE_OPTIONS).
 *
 *   node scripts/test-on-node.mjs 22.12.0 [jest.config.js test/jest.process.config.js …] [jest args…]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from './node-from-npm.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [version, ...rest] = process.argv.slice(2);
if (!version) {
  console.error('usage: node scripts/test-on-node.mjs <version> [<jest config>…] [jest args…]');
  process.exit(2);
}
// Each jest config named is its own run (its own summary line); the other args go to every run.
const configs = rest.filter((a) => /\.config\.[cm]?js$/.test(a));
const jestArgs = rest.filter((a) => !configs.includes(a));
const { bin } = ensureNode(version);
const [major, minor] = version.split('.').map(Number);
const sqliteFlag = (major === 22 && minor < 13) || (major === 23 && minor < 4) ? ' --experimental-sqlite --disable-warning=ExperimentalWarning' : '';
const env = {
  ...process.env,
  PATH: [path.dirname(bin), process.env.PATH].join(path.delimiter),
  NODE_OPTIONS: `--experimental-vm-modules${sqliteFlag}`,
};
console.log(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim());
let status = 0;
for (const config of configs.length ? configs : ['jest.config.js']) {
  const r = spawnSync(bin, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', config, ...jestArgs], { cwd: ROOT, env, stdio: 'inherit' });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
