/**
 * pending.json is read by its members (each request parsed on its own, never the whole file as one
 * tree): what that read gives must be what JSON.parse of the whole text gives, record for record and
 * in Object.entries order, an invalid file must fail as it does read whole, and a patch planned from
 * it must be the very patch planned from the whole value.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectFormat, parseJsonText } from '../../src/openclaw/json-format.js';
import { objectEntries, readJsonStore, readRawJson, recordCount, recordValue, type JsonInputs, type RawJsonFile } from '../../src/openclaw/json-store.js';
import { planJsonPatch } from '../../src/plan/json-scope.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfx-members-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const p = path.join(dir, `f${n++}.json`);
  fs.writeFileSync(p, text, { mode: 0o600 });
  return p;
}

const DEV = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const req = (id: string, deviceId: string, scopes: unknown, extra: Record<string, unknown> = {}) => ({ requestId: id, deviceId, role: 'operator', roles: ['operator'], scopes, ts: 1_771_000_000_000, ...extra });

const texts: Record<string, string> = {
  'OpenClaw’s own (2-space, no trailing newline)': JSON.stringify({ r1: req('r1', DEV, ['operator.read']), r2: req('r2', OTHER, ['operator.write']) }, null, 2),
  'a repeated key: the last value, at the first place': '{"r1": {"deviceId": "x", "scopes": []}, "r2": {"deviceId": "y"}, "r1": {"deviceId": "z", "scopes": ["operator.read"]}}',
  'array-index keys come first, in numeric order': '{"b": 1, "10": {"deviceId": "p"}, "a": 2, "2": {"deviceId": "q"}, "4294967295": 3, "01": 4}',
  'escaped keys and values, __proto__, nesting and odd spacing': '\t{ "r\\u0031" :{"deviceId":"\\u0061' + 'a'.repeat(63) + '","scopes":["operator.read"],"n":{"x":[1,{"y":null}]}} ,\r\n"__proto__" : {"deviceId":"w"},"r\\"3": true }\n',
  'a byte-order mark': '\uFEFF{"r1": {"deviceId": "x"}}',
  'an empty object': '{ }',
};

describe('reading an object file by its members', () => {
  for (const [what, text] of Object.entries(texts)) {
    test(`gives what JSON.parse gives: ${what}`, async () => {
      const f = await readRawJson(file(text), { members: true });
      expect(f.error).toBeUndefined();
      expect(f.value).toBeUndefined(); // never built as one tree
      const whole = parseJsonText(text) as Record<string, unknown>;
      expect([...objectEntries(f)!]).toEqual(Object.entries(whole));
      expect(recordCount(f)).toBe(Object.keys(whole).length);
      for (const k of Object.keys(whole)) expect(recordValue(f, k)).toEqual(whole[k]);
      expect(f.format).toEqual(detectFormat(text));
    });
  }

  test('the snapshot’s pending requests are those of the whole value', async () => {
    const stateDir = fs.mkdtempSync(path.join(dir, 'state-'));
    fs.mkdirSync(path.join(stateDir, 'devices'));
    const text = texts['a repeated key: the last value, at the first place']!.replace('{"r1"', '{"9": {"deviceId": "n", "requestId": "other"}, "r1"');
    fs.writeFileSync(path.join(stateDir, 'devices', 'pending.json'), text);
    fs.writeFileSync(path.join(stateDir, 'devices', 'paired.json'), '{}');
    const { snapshot } = await readJsonStore(stateDir);
    expect(snapshot.pending.map((p) => [p.requestId, p.deviceId, p.scopes])).toEqual([
      ['other', 'n', []],
      ['r1', 'z', ['operator.read']],
      ['r2', 'y', []],
    ]);
  });

  const invalid = ['{"r1": {"deviceId": "x",}}', '{"r1": {"deviceId": "x"}', '{"r1": {"deviceId": "x"}} {}', '{"r1": [1, 2}', '{"r1": 01}', '{"r1" {"x": 1}}', '{"r1": "a\tb"}', '', '[{"deviceId": "x"}]'];
  test.each(invalid)('fails as reading it whole does: %j', async (text) => {
    const p = file(text);
    const byMembers = await readRawJson(p, { members: true });
    const whole = await readRawJson(p);
    expect({ error: byMembers.error, value: byMembers.value, records: byMembers.records }).toEqual({ error: whole.error, value: whole.value, records: undefined });
  });
});

describe('a patch planned from a file read by its members', () => {
  const paired = { [DEV]: { deviceId: DEV, role: 'operator', roles: ['operator'], scopes: ['operator.read'], approvedScopes: ['operator.read'], tokens: { operator: { token: 'sekrit-abcdefghijklmnop', role: 'operator', scopes: ['operator.read'] } } } };
  const pending =
    '{\n  "r1": ' +
    JSON.stringify(req('r1', DEV, ['operator.read', 'operator.write'])) +
    ',\n  "o1":   {"requestId":"o1","deviceId":"' +
    OTHER +
    '","scopes":["operator.write"]},\n  "r2": ' +
    JSON.stringify(req('r2', DEV, ['operator.admin'])) +
    ',\n  "r3": ' +
    JSON.stringify(req('r3', '\\u0061' + 'a'.repeat(63), ['operator.read']), null, 4).replace('"\\\\u0061', '"\\u0061') +
    ',\n  "o2": {"deviceId": "' +
    OTHER +
    '"}\n}';

  async function inputs(members: boolean): Promise<JsonInputs> {
    const raw = (p: string, text: string): RawJsonFile => ({ path: p, exists: true, text, value: parseJsonText(text), format: detectFormat(text), mode: 0o600 });
    const pairedText = JSON.stringify(paired, null, 2);
    const pendingFile = members ? { ...(await readRawJson(file(pending), { members: true })), path: '/s/devices/pending.json' } : raw('/s/devices/pending.json', pending);
    return { paired: raw('/s/devices/paired.json', pairedText), pending: pendingFile, deviceAuth: { path: '/s/identity/device-auth.json', exists: false } };
  }

  test('is the patch planned from the whole value: the satisfied requests cut out, every other byte the file’s own', async () => {
    const lazy = await inputs(true);
    expect(lazy.pending.records).toBeDefined();
    const a = planJsonPatch(lazy, DEV, ['operator.write']);
    const b = planJsonPatch(await inputs(false), DEV, ['operator.write']);
    expect(a).toEqual(b);
    // r3's device id is spelled with an escape: it is the device's all the same
    expect(a.removedRequests).toEqual(['r1', 'r3']);
    const after = a.files.find((x) => x.path.endsWith('pending.json'))!.after;
    const span = (k: string) => {
      const start = pending.indexOf(`"${k}":`);
      const next = ['r1', 'o1', 'r2', 'r3', 'o2'].map((x) => pending.indexOf(`,\n  "${x}":`, start + 1)).filter((i) => i > start);
      return pending.slice(start, next.length ? Math.min(...next) : pending.lastIndexOf('\n}'));
    };
    expect(after).toBe(`{\n  ${['o1', 'r2', 'o2'].map(span).join(',\n  ')}\n}`);
  });
});
