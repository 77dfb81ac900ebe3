/**
 * Row-level SQLite edits in one transaction (BEGIN IMMEDIATE). Each change carries the row it expects
 * to find; if another writer changed it since the plan, the transaction is rolled back untouched.
 */
import { openDb, type Db } from '../openclaw/sqlite-store.js';
import { ClawfixError } from '../util/errors.js';
import { canonical } from '../util/hash.js';
import type { RowChange, RowImage } from '../plan/types.js';
import type { FaultPort } from './faults.js';
import { keepSqliteSidecarsOwned } from './fs.js';

type Row = Record<string, unknown>;

function norm(r: Row | null | undefined): string {
  if (!r) return 'null';
  return canonical(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

function where(key: Record<string, string>): { sql: string; params: string[] } {
  const cols = Object.keys(key);
  return { sql: cols.map((c) => `${c} = ?`).join(' AND '), params: cols.map((c) => key[c] as string) };
}

export function selectRow(db: Db, table: string, key: Record<string, string>): Row | null {
  const w = where(key);
  return db.prepare(`SELECT * FROM ${table} WHERE ${w.sql}`).get(...w.params) ?? null;
}

function writeRow(db: Db, table: string, key: Record<string, string>, row: Row | null): void {
  const w = where(key);
  if (row === null) {
    db.prepare(`DELETE FROM ${table} WHERE ${w.sql}`).run(...w.params);
    return;
  }
  const cols = Object.keys(row);
  db.prepare(`INSERT OR REPLACE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
    ...cols.map((c) => (row[c] === undefined ? null : row[c])),
  );
}

async function inTransaction<T>(dbPath: string, fn: (db: Db) => T, faults?: FaultPort): Promise<T> {
  const db = await openDb(dbPath, { readOnly: false });
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn(db);
      faults?.fault('sqlite-commit', dbPath);
      db.exec('COMMIT');
      return out;
    } catch (err) {
      try {
        db.exec('ROLLBACK');
      } catch {
        /* already rolled back */
      }
      throw err;
    }
  } catch (err) {
    if (err instanceof ClawfixError) throw err;
    const msg = (err as Error).message;
    throw new ClawfixError(`SQLite edit of ${dbPath} failed and was rolled back: ${msg}`, {
      ...(/locked|busy/i.test(msg) ? { hint: 'the database is busy; stop the gateway or retry in a moment' } : {}),
      path: dbPath,
      cause: err,
    });
  } finally {
    db.close();
    keepSqliteSidecarsOwned(dbPath);
  }
}

/** Apply row changes, refusing if any row is no longer what the plan saw. */
export async function applyRowChanges(dbPath: string, changes: readonly RowChange[], faults?: FaultPort): Promise<void> {
  await inTransaction(dbPath, (db) => {
    for (const c of changes) {
      const cur = selectRow(db, c.table, c.key);
      if (norm(cur) !== norm(c.before)) {
        throw new ClawfixError(`${c.table} row ${Object.values(c.key).join('/')} changed since the plan was made (someone else edited the store); nothing was written`, {
          hint: 'run clawfix again to plan against the current state',
          path: dbPath,
        });
      }
      writeRow(db, c.table, c.key, c.after);
    }
  }, faults);
}

/** Put back exactly the pre-image rows (and nothing else). */
export async function restoreRows(dbPath: string, images: readonly RowImage[], faults?: FaultPort): Promise<void> {
  // Every row already is its pre-image (e.g. the patch's own transaction was rolled back, or another
  // SQLite writer holds the lock and nothing was written): there is nothing to put back, so no write
  // transaction is opened — a database locked by someone else must not turn that into a failed undo.
  const current = await readRows(dbPath, images).catch(() => undefined);
  if (current && rowsEqual(current, [...images])) return;
  await inTransaction(dbPath, (db) => {
    for (const im of images) writeRow(db, im.table, im.key, im.row);
  }, faults);
}

export async function readRows(dbPath: string, images: readonly { table: string; key: Record<string, string> }[]): Promise<RowImage[]> {
  const db = await openDb(dbPath, { readOnly: true });
  try {
    return images.map((im) => {
      const row = selectRow(db, im.table, im.key);
      return { table: im.table, key: im.key, row: row ? Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) : null };
    });
  } finally {
    db.close();
  }
}

export function rowsEqual(a: RowImage[], b: RowImage[]): boolean {
  return a.length === b.length && a.every((x, i) => norm(x.row) === norm(b[i]?.row ?? null));
}

/** Read the rows a scope repair of `deviceId` touches. */
export async function readDeviceRows(dbPath: string, deviceId: string, role = 'operator'): Promise<{ paired: Row | null; pending: Row[]; authToken?: Row }> {
  const db = await openDb(dbPath, { readOnly: true });
  try {
    const paired = selectRow(db, 'device_pairing_paired', { device_id: deviceId });
    const pending = db.prepare('SELECT * FROM device_pairing_pending WHERE device_id = ?').all(deviceId);
    const hasAuth = !!db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='device_auth_tokens'").get();
    const authToken = hasAuth ? (selectRow(db, 'device_auth_tokens', { device_id: deviceId, role }) ?? undefined) : undefined;
    const fix = (r: Row) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
    return { paired: paired ? fix(paired) : null, pending: pending.map(fix), ...(authToken ? { authToken: fix(authToken) } : {}) };
  } finally {
    db.close();
  }
}
