/**
 * Secret scan of what clawfix leaves on disk: every file under `<state>/clawfix/` must be free of the
 * fixture's planted secrets, except what holds them by design:
 *
 *  - backup DATA: `backups/<id>/<n>-<file>` are exact copies of the store files (tokens and all), and
 *    the `rows[].row` pre-images inside a SQLite backup's manifest.json are the rows themselves
 *    (tokens_json). The rest of each manifest (paths, checksums, modes, reason, row keys) is scanned.
 *  - `gateway-process.json`: the recorded command line, working dir and ENVIRONMENT of a foreground
 *    gateway clawfix stopped, so it can start the same command again (0600; README "A gateway no
 *    service manager owns"). The environment may hold OPENCLAW_GATEWAY_TOKEN, by design.
 *
 * Everything else — journal.json, repair.lock, manifests of JSON backups, anything added later — is
 * scanned, as is every text that runCli captured (see runCli in ./cli.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { assertNoSecrets } from './cli.js';
import type { Fixture } from './fixtures.js';

export interface ScannedFile {
  rel: string;
  text: string;
}

/** Files of `<state>/clawfix/` to scan (rel path + text), with the by-design exceptions left out. */
export function clawfixDirTexts(stateDir: string): ScannedFile[] {
  const root = path.join(stateDir, 'clawfix');
  const out: ScannedFile[] = [];
  const walk = (abs: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const p = path.join(abs, e.name);
      if (e.isDirectory()) {
        walk(p, r);
        continue;
      }
      if (!e.isFile()) continue;
      if (r === 'gateway-process.json') continue; // env of a foreground gateway, by design
      const inBackup = /^backups\/[^/]+\/(.+)$/.exec(r);
      if (inBackup && inBackup[1] !== 'manifest.json') continue; // backup data copy
      let text = fs.readFileSync(p, 'utf8');
      if (inBackup) {
        try {
          const m = JSON.parse(text) as { rows?: { images?: { row?: unknown }[] } };
          // SQLite pre-image rows are backup data; keep their table/key, drop the row contents.
          if (m.rows?.images) for (const im of m.rows.images) delete im.row;
          text = JSON.stringify(m);
        } catch {
          /* a damaged manifest is scanned as raw text */
        }
      }
      out.push({ rel: r, text });
    }
  };
  walk(root, '');
  return out;
}

/** Throws naming the file when anything under `<state>/clawfix/` (exceptions above) holds a planted secret. */
export function assertClawfixDirClean(f: Pick<Fixture, 'stateDir' | 'secrets'>): void {
  for (const file of clawfixDirTexts(f.stateDir)) {
    try {
      assertNoSecrets([file.text], f.secrets);
    } catch (err) {
      throw new Error(`SECRET LEAK on disk: ${path.join(f.stateDir, 'clawfix', file.rel)}: ${(err as Error).message.replace('text #0', 'the file')}`);
    }
  }
}
