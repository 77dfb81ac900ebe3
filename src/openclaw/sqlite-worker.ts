/**
 * node:sqlite on a Node that has it only behind `--experimental-sqlite`: 22.12, the oldest Node
 * clawfix supports (unflagged from 22.13). The flag is per thread, so a worker thread started with it
 * runs the database, and this module gives openDb the same synchronous DatabaseSync subset it uses on
 * newer Node: every call posts to the worker and blocks in Atomics.wait until the worker answers, then
 * takes the answer with receiveMessageOnPort. Nothing else changes for the caller (errors keep their
 * message and code; rows, BigInts and Buffers arrive as structured clones).
 *
 * Only loaded when `import('node:sqlite')` failed, and the worker only starts when a SQLite file is
 * opened: a Node that has node:sqlite pays nothing, and 22.12 pays one worker start (measured in
 * bench/, README "Performance") per process that reads SQLite. The worker is unref'd: it never keeps
 * clawfix alive.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Db, Row, SqliteModule } from './sqlite-types.js';

/** The worker: CommonJS source, run with `eval`. Answers each message with { ok, value } or { ok: false, error }. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
let sqlite, loadError;
try { sqlite = require('node:sqlite'); } catch (e) { loadError = e; }
const dbs = new Map();
const stmts = new Map();
let next = 1;
function handle(m) {
  if (m.op === 'ping') { if (loadError) throw loadError; return true; }
  if (m.op === 'open') {
    const db = new sqlite.DatabaseSync(m.url ? new URL(m.location) : m.location, m.options);
    const id = next++;
    dbs.set(id, { db, stmts: [] });
    return id;
  }
  const h = dbs.get(m.db);
  if (!h) throw new Error('database is not open');
  switch (m.op) {
    case 'exec': h.db.exec(m.sql); return undefined;
    case 'prepare': { const id = next++; stmts.set(id, h.db.prepare(m.sql)); h.stmts.push(id); return id; }
    case 'all': case 'get': case 'run': return stmts.get(m.stmt)[m.op](...m.params);
    case 'close': for (const s of h.stmts) stmts.delete(s); dbs.delete(m.db); h.db.close(); return undefined;
  }
  throw new Error('unknown op ' + m.op);
}
port.on('message', (m) => {
  let reply;
  try {
    reply = { ok: true, value: handle(m) };
  } catch (e) {
    const err = e || {};
    reply = { ok: false, error: { name: err.name, message: String(err.message || e), code: err.code, errcode: err.errcode, errstr: err.errstr } };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/** A call that gets no answer in this long means the worker is gone (SQLite itself waits 3 s on a lock). */
const ANSWER_TIMEOUT_MS = 30_000;

interface Reply {
  ok: boolean;
  value?: unknown;
  error?: { name?: string; message: string; code?: string; errcode?: number; errstr?: string };
}

class Bridge {
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: ['--experimental-sqlite', '--disable-warning=ExperimentalWarning'],
      workerData: { port: port2, flag: this.flag },
      transferList: [port2],
    });
    worker.unref();
  }

  call(msg: Record<string, unknown>): unknown {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(msg);
    if (Atomics.wait(this.flag, 0, 0, ANSWER_TIMEOUT_MS) === 'timed-out') {
      throw new Error(`node:sqlite (in a worker thread, --experimental-sqlite) did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
    }
    const reply = receiveMessageOnPort(this.port)?.message as Reply | undefined;
    if (!reply) throw new Error('node:sqlite worker thread answered nothing');
    if (reply.ok) return reply.value;
    const e = reply.error!;
    throw Object.assign(new Error(e.message), { ...(e.name ? { name: e.name } : {}), ...(e.code ? { code: e.code } : {}), ...(e.errcode !== undefined ? { errcode: e.errcode } : {}), ...(e.errstr ? { errstr: e.errstr } : {}) });
  }
}

let bridge: Bridge | undefined;

/**
 * node:sqlite through a worker started with --experimental-sqlite, or undefined when even that Node
 * cannot load it (the worker says so on a first ping).
 */
export function flaggedSqlite(): SqliteModule | undefined {
  try {
    bridge ??= new Bridge();
    bridge.call({ op: 'ping' });
  } catch {
    bridge = undefined;
    return undefined;
  }
  const b = bridge;
  class DatabaseSync implements Db {
    private readonly id: number;
    constructor(location: string | URL, options: { readOnly?: boolean } = {}) {
      const url = typeof location !== 'string';
      this.id = b.call({ op: 'open', location: url ? location.href : location, url, options }) as number;
    }
    exec(sql: string): void {
      b.call({ op: 'exec', db: this.id, sql });
    }
    prepare(sql: string) {
      const stmt = b.call({ op: 'prepare', db: this.id, sql }) as number;
      const db = this.id;
      return {
        all: (...params: unknown[]) => b.call({ op: 'all', db, stmt, params }) as Row[],
        get: (...params: unknown[]) => b.call({ op: 'get', db, stmt, params }) as Row | undefined,
        run: (...params: unknown[]) => b.call({ op: 'run', db, stmt, params }),
      };
    }
    close(): void {
      b.call({ op: 'close', db: this.id });
    }
  }
  return { DatabaseSync };
}
