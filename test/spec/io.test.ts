/**
 * Small I/O seams, in-process: a step's writes at once (eachAtOnce), the config parser's JSON fast
 * path (parseJson5), which must mean exactly what JSON5 means, and the listening-socket table read
 * only as far as its listeners (readListeners).
 */
import { describe, expect, test } from '@jest/globals';
import JSON5 from 'json5';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eachAtOnce } from '../../src/apply/fs.js';
import { parseJson5 } from '../../src/openclaw/config.js';
import { readListeners } from '../../src/openclaw/process.js';

const later = <T>(ms: number, v: T, done?: () => void) => new Promise<T>((r) => setTimeout(() => (done?.(), r(v)), ms));

describe('eachAtOnce', () => {
  test('a synchronous throw is a rejection like any other: every other call still settles first', async () => {
    let otherDone = false;
    const run = eachAtOnce([0, 1], (i) => {
      if (i === 0) throw new Error('sync');
      return later(20, 'ok', () => (otherDone = true));
    });
    await expect(run).rejects.toThrow('sync');
    expect(otherDone).toBe(true);
  });

  test('runs every item at once and returns results in item order', async () => {
    let running = 0;
    let peak = 0;
    const out = await eachAtOnce([30, 10, 20], async (ms, i) => {
      peak = Math.max(peak, ++running);
      await later(ms, null);
      running--;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:10', '2:20']);
    expect(peak).toBe(3);
  });

  test('a failure is thrown only after every other call has settled (nothing still writing)', async () => {
    let slowDone = false;
    const run = eachAtOnce([0, 1], (i) => (i === 0 ? Promise.reject(new Error('EIO: first')) : later(40, 'ok', () => (slowDone = true))));
    await expect(run).rejects.toThrow('EIO: first');
    expect(slowDone).toBe(true);
  });
});

describe('parseJson5 (JSON first, JSON5 only when needed)', () => {
  test('plain JSON parses to the value JSON5 gives (key order, duplicates, __proto__, numbers, U+2028)', async () => {
    const text = '{"b":1,"a":{"port":18789,"auth":{"mode":"token"}},"2":"x","1":"y","a":[1,2.5e3,-0,null,true],"__proto__":{"x":1},"s":"\u2028é"}';
    const fast = await parseJson5(text);
    const slow = JSON5.parse(text) as unknown;
    expect(fast).toEqual(slow);
    expect(Object.keys(fast as object)).toEqual(Object.keys(slow as object));
    expect(Object.hasOwn(fast as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
  });

  test('JSON5 (comments, unquoted keys, trailing commas, single quotes) still parses', async () => {
    expect(await parseJson5("// OpenClaw config\n{ gateway: { port: 18790, bind: 'loopback', }, }")).toEqual({ gateway: { port: 18790, bind: 'loopback' } });
  });

  test('text that is neither fails with the JSON5 error and its position', async () => {
    await expect(parseJson5('{ gateway: { port: 18790 ')).rejects.toMatchObject({ lineNumber: 1 });
  });
});

describe('readListeners (a /proc/net/tcp table, read as far as its listeners)', () => {
  const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  const row = (i: number, port: number, state: string, inode: number) =>
    `${String(i).padStart(4)}: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
  const table = (rows: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-tcp-'));
    const file = path.join(dir, 'tcp');
    fs.writeFileSync(file, [HEADER, ...rows, ''].join('\n'));
    return file;
  };

  test('finds every listener before the first connection, and stops there', async () => {
    const file = table([row(0, 18789, '0A', 111), row(1, 22, '0A', 222), row(2, 18789, '01', 333), row(3, 40000, '0A', 444)]);
    const l = await readListeners([file, path.join(path.dirname(file), 'tcp6-missing')]);
    expect([...l.keys()].sort((a, b) => a - b)).toEqual([22, 18789]);
    expect([...l.get(18789)!]).toEqual(['111']); // the connection's inode is not a listener's
    expect(l.has(40000)).toBe(false); // past the listeners: never read (the kernel lists none there)
  });

  test('listeners spanning many reads are all found (lines cut between reads are joined)', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => row(i, 1000 + i, '0A', 5000 + i));
    const l = await readListeners([table([...rows, row(2000, 9, '06', 1)])]);
    expect(l.size).toBe(2000);
    expect([...l.get(2999)!]).toEqual(['6999']);
  });

  test('a table that is only listeners, without a final newline, is read to its end', async () => {
    const file = table([row(0, 1234, '0A', 7)]);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').trimEnd());
    expect([...(await readListeners([file])).keys()]).toEqual([1234]);
  });
});
