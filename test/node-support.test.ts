/**
 * clawfix on the Node running this suite: CI runs the CLI suites under Node 24 and under Node 22.12
 * (`npm run test:node22`), the oldest the package supports (`engines`). On 22.12 node:sqlite exists only
 * behind --experimental-sqlite, which clawfix is never given (the tests scrub NODE_OPTIONS): these
 * tests prove a SQLite store is still read and repaired there, instead of being reported unreadable
 * with advice to restore it from a backup.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLAWFIX_BIN, cliEnv, hashTree, diffTrees } from './helpers/cli.js';
import { broken, fix, ignoreFor, isPatched, txTest } from './helpers/repair.js';

const node = `Node ${process.version}`;
const flagged = (() => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return (major === 22 && minor < 13) || (major === 23 && minor < 4);
})();

txTest(`${node}${flagged ? ' (node:sqlite behind a flag)' : ''}: diagnose reads a SQLite store (2026.9.6) and names the scope upgrade, never store-unreadable`, async (make) => {
  const f = await broken(make, { version: '2026.9.6', stopAfter: true });
  const before = await hashTree(f.stateDir, { ignore: ignoreFor(f) });
  const r = spawnSync(process.execPath, [CLAWFIX_BIN, 'diagnose', '--json'], { env: cliEnv({ fixture: f }), cwd: f.root, encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).not.toMatch(/node:sqlite|ExperimentalWarning|experimental/i);
  const json = JSON.parse(r.stdout) as { openclaw: { store: { kind: string; ok: boolean } }; findings: { id: string }[] };
  expect(json.openclaw.store).toMatchObject({ kind: 'sqlite', ok: true });
  const ids = json.findings.map((x) => x.id);
  expect(ids).toContain('scope-upgrade');
  expect(ids).not.toContain('store-unreadable');
  expect(r.status).toBe(1);
  expect(diffTrees(before, await hashTree(f.stateDir, { ignore: ignoreFor(f) }))).toEqual([]);
});

txTest(`${node}: fix --yes repairs a SQLite store with the gateway stopped (one SQLite transaction)`, async (make) => {
  const f = await broken(make, { version: '2026.9.6', stopAfter: true });
  const r = await fix(f, ['--yes']);
  expect(r.stderr).not.toMatch(/node:sqlite|ExperimentalWarning/);
  expect(r.code).toBe(0);
  expect(isPatched(f)).toBe(true);
});

test(`${node}: the launcher answers --version with package.json's version`, () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(fs.realpathSync(CLAWFIX_BIN)), '..', 'package.json'), 'utf8')) as { version: string };
  const r = spawnSync(process.execPath, [CLAWFIX_BIN, '--version'], { env: cliEnv(), encoding: 'utf8' });
  expect(r.stdout).toBe(`${pkg.version}\n`);
  expect(r.status).toBe(0);
});
