/**
 * Drive the real built CLI in a real terminal: tmux on a private socket, keys sent with send-keys,
 * the screen read with capture-pane. Each Terminal is its own tmux server, killed by close().
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLAWFIX_BIN } from './cli.js';
import { waitFor } from './wait.js';

export function haveTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

export interface Terminal {
  screen(): string;
  keys(...keys: string[]): void;
  type(text: string): void;
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once the command has finished. */
  exitCode(timeoutMs?: number): Promise<number>;
  close(): void;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function openTerminal(args: string[], env: Record<string, string>): Terminal {
  const sock = path.join(os.tmpdir(), `clawfix-tmux-${crypto.randomBytes(4).toString('hex')}`);
  const exitFile = `${sock}.exit`;
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  // `trap : INT` keeps the wrapper shell alive on Ctrl-C (the CLI gets the default disposition) so the
  // exit code is still recorded.
  const cmd = `trap : INT; env -i ${envArgs.join(' ')} ${shellQuote(process.execPath)} ${shellQuote(CLAWFIX_BIN)} ${args.map(shellQuote).join(' ')}; echo $? > ${shellQuote(exitFile)}; echo "[exited]"; exec cat`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-S', sock, ...a], { encoding: 'utf8' });
  tmux('new-session', '-d', '-x', '120', '-y', '50', 'sh', '-c', cmd);
  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200');
  return {
    screen,
    keys: (...keys) => void tmux('send-keys', ...keys),
    type: (text) => void tmux('send-keys', '-l', text),
    async waitForText(text, timeoutMs = 15_000) {
      return waitFor(
        () => {
          const s = screen();
          return (typeof text === 'string' ? s.includes(text) : text.test(s)) ? s : '';
        },
        { timeoutMs, what: `screen to show ${String(text)}\n--- screen ---\n${screen()}` },
      );
    },
    async exitCode(timeoutMs = 30_000) {
      const t = await waitFor(() => (fs.existsSync(exitFile) ? fs.readFileSync(exitFile, 'utf8').trim() : ''), { timeoutMs, what: `command to exit\n${screen()}` });
      return Number(t);
    },
    close() {
      spawnSync('tmux', ['-S', sock, 'kill-server']);
      fs.rmSync(sock, { force: true });
      fs.rmSync(exitFile, { force: true });
    },
  };
}
