/**
 * The only way clawfix writes a file: atomically (write-file-atomic: temp file, fsync, rename), with
 * the mode it is told to keep (and the owner it had: write-file-atomic keeps uid/gid when run as root;
 * a file or dir clawfix creates as root takes its dir's owner), and through the fault port (tests only)
 * so failure paths can be exercised.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ClawfixError, describeFsError } from '../util/errors.js';
import type { FaultPort } from './faults.js';

/**
 * fn over every item at once (a step's backup copies and hashes, chunked through the thread pool:
 * three files cost one wait instead of three; writeAtomic is synchronous inside, so its calls simply
 * run one after another), results in item order. Every call is
 * waited for before the first failure is thrown: nothing of the step is still writing when its caller
 * cleans up or rolls back.
 */
export async function eachAtOnce<T, R>(items: readonly T[], fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(items.map(async (item, i) => fn(item, i))); // a synchronous throw is a rejection too
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/**
 * Who should own what clawfix creates at `p`: when clawfix runs as root in a dir another user owns (a
 * uid-1000 state dir bind-mounted into a container, repaired from the host), the dir's owner, so the
 * state stays theirs (the gateway in the container can still write it, a later clawfix as that user
 * can still lock and back up). undefined: not root, or the dir is root's (nothing to do).
 */
export function ownerFor(p: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let dir = path.dirname(path.resolve(p));
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    const st = statSync(dir);
    return st.uid === 0 && st.gid === 0 ? undefined : { uid: st.uid, gid: st.gid };
  } catch {
    return undefined;
  }
}

function statOwner(p: string): { uid: number; gid: number } | undefined {
  try {
    const st = statSync(p);
    return { uid: st.uid, gid: st.gid };
  } catch {
    return undefined;
  }
}

/** mkdir -p that gives every dir it creates to the owner of the dir it was created in (see ownerFor). */
export function mkdirOwned(dir: string, mode: number): void {
  const owner = ownerFor(dir);
  const first = mkdirSync(dir, { recursive: true, mode });
  if (!owner || !first) return;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chownSync(d, owner.uid, owner.gid);
    if (d === path.resolve(first) || path.dirname(d) === d) break;
  }
}

/** After SQLite wrote a database as root: its -wal/-shm/-journal files belong to the database's owner. */
export function keepSqliteSidecarsOwned(db: string): void {
  if (process.getuid?.() !== 0) return;
  let st;
  try {
    st = statSync(db);
  } catch {
    return;
  }
  for (const ext of ['-wal', '-shm', '-journal']) {
    try {
      const side = statSync(db + ext);
      if (side.uid !== st.uid || side.gid !== st.gid) chownSync(db + ext, st.uid, st.gid);
    } catch {
      /* not there */
    }
  }
}

export async function writeAtomic(path: string, data: string | Buffer, mode: number, faults?: FaultPort): Promise<void> {
  try {
    faults?.fault('write', path);
    // An existing file keeps its owner (write-file-atomic); a new one gets its dir's owner.
    const owner = existsSync(path) ? undefined : ownerFor(path);
    // A string is handed over as is (written as UTF-8): a Buffer copy of a 20 MB text would linger until the next GC.
    // Its synchronous form: the same steps (realpath, temp file, fsync, chown, chmod, rename) without a
    // thread-pool round trip for each, ~0.8 ms a file here against ~2.5 ms (a repair writes a dozen).
    writeFileAtomic.sync(path, data, { mode, fsync: true, encoding: 'utf8', ...(owner ? { chown: owner } : {}) });
    // write-file-atomic applies mode through the umask on creation; make it exact.
    chmodSync(path, mode);
  } catch (err) {
    if (err instanceof ClawfixError) throw err;
    const d = describeFsError(err, path);
    throw new ClawfixError(`could not write ${path}: ${d.message}`, { hint: d.hint, path, cause: err });
  }
}

export async function readBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Chunk size of the chunked reads below. */
const CHUNK = 256 * 1024;
/** Read buffers not in use (a transaction hashes and copies a dozen files: one or two buffers in all). */
const idle: Buffer[] = [];

/**
 * Each chunk of a file, read into ONE buffer that is reused (a stream allocates a new buffer per
 * chunk, and a 20 MB file's worth of them lingers until the next GC). A chunk is valid only until
 * the next one is read.
 */
async function* chunksOf(path: string): AsyncGenerator<Buffer> {
  const fh = await fs.open(path, 'r');
  const buf = idle.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (!bytesRead) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    idle.push(buf);
    await fh.close();
  }
}

/** sha256 and size of a file, read in chunks (a 20 MB store is never one buffer). */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of chunksOf(path)) {
    h.update(chunk);
    size += chunk.length;
  }
  return { sha256: h.digest('hex'), size };
}

/**
 * Copies `src` to `dest` atomically (temp file, fsync, rename) with `mode`, in chunks, and returns the
 * sha256 and size of the bytes copied. Fault port: like writeAtomic ('write' on dest).
 */
export async function copyAtomic(src: string, dest: string, mode: number, faults?: FaultPort): Promise<{ sha256: string; size: number }> {
  const tmp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    faults?.fault('write', dest);
    const h = createHash('sha256');
    let size = 0;
    const out = await fs.open(tmp, 'wx', mode);
    try {
      for await (const chunk of chunksOf(src)) {
        h.update(chunk);
        size += chunk.length;
        for (let off = 0; off < chunk.length; ) off += (await out.write(chunk, off)).bytesWritten;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await fs.chmod(tmp, mode);
    // Like writeAtomic: a new file gets its dir's owner, an existing one keeps its own.
    const owner = existsSync(dest) ? statOwner(dest) : ownerFor(dest);
    if (owner && process.getuid?.() === 0) await fs.chown(tmp, owner.uid, owner.gid);
    await fs.rename(tmp, dest);
    return { sha256: h.digest('hex'), size };
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof ClawfixError) throw err;
    const d = describeFsError(err, (err as { path?: string }).path ?? dest);
    throw new ClawfixError(`could not write ${dest}: ${d.message}`, { hint: d.hint, path: dest, cause: err });
  }
}
