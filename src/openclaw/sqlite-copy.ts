/**
 * A read of a SQLite file that leaves its directory byte-identical, on a Node whose DatabaseSync takes
 * no URL and so no `?immutable=1` (22.12 does not; URL paths came with nodejs/node#56991, backported
 * to a later 22.x). A plain read-only open of a WAL-mode database nobody has
 * open creates `-wal` and `-shm` beside it; so, when there is no `-wal` (no writer: the file alone is
 * the whole database), this opens a private copy instead: in a fresh 0700 temp dir, the copy 0600 (it
 * holds the same tokens), removed when the database is closed, or at exit if clawfix ends first.
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db, SqliteModule } from './sqlite-types.js';

export function openPrivateCopy(mod: SqliteModule, file: string): Db {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clawfix-sqlite-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  try {
    chmodSync(dir, 0o700);
    const copy = path.join(dir, path.basename(file));
    copyFileSync(file, copy);
    chmodSync(copy, 0o600);
    const db = new mod.DatabaseSync(copy, { readOnly: true });
    return {
      prepare: (sql) => db.prepare(sql),
      exec: (sql) => db.exec(sql),
      close: () => {
        try {
          db.close();
        } finally {
          remove();
          process.removeListener('exit', remove);
        }
      },
    };
  } catch (err) {
    remove();
    process.removeListener('exit', remove);
    throw err;
  }
}
