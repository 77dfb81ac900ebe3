/**
 * The command line. `main(argv, deps)` parses, runs one command and returns its exit code; `run()` is
 * the only place that touches process.exit. Commands are imported lazily so --help stays fast.
 */
import yargs, { type Argv } from 'yargs';
import { ClawfixError, EXIT, UsageError } from '../util/errors.js';
import { inCritical } from '../util/interrupt.js';
import { redact } from '../util/redact.js';
import { VERSION } from '../version.js';
import { snapshotOptionsFrom, type Ctx, type Deps, type GlobalArgs } from './context.js';
import { makeOut } from './io.js';

const EPILOG = `Exit codes:
  0    nothing wrong / repair succeeded
  1    problems found, or the repair failed and was rolled back
  2    usage error, or consent missing (no TTY and neither --yes nor --dry-run)
  3    repair failed and the rollback is incomplete (manual steps printed)
  130  interrupted (Ctrl-C)

Environment: OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH, OPENCLAW_PROFILE, OPENCLAW_HOME are honoured
like OpenClaw does; NO_COLOR disables colour.`;

export interface FixArgs {
  yes: boolean;
  dryRun: boolean;
  device?: string;
  scopes?: string[];
  allowAdmin: boolean;
}

function globals(y: Argv): Argv<GlobalArgs> {
  return y
    .option('state-dir', { type: 'string', describe: 'OpenClaw state dir (default: $OPENCLAW_STATE_DIR or ~/.openclaw)', group: 'Where:' })
    .option('profile', { type: 'string', describe: 'OpenClaw profile (state dir ~/.openclaw-NAME)', group: 'Where:' })
    .option('config', { type: 'string', describe: 'config file (default: $OPENCLAW_CONFIG_PATH or <state>/openclaw.json)', group: 'Where:' })
    .option('log-file', { type: 'string', describe: 'gateway log file to read (default: logging.file or today\'s OpenClaw log)', group: 'Where:' })
    .option('openclaw', { type: 'string', describe: 'path to the openclaw executable (default: from PATH)', group: 'Where:' })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable result on stdout (progress on stderr)' })
    .option('verbose', { type: 'boolean', default: false, describe: 'more detail on stderr (secrets stay redacted)' })
    .option('color', { type: 'boolean', default: true, describe: 'colour output (--no-color, or NO_COLOR=1, disables)' }) as unknown as Argv<GlobalArgs>;
}

function fixOptions<T>(y: Argv<T>) {
  return y
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'apply without prompting (unattended)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'show the plan and the diff; change nothing' })
    .option('device', { type: 'string', describe: 'device id to repair when several are implicated' })
    .option('scopes', { type: 'string', describe: 'comma-separated scopes to grant instead of what the logs asked for' })
    .option('allow-admin', { type: 'boolean', default: false, describe: 'consent to granting operator.admin when it was requested' });
}

function fixArgsFrom(a: Record<string, unknown>): FixArgs {
  const scopes =
    typeof a.scopes === 'string'
      ? a.scopes
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  if (scopes && !scopes.length) throw new UsageError('--scopes needs at least one scope, e.g. --scopes operator.write');
  return {
    yes: !!a.yes,
    dryRun: !!a.dryRun,
    allowAdmin: !!a.allowAdmin,
    ...(typeof a.device === 'string' ? { device: a.device } : {}),
    ...(scopes ? { scopes } : {}),
  };
}

export async function main(argv: readonly string[], deps: Deps): Promise<number> {
  let code: number = EXIT.OK;
  let ctx: Ctx | undefined;
  const makeCtx = (a: Record<string, unknown>): Ctx => {
    const args: GlobalArgs = {
      json: !!a.json,
      verbose: !!a.verbose,
      color: a.color !== false,
      ...(typeof a.stateDir === 'string' ? { stateDir: a.stateDir } : {}),
      ...(typeof a.profile === 'string' ? { profile: a.profile } : {}),
      ...(typeof a.config === 'string' ? { config: a.config } : {}),
      ...(typeof a.logFile === 'string' ? { logFile: a.logFile } : {}),
      ...(typeof a.openclaw === 'string' ? { openclaw: a.openclaw } : {}),
    };
    ctx = { args, deps, out: makeOut(deps, { json: args.json, verbose: args.verbose, color: args.color, env: deps.env }), snapshotOptions: snapshotOptionsFrom(args) };
    return ctx;
  };

  const parser = globals(yargs([...argv]))
    .scriptName('clawfix')
    .locale('en') // clawfix's own texts are English; yargs' would otherwise follow LANG (and need its locale files)
    .usage('$0 [command] [options]\n\nFinds why OpenClaw sub-agents get "gateway closed (1008): pairing required" and repairs it safely.')
    .command(
      '$0',
      'interactive repair on a terminal (`fix` with prompts)',
      (y) => fixOptions(y),
      async (a) => {
        const c = makeCtx(a);
        const fa = fixArgsFrom(a);
        if (!fa.yes && !fa.dryRun && !c.out.interactive) {
          throw new UsageError(
            'no terminal to ask for consent',
            'run `clawfix fix --yes` to repair unattended, `clawfix fix --dry-run` to preview, or `clawfix diagnose` to only look',
          );
        }
        if (!fa.yes && !fa.dryRun) {
          const { wizard } = await import('../wizard/index.js');
          code = await wizard(c, fa);
          return;
        }
        const { fix } = await import('./commands/fix.js');
        code = await fix(c, fa);
      },
    )
    .command('diagnose', 'find the cause and show the evidence; changes nothing', (y) => y, async (a) => {
      const { diagnose } = await import('./commands/diagnose.js');
      code = await diagnose(makeCtx(a));
    })
    .command('fix', 'repair as one transaction (backup, patch, restart, verify, roll back on failure)', (y) => fixOptions(y), async (a) => {
      const c = makeCtx(a);
      const fa = fixArgsFrom(a);
      if (!fa.yes && !fa.dryRun && !c.out.interactive) {
        throw new UsageError('no terminal to ask for consent', 'add --yes to repair unattended, or --dry-run to preview the change');
      }
      const { fix } = await import('./commands/fix.js');
      code = await fix(c, fa);
    })
    .command(
      'rollback [id]',
      'restore a backup made by fix (default: the latest)',
      (y) => y.positional('id', { type: 'string', describe: 'backup id from `clawfix backups`' }).option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not prompt' }),
      async (a) => {
        const c = makeCtx(a);
        if (!a.yes && !c.out.interactive) throw new UsageError('no terminal to ask for consent', 'add --yes to restore unattended');
        const { rollback } = await import('./commands/rollback.js');
        code = await rollback(c, { ...(typeof a.id === 'string' ? { id: a.id } : {}), yes: !!a.yes });
      },
    )
    .command('backups', 'list backups made by fix', (y) => y, async (a) => {
      const { backups } = await import('./commands/backups.js');
      code = await backups(makeCtx(a));
    })
    .command(
      'edit-config',
      'edit the OpenClaw config safely (like visudo): validate, install with the gateway stopped, roll back if it does not come up',
      (y) =>
        y
          .option('editor', { type: 'string', describe: 'editor command line, run through the shell with the file path appended (default: $VISUAL, $EDITOR, vi)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'show the diff and the hazards; install nothing' })
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'install despite warnings without asking (errors still block)' }),
      async (a) => {
        const { editConfig } = await import('./commands/edit-config.js');
        code = await editConfig(makeCtx(a), { ...(typeof a.editor === 'string' ? { editor: a.editor } : {}), dryRun: !!a.dryRun, yes: !!a.yes });
      },
    )
    .command(
      'completion [shell]',
      'print a shell completion script (bash or zsh; default: from $SHELL)',
      (y) => y.positional('shell', { type: 'string', choices: ['bash', 'zsh'], describe: 'the shell to complete in' }),
      async (a) => {
        const { completionScript, defaultShell } = await import('./completion.js');
        deps.stdout.write(completionScript(a.shell === 'bash' || a.shell === 'zsh' ? a.shell : defaultShell(deps.env)));
        code = EXIT.OK;
      },
    )
    .example('$0 diagnose', 'name the cause, with evidence from the logs and the store')
    .example('$0 fix --dry-run', 'show exactly what would change (diff, commands)')
    .example('$0 fix --yes', 'repair unattended; never grants operator.admin without --allow-admin')
    .example('$0 --profile work diagnose --json', 'look at ~/.openclaw-work, JSON on stdout')
    .example('$0 rollback', 'undo the last repair')
    .example('$0 edit-config', 'edit openclaw.json in $EDITOR; validated, installed with a gateway restart, rolled back on failure')
    .example('source <($0 completion bash)', 'tab completion in this bash session (append the script to ~/.bashrc to keep it)')
    .epilog(EPILOG)
    .version(VERSION)
    .alias('help', 'h')
    .strict()
    .wrap(Math.min(110, (deps.stdout as { columns?: number }).columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg ?? 'invalid arguments', 'see clawfix --help');
    });

  let helpOrVersion = false;
  try {
    await parser.parseAsync(argv, {}, (err, _argv, output) => {
      if (output && !err) {
        helpOrVersion = true;
        // Shell completion answers (see ./completion.ts) list commands by name: the default one is not typed.
        const shown = argv.includes('--get-yargs-completions') ? output.split('\n').filter((l) => !/^\$0(:|$)/.test(l)).join('\n') : output;
        deps.stdout.write(shown + '\n');
      }
    });
  } catch (err) {
    return reportError(err, ctx, deps);
  }
  return helpOrVersion ? EXIT.OK : code;
}

function reportError(err: unknown, ctx: Ctx | undefined, deps: Deps): number {
  const e = err instanceof ClawfixError ? err : undefined;
  const exitCode = e?.exitCode ?? (isAbort(err) ? EXIT.INTERRUPTED : EXIT.PROBLEM);
  const message = redact(e ? e.message : isAbort(err) ? 'interrupted' : ((err as Error)?.message ?? String(err)));
  if (ctx?.out.json) {
    deps.stdout.write(JSON.stringify({ ok: false, error: { message, ...(e?.hint ? { hint: e.hint } : {}), ...(e?.path ? { path: e.path } : {}) }, exitCode }, null, 2) + '\n');
  }
  deps.stderr.write(`clawfix: ${message}\n`);
  if (e?.hint) deps.stderr.write(`  → ${redact(e.hint)}\n`);
  if (!e && !isAbort(err) && ctx?.args.verbose && err instanceof Error && err.stack) deps.stderr.write(redact(err.stack) + '\n');
  return exitCode;
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'AbortError' || name === 'ExitPromptError' || name === 'AbortPromptError';
}

/** Process entry: wires real streams and signals, then exits with main's code. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  let interrupted = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted++;
    // Outside a transaction nothing needs undoing: leave at once. Inside, abort and let it roll back.
    if (!inCritical() || interrupted > 2) {
      process.stderr.write(`\nclawfix: interrupted${inCritical() ? ' (rollback skipped: run clawfix again to recover)' : ''}\n`);
      process.exit(EXIT.INTERRUPTED);
    }
    process.stderr.write(`\nclawfix: ${sig}: rolling back…\n`);
    controller.abort(Object.assign(new Error(`interrupted by ${sig}`), { name: 'AbortError' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => Date.now(),
    signal: controller.signal,
  });
  process.exitCode = code;
}
