/**
 * The only way clawfix writes a file: atomically (write-file-atomic: temp file, fsync, rename), with
 * the mode it is told to keep (and the owner it had: write-file-atomic keeps uid/gid when run as root),
 * and through the fault port (tests only) so failure paths can be exercised.
 */
import { promises as fs } from 'node:fs';
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
