/** What every command gets: parsed global options, output, and the ports to the outside world. */
import type { SnapshotOptions } from '../snapshot/index.js';
import type { Out, Streams } from './io.js';

export interface GlobalArgs {
  stateDir?: string;
  profile?: string;
  config?: string;
  logFile?: string;
  openclaw?: string;
  json: boolean;
  verbose: boolean;
  color: boolean;
}

export interface Deps extends Streams {
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  /** Registered by the CLI: abort signal that fires on SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

export interface Ctx {
  args: GlobalArgs;
  out: Out;
  deps: Deps;
  snapshotOptions: SnapshotOptions;
}

export function snapshotOptionsFrom(a: GlobalArgs): SnapshotOptions {
  const o: SnapshotOptions = {};
  if (a.stateDir) o.stateDir = a.stateDir;
  if (a.profile) o.profile = a.profile;
  if (a.config) o.config = a.config;
  if (a.logFile) o.logFile = a.logFile;
  if (a.openclaw) o.openclaw = a.openclaw;
  return o;
}

/** `openclaw --version` through execa (loaded lazily: it is not needed when package.json answers). */
export async function runVersion(exe: string): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(exe, ['--version'], { timeout: 10_000, reject: true, stdin: 'ignore' });
  return String(r.stdout);
}

/** A container runtime's CLI through execa, for naming a container: short timeout, never throws on exit codes. */
export function commandRunner(env: Deps['env']) {
  return async (cmd: string, args: string[]): Promise<{ exitCode: number; stdout: string }> => {
    const { execa } = await import('execa');
    const r = await execa(cmd, args, { timeout: 3_000, reject: false, stdin: 'ignore', env: { ...env }, extendEnv: false });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout) };
  };
}
