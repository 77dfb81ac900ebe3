/** Where OpenClaw writes its gateway logs (pure: the caller keeps the ones that exist). */
import os from 'node:os';
import path from 'node:path';

function ymd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Where the gateway's logs are, most likely first. Pure: the caller filters the ones that exist.
 * `logging.file` first, and the rolling files too: 2026.4.21 ignores `logging.file` and writes the
 * rolling file in its temp dir anyway. The rolling files: today and yesterday (local date), today's
 * first rotation archive (9.x rotates at 100 MB to `…YYYY-MM-DD.1.log`), under `/tmp/openclaw` and the
 * `<tmpdir>/openclaw-<uid>` fallback; they may be shared by every gateway of the machine (see
 * `sharedLogFile`). The launchd stdout/stderr files are always added.
 */
export function defaultLogFiles(opts: {
  configLoggingFile?: string;
  profile?: string;
  stateDir: string;
  now: Date;
  uid?: number;
  tmpdir?: string;
  /** Where OpenClaw's preferred `/tmp` is (default `/tmp`; a sandbox or a test may have its own). */
  tmpRoot?: string;
}): string[] {
  const out: string[] = [];
  if (opts.configLoggingFile && opts.configLoggingFile.trim()) out.push(opts.configLoggingFile.trim());
  const profile = opts.profile && opts.profile.toLowerCase() !== 'default' ? opts.profile : undefined;
  const stem = profile ? `openclaw-${profile}` : 'openclaw';
  const now = opts.now;
  const today = ymd(now);
  const yesterday = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 12));
  const names = [`${stem}-${today}.log`, `${stem}-${today}.1.log`, `${stem}-${yesterday}.log`];
  const dirs = [path.join(opts.tmpRoot ?? '/tmp', 'openclaw')];
  if (opts.uid !== undefined && opts.uid >= 0) dirs.push(path.join(opts.tmpdir ?? os.tmpdir(), `openclaw-${opts.uid}`));
  for (const dir of dirs) for (const n of names) out.push(path.join(dir, n));
  out.push(path.join(opts.stateDir, 'logs', 'gateway.log'), path.join(opts.stateDir, 'logs', 'gateway.err.log'));
  return [...new Set(out)];
}

/** A rolling temp-dir log (`/tmp/openclaw/…`, `<tmpdir>/openclaw-<uid>/…`): every gateway of the machine may write it. */
export function sharedLogFile(file: string): boolean {
  return /(^|\/)openclaw(-\d+)?\/openclaw(-[a-z0-9_-]+)?-\d{4}-\d\d-\d\d(\.\d+)?\.log$/i.test(file) && !/\/logs\/gateway(\.err)?\.log$/.test(file);
}
