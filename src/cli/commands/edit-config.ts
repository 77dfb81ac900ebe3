/**
 * `clawfix edit-config`: edit OpenClaw's config the way visudo edits sudoers. The state dir is locked,
 * the config is copied to a private temp file (0600 in a 0700 dir) and opened in $VISUAL / $EDITOR /
 * --editor; what the user saves is validated (JSON5, hazards with line numbers) and then installed
 * byte-for-byte through the repair pipeline: stop the gateway, check nobody else changed the file,
 * back it up, install it (mode kept), start the gateway and verify it answers, else put the old
 * config back. --dry-run shows the diff and the hazards and changes nothing.
 */
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newBackupId } from '../../apply/backup.js';
import { acquireLock, type Release } from '../../apply/lock.js';
import { decodeUtf8, validateConfigText, type Validation } from '../../config-edit/validate.js';
import { getString } from '../../openclaw/config.js';
import { buildConfigEditPlan } from '../../plan/config-edit.js';
import { containerRefusal } from '../../plan/container-guard.js';
import { ownerRefusal } from '../../plan/owner-guard.js';
import { remoteGateway } from '../../plan/remote-guard.js';
import { gatewayFor } from '../../usecase/gateway.js';
import { exitCodeOf, runPlan } from '../../usecase/repair.js';
import { gatewayCommandsOf } from '../../usecase/reports.js';
import { openSession, type Session } from '../../usecase/session.js';
import { ClawfixError, describeFsError, EXIT, UsageError } from '../../util/errors.js';
import type { Ctx } from '../context.js';
import { pickEditor, runEditor } from '../ports/editor.js';
import type { PromptPort } from '../ports/types.js';
import { editResult, renderEditFailure, renderEditSuccess, renderHazards } from '../render/edit-config.js';
import { planJson, renderPlan } from '../render/plan.js';
import { stepReporter } from '../render/steps.js';

export interface EditConfigArgs {
  /** A command line, run through the shell with the file path appended. */
  editor?: string;
  dryRun: boolean;
  yes: boolean;
}

interface Original {
  /** The config file with symlinks resolved: the file that is really written. */
  real: string;
  bytes: Buffer;
  text: string;
  mode: number;
}

async function readOriginal(configPath: string): Promise<Original> {
  let real: string;
  let bytes: Buffer;
  let mode: number;
  try {
    real = await fs.realpath(configPath);
    const st = await fs.stat(real);
    if (!st.isFile()) throw new ClawfixError(`${configPath} is not a regular file`, { path: configPath });
    mode = st.mode & 0o777;
    bytes = await fs.readFile(real);
  } catch (err) {
    if (err instanceof ClawfixError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ClawfixError(`there is no OpenClaw config at ${configPath} to edit`, {
        hint: 'check --state-dir / --profile / --config (OpenClaw creates the file with `openclaw setup`)',
        path: configPath,
      });
    }
    const d = describeFsError(err, configPath);
    throw new ClawfixError(`cannot read the config: ${d.message}`, { hint: d.hint, path: configPath });
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new ClawfixError(`${real} is not UTF-8 text; clawfix will not edit it`, { path: real });
  return { real, bytes, text, mode };
}

async function privateCopy(configPath: string, bytes: Buffer): Promise<{ dir: string; file: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawfix-edit-'));
  await fs.chmod(dir, 0o700);
  const file = path.join(dir, path.basename(configPath));
  await fs.writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
  await fs.chmod(file, 0o600);
  return { dir, file };
}

function configSecrets(v: unknown): string[] {
  return ['gateway.auth.token', 'gateway.auth.password', 'gateway.remote.token', 'gateway.remote.password'].map((k) => getString(v, k)).filter((x): x is string => !!x);
}

/** How the edit loop ended: an edit to install (possibly with errors, for --dry-run), or a finished outcome. */
type Edited = { kind: 'edited'; text: string; v: Validation } | { kind: 'done'; code: number };

interface Loop {
  ctx: Ctx;
  args: EditConfigArgs;
  editor: string;
  original: Original;
  file: string;
  ask: PromptPort | undefined;
}

/** Decides what to do after a validation with errors or warnings; undefined: edit again. */
async function decide(l: Loop, v: Validation): Promise<'install' | 'abort' | 'fail' | undefined> {
  if (!v.ok) {
    if (l.args.dryRun) return 'install';
    if (l.ask) {
      const next = await l.ask.select('The edited config was not installed. What now?', [
        { name: 'Edit it again', value: 'edit' as const },
        { name: 'Abort (keep the current config)', value: 'abort' as const },
      ]);
      if (next === 'edit') return undefined;
    }
    return 'fail';
  }
  if (l.args.dryRun || l.args.yes) return 'install';
  if (!l.ask) throw new UsageError('the edited config has warnings (above) and there is no terminal to confirm them; nothing was changed', 'add --yes to install it anyway');
  const next = await l.ask.select('Install the edited config anyway?', [
    { name: 'Install it', value: 'install' as const },
    { name: 'Edit it again', value: 'edit' as const },
    { name: 'Abort (keep the current config)', value: 'abort' as const },
  ]);
  return next === 'edit' ? undefined : next;
}

async function editLoop(l: Loop): Promise<Edited> {
  const { out } = l.ctx;
  for (;;) {
    if (!out.json) out.info(out.colors.dim(`Opening a private copy of ${l.original.real} with: ${l.editor}`));
    const ed = await runEditor({ cmd: l.editor, file: l.file, env: l.ctx.deps.env, stdoutToStderr: out.json }, l.ctx.deps.signals);
    if (ed.code !== 0) {
      out.error(`✖ the editor exited with ${ed.signal ?? `status ${ed.code}`}${ed.code === 127 ? ' (command not found?)' : ''}; nothing was changed`);
      editResult(out, l.original.real, l.args.dryRun, { ok: false, changed: false, hazards: [], exitCode: EXIT.PROBLEM });
      return { kind: 'done', code: EXIT.PROBLEM };
    }
    const saved = await fs.readFile(l.file).catch(() => {
      throw new ClawfixError(`the editor removed ${l.file}; nothing was changed`);
    });
    if (saved.equals(l.original.bytes)) {
      out.result('No changes: nothing was installed and the gateway was not touched.');
      editResult(out, l.original.real, l.args.dryRun, { ok: true, changed: false, hazards: [], exitCode: EXIT.OK });
      return { kind: 'done', code: EXIT.OK };
    }
    const text = decodeUtf8(saved);
    const v: Validation =
      text === undefined ? { ok: false, hazards: [{ id: 'encoding', severity: 'error', key: '', message: 'the saved file is not valid UTF-8 text' }] } : validateConfigText(text, l.original.text);
    out.redactor.learn(configSecrets(v.value));
    if (v.hazards.length && !out.json) out.result(`${renderHazards(out, text ?? '', v.hazards).join('\n')}\n`);
    const next = v.ok && !v.hazards.some((h) => h.severity === 'warning') ? 'install' : await decide(l, v);
    if (next === undefined) continue;
    if (next === 'install') return { kind: 'edited', text: text ?? '', v };
    out.result(`Nothing was changed: ${l.original.real} is as it was.${next === 'fail' && !l.ask ? ' Fix the errors above and run clawfix edit-config again.' : ''}`);
    editResult(out, l.original.real, l.args.dryRun, { ok: false, changed: false, hazards: v.hazards, exitCode: next === 'abort' && v.ok ? EXIT.OK : EXIT.PROBLEM });
    return { kind: 'done', code: next === 'abort' && v.ok ? EXIT.OK : EXIT.PROBLEM };
  }
}

async function install(ctx: Ctx, session: Session, args: EditConfigArgs, original: Original, edited: Extract<Edited, { kind: 'edited' }>, copy: { file: string }): Promise<{ code: number; keepCopy: boolean }> {
  const { out, deps } = ctx;
  const s = session.snapshot;
  const gateway = gatewayFor(ctx.app, s, original.real);
  const plan = buildConfigEditPlan(s, newBackupId(deps.now()), { path: original.real, before: original.text, after: edited.text, mode: original.mode }, gateway.describe(), remoteGateway(s));
  if (!out.json) out.result(`${await renderPlan(out, plan)}\n`);
  if (args.dryRun) {
    const code = edited.v.ok ? EXIT.OK : EXIT.PROBLEM;
    if (!out.json) out.result(out.colors.dim(edited.v.ok ? 'Dry run: nothing was installed and the gateway was not touched.' : 'Dry run: this edit would not be installed (errors above); nothing was changed.'));
    editResult(out, original.real, true, { ok: edited.v.ok, changed: true, hazards: edited.v.hazards, plan: await planJson(out, plan), applied: [], backup: null, exitCode: code });
    return { code, keepCopy: false };
  }
  const res = await runPlan(ctx.app, { ...session, gateway }, plan, 'edit-config', stepReporter(out, deps, deps.env));
  const code = exitCodeOf(plan, res);
  const backupPath = res.backupId ? path.join(s.stateDir, 'clawfix', 'backups', res.backupId) : undefined;
  const common = { hazards: edited.v.hazards, plan: await planJson(out, plan), applied: res.applied, backup: res.backupId ? { id: res.backupId, path: backupPath } : null };
  if (res.ok) {
    renderEditSuccess(out, plan, res, original.real);
    editResult(out, original.real, false, { ok: true, changed: true, ...common, rolledBack: false, exitCode: EXIT.OK });
    return { code: EXIT.OK, keepCopy: false };
  }
  renderEditFailure(out, { plan, res, real: original.real, mode: original.mode, backupPath, copy: copy.file, logFiles: s.logs.files, cmds: gatewayCommandsOf(gateway.describe) });
  editResult(out, original.real, false, { ok: false, changed: false, ...common, rolledBack: res.rolledBack, editedCopy: copy.file, ...(res.error ? { error: res.error.message } : {}), exitCode: code });
  return { code, keepCopy: true };
}

export async function editConfig(ctx: Ctx, args: EditConfigArgs): Promise<number> {
  const { out, deps } = ctx;
  const terminal = !!deps.stdin.isTTY && !!(out.json ? deps.stderr : deps.stdout).isTTY;
  if (!args.editor && !terminal) {
    throw new UsageError('no terminal to run an editor in', 'pass --editor CMD: a command line run through the shell with the config copy\'s path appended (e.g. --editor "node my-edit.mjs")');
  }
  const session = await openSession(ctx.app, { dryRun: args.dryRun });
  // Installing restarts a running gateway: refused for a containerized one before the editor opens.
  // Remote mode: the client's own config is edited, nothing local is restarted (plan/config-edit.ts).
  const restarts = session.snapshot.gateway.running === true && !remoteGateway(session.snapshot);
  const refusal = args.dryRun ? undefined : (ownerRefusal(session.snapshot, 'edit-config') ?? containerRefusal(session.snapshot, 'edit-config', restarts));
  if (refusal) throw refusal;
  const original = await readOriginal(session.snapshot.config.path);
  const ask = !args.yes && !args.dryRun && out.interactive ? await deps.prompt() : undefined;
  // One clawfix per state dir from the moment the copy is taken (a dry run writes nothing: no lock).
  const release: Release | undefined = args.dryRun ? undefined : await acquireLock(session.snapshot.stateDir);
  const copy = await privateCopy(original.real, original.bytes);
  let keepCopy = false;
  // Ctrl-C outside a transaction exits at once: still remove the copy.
  const forget = deps.signals.atExit(() => {
    if (!keepCopy) rmSync(copy.dir, { recursive: true, force: true });
  });
  try {
    const edited = await editLoop({ ctx, args, editor: args.editor ?? pickEditor(deps.env), original, file: copy.file, ask });
    if (edited.kind === 'done') return edited.code;
    const r = await install(ctx, session, args, original, edited, copy);
    keepCopy = r.keepCopy;
    return r.code;
  } finally {
    forget();
    if (!keepCopy) await fs.rm(copy.dir, { recursive: true, force: true });
    await release?.();
  }
}
