/**
 * The only way clawfix writes a file: atomically (write-file-atomic: temp file, fsync, rename), with
 * the mode it is told to keep (and the owner it had: write-file-atomic keeps uid/gid when run as root),
 * and through the fault port (tests only) so failure paths can be exercised.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { ClawfixError, describeFsError } from '../util/errors.js';
import type { FaultPort } from './faults.js';

export async function writeAtomic(path: string, data: string | Buffer, mode: number, faults?: FaultPort): Promise<void> {
  try {
    faults?.fault('write', path);
    await writeFileAtomic(path, typeof data === "string" ? Buffer.from(data, "utf8") : data, { mode, fsync: true });
    // write-file-atomic applies mode through the umask on creation; make it exact.
    await fs.chmod(path, mode);
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

/** sha256 and size of a file, read in chunks (a 20 MB store is never one buffer). */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
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
      for await (const chunk of createReadStream(src)) {
        h.update(chunk as Buffer);
        size += (chunk as Buffer).length;
        await out.write(chunk as Buffer);
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, dest);
    return { sha256: h.digest('hex'), size };
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof ClawfixError) throw err;
    const d = describeFsError(err, (err as { path?: string }).path ?? dest);
    throw new ClawfixError(`could not write ${dest}: ${d.message}`, { hint: d.hint, path: dest, cause: err });
  }
}
