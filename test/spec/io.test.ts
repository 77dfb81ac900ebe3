/**
 * Small I/O seams, in-process: a step's writes at once (eachAtOnce) and the config parser's JSON fast
 * path (parseJson5), which must mean exactly what JSON5 means.
 */
import { describe, expect, test } from '@jest/globals';
import JSON5 from 'json5';
import { eachAtOnce } from '../../src/apply/fs.js';
import { parseJson5 } from '../../src/openclaw/config.js';

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
