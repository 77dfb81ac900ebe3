/**
 * The fast path of the command line: a plain one (a command, its options as `--name value`,
 * `--name=value`, `--flag`, `--no-flag`, `-y`, rollback's id) is read here without loading yargs,
 * which costs ~25 ms of every run (measured: compiling it and building the parser). Anything else —
 * --help, --version, completion, an unknown or repeated option, a value that looks like a flag, a
 * choice yargs would refuse, `--`, the words `help`, `true` and `false` (yargs reads a last `help` as
 * --help, and `true`/`false` after a boolean flag as its value) — returns undefined and goes to yargs, which stays the one judge of
 * what is valid and the only source of help and usage errors. test/spec/fast-args.test.ts holds the
 * two to the same result on every command line the fast path accepts.
 */
import { camel, COMMAND_OPTIONS, GLOBAL_OPTIONS, type CommandName, type OptionSpec, type OptionTable } from './options.js';

export interface FastParse {
  command: CommandName;
  /** What yargs would hand the command: every option of the command under its camelCase key (booleans with their defaults), rollback's `id`. */
  args: Record<string, unknown>;
}

/** Commands the fast path reads (completion answers are yargs' own). */
const FAST_COMMANDS: readonly CommandName[] = ['diagnose', 'fix', 'rollback', 'backups', 'edit-config'];

const isFlag = (t: string) => t.startsWith('-');
/** Words yargs gives a meaning of its own (`rollback help` is rollback's help; `--yes false` is yes=false). */
const YARGS_WORDS = new Set(['help', 'true', 'false']);
/** An option of the table by name: own properties only (`--constructor` is no option). */
const optionIn = (table: OptionTable, name: string): OptionSpec | undefined => (Object.hasOwn(table, name) ? table[name] : undefined);

/** The option a flag token names in `table` (`--x`, `--x=v`, `--no-x`, `-y`), with its inline value; undefined: not one of them. */
function lookup(token: string, table: OptionTable): { name: string; spec: OptionSpec; inline?: string; negated?: true } | undefined {
  if (!token.startsWith('--')) {
    const name = Object.keys(table).find((n) => table[n]!.alias !== undefined && `-${table[n]!.alias}` === token);
    return name ? { name, spec: table[name]! } : undefined;
  }
  const eq = token.indexOf('=');
  const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
  const spec = optionIn(table, name);
  if (spec) return { name, spec, ...(eq === -1 ? {} : { inline: token.slice(eq + 1) }) };
  const plain = name.startsWith('no-') ? name.slice(3) : undefined;
  const negatable = plain && eq === -1 ? optionIn(table, plain) : undefined;
  return negatable?.type === 'boolean' ? { name: plain!, spec: negatable, negated: true } : undefined;
}

/** The command: the first word that is not a string option's value. undefined: none (interactive); null: not a fast one. */
function commandOf(argv: readonly string[]): CommandName | null | undefined {
  const all = [GLOBAL_OPTIONS, ...Object.values(COMMAND_OPTIONS)].flatMap((t: OptionTable) => Object.entries(t));
  const strings = new Set(all.filter(([, s]) => s.type === 'string').map(([n]) => `--${n}`));
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (strings.has(t)) i++;
    else if (!isFlag(t)) return (FAST_COMMANDS as readonly string[]).includes(t) ? (t as CommandName) : null;
  }
  return undefined;
}

/** A string option's value as yargs would take it, or undefined when yargs must judge it. */
function stringValue(spec: OptionSpec, value: string | undefined): string | undefined {
  if (value === undefined || value === '' || isFlag(value)) return undefined;
  if (spec.choices && !spec.choices.includes(value)) return undefined;
  return value;
}

export function fastParse(argv: readonly string[]): FastParse | undefined {
  if (argv.some((t) => YARGS_WORDS.has(t))) return undefined;
  const command = commandOf(argv);
  if (command === null) return undefined;
  const name = command ?? 'interactive';
  const table: OptionTable = { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[name] };
  const args: Record<string, unknown> = {};
  for (const [n, spec] of Object.entries(table)) if (spec.type === 'boolean') args[camel(n)] = spec.default ?? false;
  const seen = new Set<string>();
  let words = 0;
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (!isFlag(t)) {
      words++;
      if (words === 1 && t === command) continue;
      if (name !== 'rollback' || words !== 2) return undefined;
      args.id = t;
      continue;
    }
    // Before a command's name only the global options (yargs refuses `--yes fix`).
    const opt = lookup(t, command && !words ? GLOBAL_OPTIONS : table);
    if (!opt || seen.has(opt.name)) return undefined;
    seen.add(opt.name);
    if (opt.spec.type === 'boolean') {
      if (opt.inline !== undefined) return undefined;
      args[camel(opt.name)] = !opt.negated;
      continue;
    }
    const value = stringValue(opt.spec, opt.inline ?? argv[++i]);
    if (value === undefined) return undefined;
    args[camel(opt.name)] = value;
  }
  return { command: name, args };
}
