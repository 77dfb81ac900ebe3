/** The node:sqlite subset clawfix uses, shared by the store reader and the two ways of opening it on older Node. */
export type Row = Record<string, unknown>;

export interface Db {
  prepare(sql: string): { all(...p: unknown[]): Row[]; get(...p: unknown[]): Row | undefined; run(...p: unknown[]): unknown };
  exec(sql: string): void;
  close(): void;
}

/** node:sqlite itself, or the worker-thread stand-in for a Node that has it only behind a flag. */
export interface SqliteModule {
  DatabaseSync: new (location: string | URL, options?: { readOnly?: boolean }) => Db;
}
