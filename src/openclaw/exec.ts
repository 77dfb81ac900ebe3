/** The slow outside commands the snapshot may need, through execa (loaded lazily): `openclaw --version`, a container runtime's CLI. */
import type { CommandRunner } from './container.js';

/** `openclaw --version` (only when no package.json beside the binary gives the version). */
export async function runVersion(exe: string): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(exe, ['--version'], { timeout: 10_000, reject: true, stdin: 'ignore' });
  return String(r.stdout);
}

/** A container runtime's CLI, for finding and describing containers: bounded, never throws on exit codes. */
export function commandRunner(env: Readonly<Record<string, string | undefined>>): CommandRunner {
  return async (cmd, args) => {
    const { execa } = await import('execa');
    const r = await execa(cmd, args, { timeout: 10_000, reject: false, stdin: 'ignore', env: { ...env }, extendEnv: false });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout) };
  };
}
