/**
 * What yargs does not check about clawfix's flags: a flag that needs a value got one (not an empty
 * string, not the next command's name), a profile is a name OpenClaw accepts, and the paths given
 * exist. Each problem is one UsageError naming the flag (exit 2). Also the did-you-mean for a
 * mistyped command or option.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { expandTilde, resolveHome, validProfile } from '../openclaw/paths.js';
import { UsageError } from '../util/errors.js';

export const COMMAND_NAMES = ['diagnose', 'fix', 'rollback', 'backups', 'edit-config'] as const;

/** Flags that take a value, with an example value for the message. */
export const VALUE_FLAGS: Record<string, string> = {
  'state-dir': '~/.openclaw-work',
  profile: 'work',
  config: '~/.openclaw/openclaw.json',
  'log-file': '/tmp/openclaw/openclaw-2026-01-31.log',
  openclaw: '/usr/local/bin/openclaw',
  container: 'openclaw-gateway',
  runtime: 'podman',
  device: '<deviceId from clawfix diagnose>',
  scopes: 'operator.write',
  editor: '"code --wait"',
};

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function needsValue(flag: string): UsageError {
  return new UsageError(`--${flag} needs a value`, `e.g. --${flag} ${VALUE_FLAGS[flag] ?? 'VALUE'}`);
}

function kindOf(p: string): 'file' | 'dir' | 'other' | undefined {
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return undefined;
  }
}

/** Throws a UsageError for the first flag that is given badly. `a` is yargs' parsed argv. */
export function checkFlagValues(a: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): void {
  for (const flag of Object.keys(VALUE_FLAGS)) {
    const v = a[camel(flag)];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !v.trim()) throw needsValue(flag);
    // `clawfix --state-dir diagnose`: the command was taken as the value.
    if ((COMMAND_NAMES as readonly string[]).includes(v) && kindOf(v) === undefined) {
      throw new UsageError(`--${flag} needs a value, but got the command name "${v}"`, `put the value right after the flag, e.g. clawfix --${flag} ${VALUE_FLAGS[flag]} ${v}`);
    }
  }
  const profile = a.profile;
  if (typeof profile === 'string' && profile.toLowerCase() !== 'default' && !validProfile(profile)) {
    throw new UsageError(`--profile ${JSON.stringify(profile)} is not a profile name`, 'a profile name is 1–64 letters, digits, "_" and "-", starting with a letter or digit (as OpenClaw accepts)');
  }
  const home = resolveHome(env);
  const where = (p: string) => path.resolve(expandTilde(p, home));
  if (typeof a.stateDir === 'string') {
    const p = where(a.stateDir);
    const k = kindOf(p);
    if (k !== 'dir') throw new UsageError(`--state-dir ${p} ${k ? 'is not a directory' : 'does not exist'}`, 'point --state-dir at the OpenClaw state dir (the one holding openclaw.json and devices/ or state/), or leave it out');
  }
  if (typeof a.logFile === 'string') {
    const p = path.resolve(a.logFile);
    const k = kindOf(p);
    if (k !== 'file') throw new UsageError(`--log-file ${p} ${k ? 'is not a file' : 'does not exist'}`, 'point --log-file at the gateway\'s log file (logging.file, or /tmp/openclaw/openclaw-YYYY-MM-DD.log), or leave it out');
  }
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** The closest name within two edits (or a prefix of at least three letters), if any. */
export function closest(word: string, names: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const scored = names.map((n) => ({ n, d: n.startsWith(w) && w.length >= 3 ? 0 : distance(w, n) })).sort((x, y) => x.d - y.d);
  return scored[0] && scored[0].d <= Math.min(2, Math.max(1, Math.floor(w.length / 3))) ? scored[0].n : undefined;
}

/**
 * yargs' own failure message as clawfix's UsageError: a missing flag value names the flag, an unknown
 * word where a command goes gets a did-you-mean, an unknown option too.
 */
export function usageErrorFrom(msg: string, argv: readonly string[], optionNames: readonly string[]): UsageError {
  const missing = /^Not enough arguments following: (\S+)/.exec(msg);
  if (missing) return needsValue(missing[1]!);
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg);
  if (unknown) {
    const words = unknown[1]!.split(', ');
    const first = argv.find((x) => !x.startsWith('-'));
    const cmd = words.find((w) => w === first);
    if (cmd !== undefined) {
      const near = closest(cmd, COMMAND_NAMES);
      return new UsageError(`unknown command "${cmd}"`, near ? `did you mean \`clawfix ${near}\`? (clawfix --help lists the commands)` : `the commands are: ${COMMAND_NAMES.join(', ')} (clawfix --help)`);
    }
    const bare = words.find((w) => argv.includes(w));
    if (bare !== undefined) return new UsageError(`unexpected argument "${bare}"`, 'see clawfix --help for what each command takes');
    // As typed: yargs reports `--no-such-flag` as `such-flag` (it reads --no-X as X negated).
    const typed = argv.find((a) => a.startsWith('-') && a !== '--' && [a.replace(/^--?/, ''), a.replace(/^--no-/, '')].some((n) => n.split('=')[0] === words[0]));
    const opt = typed ? typed.replace(/^--?/, '').split('=')[0]! : words[0]!;
    const near = closest(opt, optionNames);
    return new UsageError(`unknown option --${opt}`, near ? `did you mean --${near}? (clawfix --help lists the options)` : 'see clawfix --help');
  }
  return new UsageError(msg, 'see clawfix --help');
}
