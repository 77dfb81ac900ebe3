/**
 * `clawfix edit-config`: edit OpenClaw's config the way visudo edits sudoers. The state dir is locked,
 * the config is copied to a private temp file (0600 in a 0700 dir) and opened in $VISUAL / $EDITOR /
 * --editor; what the user saves is validated (JSON5, hazards with line numbers) and then installed
 * byte-for-byte through the repair pipeline: stop the gateway, check nobody else changed the file,
 * back it up, install it (mode kept), start the gateway and verify it answers, else put the old
 * config back. --dry-run shows the diff and the hazards and changes nothing.
 */
import { spawn } from 'node:child_process';
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newBackupId } from '../../apply/backup.js';
import { executePlan } from '../../apply/execute.js';
import { acquireLock, type Release } from '../../apply/lock.js';
import { decodeUtf8, validateConfigText, type Hazard, type Validation } from '../../config-edit/validate.js';
import { getString } from '../../openclaw/config.js';
import { buildConfigEditPlan } from '../../plan/config-edit.js';
import { containerRefusal } from '../../plan/container-guard.js';
import type { Plan } from '../../plan/types.js';
import { ClawfixError, describeFsError, EXIT, UsageError } from '../../util/errors.js';
import { registerSecret } from '../../util/redact.js';
import type { Ctx } from '../context.js';
import { gatewayFor, openSession, planJson, renderPlan, stepReporter } from '../session.js';
import { inquirerPrompter, type Prompter } from './fix.js';

export interface EditConfigArgs {
  /** A command line, run through the shell with the file path appended. */
  editor?: string;
  dryRun: boolean;
  yes: boolean;
}

/** $VISUAL, then $EDITOR, then vi (notepad on Windows). */
export function pickEditor(env: Readonly<Record<string, string | undefined>>): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || (process.platform === 'win32' ? 'notepad' : 'vi');
}

function shellQuote(p: string): string {
  return process.platform === 'win32' ? `"${p}"` : `'${p.replace(/'/g, `'\\''`)}'`;
}

/**
 * Run the editor with the terminal. While it runs, Ctrl-C belongs to the editor (vi users press it to
 * leave insert mode): clawfix ignores SIGINT meanwhile, like git does, and restores its handlers after.
 */
async function runEditor(ctx: Ctx, cmd: string, file: string): Promise<{ code: number; signal?: string }> {
  const saved = process.listeners('SIGINT');
  const ignore = () => undefined;
  process.removeAllListeners('SIGINT');
  process.on('SIGINT', ignore);
  try {
    return await new Promise((resolve, reject) => {
      // `trap : INT`: the intermediate shell survives a ^C and waits for the editor (a no-op handler,
      // unlike an ignore, is reset on exec, so the editor itself gets the default disposition).
      const line = process.platform === 'win32' ? `${cmd} ${shellQuote(file)}` : `trap : INT; ${cmd} ${shellQuote(file)}`;
      const child = spawn(line, {
        shell: true,
        // --json keeps stdout for the result: the editor draws on stderr (still the terminal).
        stdio: ['inherit', ctx.out.json ? 2 : 'inherit', 'inherit'],
        env: { ...ctx.deps.env },
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0), ...(signal ? { signal } : {}) }));
    });
  } finally {
    process.removeListener('SIGINT', ignore);
    for (const l of saved) process.on('SIGINT', l as NodeJS.SignalsListener);
  }
}

function sourceLine(text: string, line: number): string | undefined {
  const l = text.split(/\r\n|\n|\r/)[line - 1];
  if (l === undefined) return undefined;
  return l.length > 160 ? `${l.slice(0, 159)}…` : l;
}

function renderHazards(ctx: Ctx, text: string, hazards: readonly Hazard[]): string[] {
  const c = ctx.out.colors;
  const lines: string[] = [];
  for (const h of hazards) {
    const where = h.line !== undefined ? `line ${h.line}${h.column !== undefined ? `, column ${h.column}` : ''}: ` : '';
    const mark = h.severity === 'error' ? c.red('✖ error') : c.yellow('▲ warning');
    lines.push(`${mark} ${where}${h.message}${h.preexisting ? c.dim(' (already in the config before this edit)') : ''}`);
    const src = h.line !== undefined ? sourceLine(text, h.line) : undefined;
    if (src !== undefined) lines.push(c.dim(`    ${String(h.line).padStart(4)} │ ${src}`));
  }
  return lines;
}

function registerConfigSecrets(v: unknown): void {
  for (const k of ['gateway.auth.token', 'gateway.auth.password', 'gateway.remote.token', 'gateway.remote.password']) registerSecret(getString(v, k));
}

interface Copy {
  dir: string;
  file: string;
}

async function privateCopy(configPath: string, bytes: Buffer): Promise<Copy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawfix-edit-'));
  await fs.chmod(dir, 0o700);
  const file = path.join(dir, path.basename(configPath));
  await fs.writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
  await fs.chmod(file, 0o600);
  return { dir, file };
}

export async function editConfig(ctx: Ctx, args: EditConfigArgs, prompter?: Prompter): Promise<number> {
  const { out, deps } = ctx;
  const c = out.colors;
  const terminal = !!deps.stdin.isTTY && !!(out.json ? deps.stderr : deps.stdout).isTTY;
  if (!args.editor && !terminal) {
    throw new UsageError(
      'no terminal to run an editor in',
      'pass --editor CMD: a command line run through the shell with the config copy\'s path appended (e.g. --editor "node my-edit.mjs")',
    );
  }
  const editor = args.editor ?? pickEditor(deps.env);

  const session = await openSession(ctx, { dryRun: args.dryRun });
  const s = session.snapshot;
  // Installing restarts a running gateway: refused for a containerized one before the editor opens.
  const refusal = args.dryRun ? undefined : containerRefusal(s, 'edit-config', s.gateway.running === true);
  if (refusal) throw refusal;
  let real: string;
  let bytes: Buffer;
  let mode: number;
  try {
    real = await fs.realpath(s.config.path);
    const st = await fs.stat(real);
    if (!st.isFile()) throw new ClawfixError(`${s.config.path} is not a regular file`, { path: s.config.path });
    mode = st.mode & 0o777;
    bytes = await fs.readFile(real);
  } catch (err) {
    if (err instanceof ClawfixError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ClawfixError(`there is no OpenClaw config at ${s.config.path} to edit`, {
        hint: 'check --state-dir / --profile / --config (OpenClaw creates the file with `openclaw setup`)',
        path: s.config.path,
      });
    }
    const d = describeFsError(err, s.config.path);
    throw new ClawfixError(`cannot read the config: ${d.message}`, { hint: d.hint, path: s.config.path });
  }
  const original = decodeUtf8(bytes);
  if (original === undefined) throw new ClawfixError(`${real} is not UTF-8 text; clawfix will not edit it`, { path: real });

  const ask = !args.yes && !args.dryRun && out.interactive ? (prompter ?? (await inquirerPrompter(ctx))) : undefined;
  // One clawfix per state dir from the moment the copy is taken (a dry run writes nothing: no lock).
  const release: Release | undefined = args.dryRun ? undefined : await acquireLock(s.stateDir);
  const copy = await privateCopy(real, bytes);
  let keepCopy = false;
  const cleanupOnExit = () => {
    if (!keepCopy) rmSync(copy.dir, { recursive: true, force: true });
  };
  process.once('exit', cleanupOnExit); // Ctrl-C outside a transaction exits at once: still remove the copy
  const result = (o: Record<string, unknown>) => {
    if (out.json) out.writeJson({ config: real, dryRun: args.dryRun, ...o });
  };

  try {
    let edited: string;
    let v: Validation;
    for (;;) {
      if (!out.json) out.info(c.dim(`Opening a private copy of ${real} with: ${editor}`));
      const ed = await runEditor(ctx, editor, copy.file);
      if (ed.code !== 0) {
        out.error(`✖ the editor exited with ${ed.signal ?? `status ${ed.code}`}${ed.code === 127 ? ' (command not found?)' : ''}; nothing was changed`);
        result({ ok: false, changed: false, hazards: [], exitCode: EXIT.PROBLEM });
        return EXIT.PROBLEM;
      }
      let saved: Buffer;
      try {
        saved = await fs.readFile(copy.file);
      } catch {
        throw new ClawfixError(`the editor removed ${copy.file}; nothing was changed`);
      }
      if (saved.equals(bytes)) {
        out.result('No changes: nothing was installed and the gateway was not touched.');
        result({ ok: true, changed: false, hazards: [], exitCode: EXIT.OK });
        return EXIT.OK;
      }
      const text = decodeUtf8(saved);
      edited = text ?? '';
      v = text === undefined ? { ok: false, hazards: [{ id: 'encoding', severity: 'error', key: '', message: 'the saved file is not valid UTF-8 text' }] } : validateConfigText(text, original);
      registerConfigSecrets(v.value);
      if (v.hazards.length && !out.json) out.result(`${renderHazards(ctx, edited, v.hazards).join('\n')}\n`);
      if (v.ok && !v.hazards.some((h) => h.severity === 'warning')) break;
      if (!v.ok) {
        if (args.dryRun) break;
        if (ask) {
          const next = await ask.select('The edited config was not installed. What now?', [
            { name: 'Edit it again', value: 'edit' },
            { name: 'Abort (keep the current config)', value: 'abort' },
          ]);
          if (next === 'edit') continue;
        }
        out.result(`Nothing was changed: ${real} is as it was.${ask ? '' : ' Fix the errors above and run clawfix edit-config again.'}`);
        result({ ok: false, changed: false, hazards: v.hazards, exitCode: EXIT.PROBLEM });
        return EXIT.PROBLEM;
      }
      // Warnings only.
      if (args.dryRun || args.yes) break;
      if (!ask) {
        throw new UsageError('the edited config has warnings (above) and there is no terminal to confirm them; nothing was changed', 'add --yes to install it anyway');
      }
      const next = await ask.select('Install the edited config anyway?', [
        { name: 'Install it', value: 'install' },
        { name: 'Edit it again', value: 'edit' },
        { name: 'Abort (keep the current config)', value: 'abort' },
      ]);
      if (next === 'install') break;
      if (next === 'abort') {
        out.result(`Nothing was changed: ${real} is as it was.`);
        result({ ok: false, changed: false, hazards: v.hazards, exitCode: EXIT.OK });
        return EXIT.OK;
      }
    }

    const gateway = gatewayFor(ctx, s, real);
    const plan: Plan = buildConfigEditPlan(s, newBackupId(deps.now()), { path: real, before: original, after: edited, mode }, gateway.describe());
    if (!out.json) out.result(`${await renderPlan(ctx, plan)}\n`);
    if (args.dryRun) {
      const code = v.ok ? EXIT.OK : EXIT.PROBLEM;
      if (!out.json) out.result(c.dim(v.ok ? 'Dry run: nothing was installed and the gateway was not touched.' : 'Dry run: this edit would not be installed (errors above); nothing was changed.'));
      result({ ok: v.ok, changed: true, hazards: v.hazards, plan: await planJson(plan), applied: [], backup: null, exitCode: code });
      return code;
    }

    const res = await executePlan(plan, 'edit-config', { gateway, now: deps.now, logFiles: [], log: (m) => out.info(c.dim(`  ${m}`)) }, {
      ...(deps.signal ? { signal: deps.signal } : {}),
      onEvent: stepReporter(ctx),
    });
    const backupPath = res.backupId ? path.join(s.stateDir, 'clawfix', 'backups', res.backupId) : undefined;
    if (res.ok) {
      if (!out.json) {
        out.result(c.green(`✔ Installed the edited config${plan.restart ? '; the gateway restarted with it' : ''}: ${real}`));
        if (res.backupId) out.result(`  backup ${res.backupId} — undo with: clawfix rollback ${res.backupId}`);
        for (const n of plan.notes) out.result(`  ${n}`);
      }
      result({ ok: true, changed: true, hazards: v.hazards, plan: await planJson(plan), applied: res.applied, backup: res.backupId ? { id: res.backupId, path: backupPath } : null, rolledBack: false, exitCode: EXIT.OK });
      return EXIT.OK;
    }
    keepCopy = true;
    const code = res.rollbackErrors.length ? EXIT.ROLLBACK_INCOMPLETE : res.interrupted ? EXIT.INTERRUPTED : EXIT.PROBLEM;
    if (!out.json) {
      out.error(`✖ edit-config failed: ${res.error?.message ?? 'unknown error'}`);
      if (res.rollbackErrors.length) {
        out.error('The rollback did not complete. To finish it by hand:');
        if (res.backupId) out.error(`  1. openclaw gateway stop\n  2. clawfix rollback ${res.backupId} --yes   (or copy ${backupPath}/0-${path.basename(real)} back to ${real}, mode ${mode.toString(8)})\n  3. openclaw gateway start`);
        else out.error('  the config had not been written yet; make sure the gateway runs: openclaw gateway start');
        for (const e of res.rollbackErrors) out.error(`  (${e.step}: ${e.error.message})`);
      } else {
        const where = res.applied.includes('patch') ? 'the old config is in place' : 'your edit was not written';
        out.info(c.yellow(`Everything was rolled back: ${where}${plan.gatewayWasRunning ? ` and the gateway is running${res.applied.includes('patch') ? ' it' : ''}` : ''}.`));
        if (res.applied.includes('patch') && s.logs.files.length) out.info(`  why the gateway did not come up with the edit: see its log (${s.logs.files.join(', ')})`);
      }
      out.info(`  Your edited version is kept at ${copy.file} (readable only by you); delete it when you are done.`);
    }
    result({ ok: false, changed: false, hazards: v.hazards, plan: await planJson(plan), applied: res.applied, backup: res.backupId ? { id: res.backupId, path: backupPath } : null, rolledBack: res.rolledBack, editedCopy: copy.file, ...(res.error ? { error: res.error.message } : {}), exitCode: code });
    return code;
  } finally {
    process.removeListener('exit', cleanupOnExit);
    if (!keepCopy) await fs.rm(copy.dir, { recursive: true, force: true });
    await release?.();
  }
}
