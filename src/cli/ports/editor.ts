/**
 * Running the user's editor on a file, with the terminal. While it runs, Ctrl-C belongs to the editor
 * (vi users press it to leave insert mode): clawfix ignores SIGINT meanwhile, like git does.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { SignalPort } from './types.js';

/** $VISUAL, then $EDITOR, then vi (notepad on Windows). */
export function pickEditor(env: Readonly<Record<string, string | undefined>>): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || (process.platform === 'win32' ? 'notepad' : 'vi');
}

function shellQuote(p: string): string {
  return process.platform === 'win32' ? `"${p}"` : `'${p.replace(/'/g, `'\\''`)}'`;
}

export function runEditor(
  o: { cmd: string; file: string; env: Readonly<Record<string, string | undefined>>; stdoutToStderr: boolean },
  signals: SignalPort,
): Promise<{ code: number; signal?: string }> {
  return signals.whileChildOwnsTerminal(
    () =>
      new Promise((resolve, reject) => {
        // `trap : INT`: the intermediate shell survives a ^C and waits for the editor (a no-op handler,
        // unlike an ignore, is reset on exec, so the editor itself gets the default disposition).
        const line = process.platform === 'win32' ? `${o.cmd} ${shellQuote(o.file)}` : `trap : INT; ${o.cmd} ${shellQuote(o.file)}`;
        const child = spawn(line, {
          shell: true,
          // --json keeps stdout for the result: the editor draws on stderr (still the terminal).
          stdio: ['inherit', o.stdoutToStderr ? 2 : 'inherit', 'inherit'],
          env: { ...o.env },
        });
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0), ...(signal ? { signal } : {}) }));
      }),
  );
}
