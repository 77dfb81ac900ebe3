/**
 * What ships, tried as a new user would. The tarball: $CLAWFIX_TARBALL when set (CI packs a fresh
 * clone, prepack building dist/), else this work tree packed with --ignore-scripts (dist/ built by
 * `npm test`'s pretest). It is installed into an empty prefix and run through `npx`, both with
 * --offline and an empty npm cache: the package has no dependencies, so nothing may need fetching.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { isBuiltin } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './helpers/cli.js';

let tmp: string;
let tarball: string;
let pkgDir: string; // the installed package

/** PATH with the Node running the tests first, for npm, npx and the package's `#!/usr/bin/env node`. */
const env = () => ({ ...process.env, PATH: [path.dirname(process.execPath), process.env.PATH].join(path.delimiter), NO_COLOR: '1' });
const npmArgs = () => ['--offline', '--no-audit', '--no-fund', '--cache', path.join(tmp, 'npm-cache'), '--loglevel=error'];

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-package-')));
  if (process.env.CLAWFIX_TARBALL) {
    tarball = path.resolve(process.env.CLAWFIX_TARBALL);
  } else {
    if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'clawfix.js'))) throw new Error('dist/ is not built: run npm run build (npm test does)');
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp, '--loglevel=error'], { cwd: REPO_ROOT, env: env(), encoding: 'utf8' });
    tarball = path.join(tmp, (JSON.parse(out) as { filename: string }[])[0]!.filename);
  }
  const prefix = path.join(tmp, 'prefix');
  execFileSync('npm', ['install', '--global', '--prefix', prefix, ...npmArgs(), tarball], { cwd: tmp, env: env(), stdio: ['ignore', 'ignore', 'inherit'] });
  pkgDir = path.join(prefix, 'lib', 'node_modules', 'clawfix');
}, 120_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const tarList = () =>
  execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^package\//, ''));

test('the tarball holds only what runs: the launcher, the bundle and its licence notices, package.json, README, LICENSE', () => {
  const files = tarList();
  const allowed = /^(README\.md|LICENSE|package\.json|bin\/clawfix\.js|dist\/clawfix\.js|dist\/chunks\/[\w-]+\.js|dist\/THIRD-PARTY-NOTICES\.txt)$/;
  expect(files.filter((f) => !allowed.test(f))).toEqual([]);
  for (const f of ['bin/clawfix.js', 'dist/clawfix.js', 'dist/THIRD-PARTY-NOTICES.txt', 'package.json', 'README.md', 'LICENSE']) expect(files).toContain(f);
  expect(files.some((f) => f.startsWith('dist/chunks/'))).toBe(true);
});

test('package.json declares no runtime dependencies, and the engines clawfix checks', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies']) expect(pkg[k] ?? {}).toEqual({});
  expect(pkg.engines).toEqual({ node: '>=22.12.0' });
  expect(pkg.bin).toEqual({ clawfix: 'bin/clawfix.js' });
});

test('installed into an empty prefix it is one package: no node_modules of its own, nothing else beside it', () => {
  expect(fs.readdirSync(path.dirname(pkgDir))).toEqual(['clawfix']);
  expect(fs.existsSync(path.join(pkgDir, 'node_modules'))).toBe(false);
});

test('the bundle imports nothing but Node built-ins and its own chunks', () => {
  const bad: string[] = [];
  const seen = new Set<string>();
  const jsFiles = [path.join(pkgDir, 'bin', 'clawfix.js'), path.join(pkgDir, 'dist', 'clawfix.js'), ...fs.readdirSync(path.join(pkgDir, 'dist', 'chunks')).map((f) => path.join(pkgDir, 'dist', 'chunks', f))];
  for (const file of jsFiles) {
    const text = fs.readFileSync(file, 'utf8');
    // static `from"x"`, dynamic import("x"), and CommonJS require("x") as they appear in esbuild's output
    for (const m of text.matchAll(/\bfrom\s*["']([\w@./:-]+)["']|\bimport\s*\(\s*["']([\w@./:-]+)["']\s*\)|\brequire\s*\(\s*["']([\w@./:-]+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      seen.add(spec.startsWith('.') ? 'relative' : spec);
      const ok = spec.startsWith('./') || spec.startsWith('../') || isBuiltin(spec);
      if (!ok) bad.push(`${path.relative(pkgDir, file)}: ${spec}`);
      else if (spec.startsWith('.') && !fs.existsSync(path.resolve(path.dirname(file), spec))) bad.push(`${path.relative(pkgDir, file)}: ${spec} (missing)`);
    }
  }
  expect(bad).toEqual([]);
  // the scan sees the imports esbuild writes (or it would prove nothing)
  expect([...seen]).toEqual(expect.arrayContaining(['relative', 'node:module', 'node:sqlite']));
});

test('the licence notices name each bundled library with its licence text', () => {
  const text = fs.readFileSync(path.join(pkgDir, 'dist', 'THIRD-PARTY-NOTICES.txt'), 'utf8');
  for (const name of ['yargs', 'execa', 'json5', 'diff', 'picocolors', 'proper-lockfile', 'write-file-atomic', '@inquirer/core', '@inquirer/confirm', '@inquirer/select', '@inquirer/checkbox']) {
    expect(text).toMatch(new RegExp(`^${name.replace('/', '\\/')}@\\d+\\.\\d+\\.\\d+ \\(`, 'm'));
  }
  // every entry carries a licence text, not only a name
  const entries = text.split(/^={78}\n/m).slice(1);
  expect(entries.length).toBeGreaterThan(20);
  for (let i = 1; i < entries.length; i += 2) expect(entries[i]!.trim().length).toBeGreaterThan(100);
});

test('the installed command runs: --version, --help, and a usage error with exit 2', () => {
  const bin = path.join(tmp, 'prefix', 'bin', 'clawfix');
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const v = spawnSync(bin, ['--version'], { env: env(), encoding: 'utf8' });
  expect(v.stdout).toBe(`${version}\n`);
  expect(v.status).toBe(0);
  const h = spawnSync(bin, ['--help'], { env: env(), encoding: 'utf8' });
  expect(h.status).toBe(0);
  expect(h.stdout).toContain('clawfix diagnose');
  const bad = spawnSync(bin, ['--no-such-flag'], { env: env(), encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('clawfix: unknown option --no-such-flag');
  expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
});

test('npx runs it from the tarball with an empty cache, offline', () => {
  const cwd = path.join(tmp, 'empty');
  fs.mkdirSync(cwd);
  const r = spawnSync('npx', ['--yes', ...npmArgs(), '--package', tarball, 'clawfix', '--version'], { cwd, env: env(), encoding: 'utf8', timeout: 60_000 });
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`${version}\n`);
  expect(r.status).toBe(0);
});
