/**
 * `clawfix completion`: the bash script is sourced in a real bash and asked to complete words the way
 * bash's programmable completion does (COMP_WORDS / COMP_CWORD, then COMPREPLY), with the clawfix under
 * test first on PATH as `clawfix`. zsh is not on the test machine: its script is checked for shape, and
 * the `name:description` answers it feeds to _describe are checked at the CLI.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLAWFIX_BIN, cliEnv, runCli } from './helpers/cli.js';

let tmp: string;
let script: string;
let binDir: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-completion-'));
  binDir = path.join(tmp, 'bin');
  fs.mkdirSync(binDir);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // `clawfix` on PATH, as npm's global install would put it: the clawfix under test, on this Node.
  fs.writeFileSync(path.join(binDir, 'clawfix'), `#!/bin/sh\nexec ${q(process.execPath)} ${q(CLAWFIX_BIN)} "$@"\n`, { mode: 0o755 });
  const r = await runCli(['completion', 'bash']);
  expect(r.code).toBe(0);
  script = path.join(tmp, 'clawfix.bash');
  fs.writeFileSync(script, r.stdout);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Source the script in bash, set the words being completed (the last one is under the cursor), return COMPREPLY. */
function complete(words: string[]): string[] {
  const body = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _clawfix_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', body, 'bash', script, ...words], {
    env: { ...cliEnv(), PATH: [binDir, process.env.PATH].join(path.delimiter), SHELL: '/bin/zsh' }, // SHELL: the script must not depend on it
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash: the script registers a completion for clawfix', () => {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', 'source "$1"; complete -p clawfix', 'bash', script], { encoding: 'utf8' });
  expect(r.stdout).toContain('-F _clawfix_completions clawfix');
});

test('bash: a command name completes ("fi" → fix), and an empty word lists every command, not the default one', () => {
  expect(complete(['clawfix', 'fi'])).toEqual(['fix']);
  expect(complete(['clawfix', ''])).toEqual(['backups', 'completion', 'diagnose', 'edit-config', 'fix', 'rollback']);
});

test("bash: a command's own options complete, and global ones", () => {
  expect(complete(['clawfix', 'fix', '--dr'])).toEqual(['--dry-run']);
  expect(complete(['clawfix', 'fix', '--allow'])).toEqual(['--allow-admin']);
  expect(complete(['clawfix', 'diagnose', '--js'])).toEqual(['--json']);
  expect(complete(['clawfix', '--state'])).toEqual(['--state-dir']);
});

test('bash: positional choices complete (completion z → zsh)', () => {
  expect(complete(['clawfix', 'completion', 'z'])).toEqual(['zsh']);
});

test('zsh: the script is a #compdef function fed name:description pairs', async () => {
  const z = await runCli(['completion', 'zsh']);
  expect(z.code).toBe(0);
  expect(z.stdout.startsWith('#compdef clawfix\n')).toBe(true);
  expect(z.stdout).toContain("_describe 'clawfix' reply");
  const answers = spawnSync(process.execPath, [CLAWFIX_BIN, '--get-yargs-completions', 'clawfix', ''], { env: { ...cliEnv(), SHELL: 'zsh' }, encoding: 'utf8' });
  const lines = answers.stdout.split('\n').filter(Boolean);
  expect(lines).toContain('diagnose:find the cause and show the evidence; changes nothing');
  expect(lines.some((l) => l.startsWith('$0'))).toBe(false);
});

test('completion with no shell named follows $SHELL; an unknown shell is a usage error', async () => {
  expect((await runCli(['completion'], { env: { SHELL: '/usr/bin/zsh' } })).stdout.startsWith('#compdef clawfix')).toBe(true);
  expect((await runCli(['completion'], { env: { SHELL: '/bin/bash' } })).stdout).toContain('complete -o bashdefault -o default -F _clawfix_completions clawfix');
  const bad = await runCli(['completion', 'fish']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('Invalid values');
});
