/**
 * Finding the `openclaw` executable and its version. The version comes from the package.json beside
 * the resolved binary when there is one (milliseconds), else from `openclaw --version`.
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { OpenClawInfo } from '../types.js';

export function findOnPath(name: string, envPath: string | undefined): string | undefined {
  const exts = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        /* keep looking */
      }
    }
  }
  return undefined;
}

export function versionFromPackage(executable: string): string | undefined {
  let dir: string;
  try {
    dir = path.dirname(realpathSync(executable));
  } catch {
    return undefined;
  }
  for (let i = 0; i < 6; i++) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        const pkg = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'openclaw' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        /* not ours */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export type VersionRunner = (exe: string) => Promise<string>;

export async function resolveOpenClaw(flag: string | undefined, envPath: string | undefined, runVersion: VersionRunner): Promise<OpenClawInfo> {
  const exe = flag ? path.resolve(flag) : findOnPath('openclaw', envPath);
  if (!exe) return { versionSource: 'none', error: 'openclaw is not on PATH (use --openclaw PATH to point at it)' };
  if (flag && !existsSync(exe)) return { executable: exe, versionSource: 'none', error: `${exe} does not exist` };
  const fromPkg = versionFromPackage(exe);
  if (fromPkg) return { executable: exe, version: fromPkg, versionSource: 'package.json' };
  try {
    const out = await runVersion(exe);
    const m = /(\d{4}\.\d{1,2}\.\d{1,3}(?:-[0-9A-Za-z.-]+)?)/.exec(out);
    if (m?.[1]) return { executable: exe, version: m[1], versionSource: 'cli' };
    return { executable: exe, versionSource: 'none', error: `could not read a version from \`${exe} --version\`` };
  } catch (err) {
    return { executable: exe, versionSource: 'none', error: `\`${exe} --version\` failed: ${(err as Error).message.split('\n')[0]}` };
  }
}
