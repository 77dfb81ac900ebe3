import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLogLine, scanLogs, defaultLogFiles, RELEVANT_MARKERS } from '../src/openclaw/logs.js';
import type { LogEvent } from '../src/types.js';

// ---------------------------------------------------------------------------------------------------
// Fixtures: real lines, copied verbatim from reference/openclaw-source-facts.md §5.2 and §5.3.
// The reference trimmed parts of some lines with `{…}` / `{…,` (so those lines are not valid JSON as
// printed); `unelide` restores valid JSON by replacing exactly those two patterns.

/** §5.2: 2026.2.21 (five lines), then 2026.9.6 (two lines). */
const JSON_FIXTURES = [
  String.raw`{"0":"{\"subsystem\":\"gateway\"}","1":"device pairing auto-approved device=9a75dc84cd218a31d4a80dbb47a5ab27745fd80bfc462c83191f3a758faf1a96 role=operator","_meta":{"runtime":"node","runtimeVersion":"22.23.3","hostname":"unknown","name":"{\"subsystem\":\"gateway\"}","parentNames":["openclaw"],"date":"2026-11-24T14:30:34.407Z","logLevelId":3,"logLevelName":"INFO","path":{…}},"time":"2026-11-24T14:30:34.407Z"}`,
  String.raw`{"0":"{\"subsystem\":\"gateway\"}","1":"security audit: device access upgrade requested reason=scope-upgrade device=9a75dc84cd218a31d4a80dbb47a5ab27745fd80bfc462c83191f3a758faf1a96 ip=unknown-ip auth=token roleFrom=operator roleTo=operator scopesFrom=operator.admin,operator.approvals,operator.pairing scopesTo=operator.write client=gateway-client conn=bef7572b-b236-4b21-ae37-9c1a25f0b34a","_meta":{"runtime":"node","runtimeVersion":"22.23.3","hostname":"unknown","name":"{\"subsystem\":\"gateway\"}","parentNames":["openclaw"],"date":"2026-11-24T14:30:42.552Z","logLevelId":4,"logLevelName":"WARN","path":{…}},"time":"2026-11-24T14:30:42.552Z"}`,
  String.raw`{"0":"gateway connect failed: Error: pairing required","_meta":{"runtime":"node","runtimeVersion":"22.23.3","hostname":"unknown","name":"openclaw","date":"2026-11-24T14:30:42.558Z","logLevelId":5,"logLevelName":"ERROR","path":{…}},"time":"2026-11-24T14:30:42.559Z"}`,
  String.raw`{"0":"{\"subsystem\":\"gateway/ws\"}","1":{"cause":"pairing-required","handshake":"failed","durationMs":18,"lastFrameType":"req","lastFrameMethod":"connect","lastFrameId":"f27a8535-d2fb-4aab-8caf-cc0981a0eae3","host":"127.0.0.1:19621","deviceId":"9a75dc84cd218a31d4a80dbb47a5ab27745fd80bfc462c83191f3a758faf1a96","requestId":"5c585a35-f0d1-4ea8-a939-78f74e0b2e32","reason":"scope-upgrade"},"2":"closed before connect conn=bef7572b-b236-4b21-ae37-9c1a25f0b34a remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:19621 ua=n/a code=1008 reason=connect failed","_meta":{…,"name":"{\"subsystem\":\"gateway/ws\"}","logLevelName":"WARN"},"time":"2026-11-24T14:30:42.563Z"}`,
  String.raw`{"0":"{\"subsystem\":\"gateway/ws\"}","1":{"cause":"unauthorized","handshake":"failed","durationMs":63,"lastFrameType":"req","lastFrameMethod":"connect","lastFrameId":"08c29501-…","host":"127.0.0.1:19621","authMode":"token","authProvided":"token","authReason":"device_token_mismatch","allowTailscale":false,"client":"gateway-client","mode":"backend","version":"dev"},"2":"closed before connect conn=8ccd6416-5aab-4128-8719-261b64efa28d remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:19621 ua=n/a code=1008 reason=unauthorized: device token mismatch (rotate/reissue device token)","_meta":{…,"logLevelName":"WARN"},"time":"2026-11-24T14:40:53.985Z"}`,
  String.raw`{"0":"{\"subsystem\":\"gateway\"}","1":"security audit: device access upgrade requested reason=scope-upgrade device=4c3ed6e571d20415985d4d86d84936d60d208d1b057e85b9697a4aa543d8ffef ip=unknown-ip auth=token roleFrom=operator roleTo=operator scopesFrom=operator.read scopesTo=operator.admin,operator.read,operator.write client=cli conn=3a9dcfbf-3c8f-47f5-af43-05137153bb65","_meta":{"runtime":"node","runtimeVersion":"24.21.0","hostname":"vm","date":"2026-11-24T14:35:59.392Z","logLevelId":4,"logLevelName":"WARN","name":"{\"subsystem\":\"gateway\"}","parentNames":["openclaw"]},"time":"2026-11-24T14:35:59.392+00:00","hostname":"vm","message":"security audit: device access upgrade requested reason=scope-upgrade device=4c3e… client=cli conn=3a9dcfbf-…","traceId":"50a972f26db53f8162a671d7849a6027","spanId":"1058d29c84410484","traceFlags":"01"}`,
  String.raw`{"0":"{\"subsystem\":\"gateway/ws\"}","1":{"cause":"pairing-required","durationMs":1533,"handshake":"failed","phase":"auth_validated","lastFrameType":"req","lastFrameMethod":"connect","lastFrameId":"1:6151e700-…","host":"127.0.0.1:19696","remoteAddr":"127.0.0.1","remotePort":53456,"localAddr":"127.0.0.1","localPort":19696,"endpoint":"127.0.0.1:53456->127.0.0.1:19696","deviceId":"4c3ed6e5…ffef","requestId":"84ee924a-473b-4d98-8ff9-c93ffc2c7fb9","reason":"scope-upgrade"},"2":"closed before connect conn=3a9dcfbf-… peer=127.0.0.1:53456->127.0.0.1:19696 remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:19696 ua=n/a code=1008 reason=pairing required: device is asking for more scopes than currently approved (requestId: 84ee924a-473b-4d98-8ff9-c93ffc2c7 phase=auth_validated","_meta":{…},"time":"2026-11-24T14:35:59.522+00:00","hostname":"vm","message":"closed before connect …"}`,
];

/** §5.3: 2026.2.21 console lines. */
const CONSOLE_FIXTURES = [
  String.raw`2026-11-24T14:30:42.552Z [gateway] security audit: device access upgrade requested reason=scope-upgrade device=9a75…1a96 ip=unknown-ip auth=token roleFrom=operator roleTo=operator scopesFrom=operator.admin,operator.approvals,operator.pairing scopesTo=operator.write client=gateway-client conn=bef7572b-…`,
  String.raw`2026-11-24T14:30:42.563Z [ws] closed before connect conn=bef7572b-… remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:19621 ua=n/a code=1008 reason=connect failed`,
  String.raw`2026-11-24T14:40:53.959Z [ws] unauthorized conn=8ccd6416-… remote=127.0.0.1 client=gateway-client backend vdev reason=device_token_mismatch`,
  String.raw`2026-11-24T14:30:34.408Z [gateway] device pairing auto-approved device=9a75…1a96 role=operator`,
];

const unelide = (l: string) => l.replaceAll('{…}', '{}').replaceAll('{…,', '{');
const J = JSON_FIXTURES.map(unelide);
const DEV_221 = '9a75dc84cd218a31d4a80dbb47a5ab27745fd80bfc462c83191f3a758faf1a96';
const F = '/tmp/openclaw/openclaw-2026-11-24.log';
const iso = (s: string) => Date.parse(s);

function must(ev: LogEvent | undefined): LogEvent {
  expect(ev).toBeDefined();
  return ev as LogEvent;
}

describe('parseLogLine: JSON file lines (tslog)', () => {
  test('2026.2.21 subsystem lines: text in "1", subsystem from _meta.name, level, time', () => {
    const a = must(parseLogLine(J[0] as string, F));
    expect(a).toEqual({
      timeMs: iso('2026-11-24T14:30:34.407Z'),
      text: `device pairing auto-approved device=${DEV_221} role=operator`,
      level: 'INFO',
      subsystem: 'gateway',
      file: F,
      format: 'json',
    });
    const b = must(parseLogLine(J[1] as string, F));
    expect(b.text).toMatch(/^security audit: device access upgrade requested reason=scope-upgrade device=9a75dc84/);
    expect(b.text).toContain('scopesTo=operator.write client=gateway-client conn=bef7572b-b236-4b21-ae37-9c1a25f0b34a');
    expect(b.level).toBe('WARN');
    expect(b.timeMs).toBe(iso('2026-11-24T14:30:42.552Z'));
    expect(b.meta).toBeUndefined();
  });

  test('non-subsystem logger: text in "0", no subsystem, `time` wins over _meta.date', () => {
    const e = must(parseLogLine(J[2] as string, F));
    expect(e.text).toBe('gateway connect failed: Error: pairing required');
    expect(e.subsystem).toBeUndefined();
    expect(e.level).toBe('ERROR');
    expect(e.timeMs).toBe(iso('2026-11-24T14:30:42.559Z'));
  });

  test('closed before connect: meta object in "1", text in "2", deviceId/requestId from meta', () => {
    const e = must(parseLogLine(J[3] as string, F));
    expect(e.text).toMatch(/^closed before connect conn=bef7572b-b236-4b21-ae37-9c1a25f0b34a .* code=1008 reason=connect failed$/);
    expect(e.meta).toMatchObject({
      cause: 'pairing-required',
      deviceId: DEV_221,
      requestId: '5c585a35-f0d1-4ea8-a939-78f74e0b2e32',
      reason: 'scope-upgrade',
    });
    expect(e.subsystem).toBe('gateway/ws');
    expect(e.level).toBe('WARN');
    expect(e.timeMs).toBe(iso('2026-11-24T14:30:42.563Z'));

    const u = must(parseLogLine(J[4] as string, F));
    expect(u.text).toContain('reason=unauthorized: device token mismatch (rotate/reissue device token)');
    expect(u.meta).toMatchObject({ cause: 'unauthorized', authReason: 'device_token_mismatch' });
    // This line's _meta was elided down to the level: the subsystem comes from the "0" bindings.
    expect(u.subsystem).toBe('gateway/ws');
  });

  test('2026.9.6 lines: top-level `message` is the text, +00:00 offsets, meta requestId', () => {
    const a = must(parseLogLine(J[5] as string, F));
    expect(a.text).toBe(JSON.parse(J[5] as string).message);
    expect(a.text).toMatch(/^security audit: device access upgrade requested reason=scope-upgrade/);
    expect(a.timeMs).toBe(iso('2026-11-24T14:35:59.392Z'));
    expect(a.subsystem).toBe('gateway');
    expect(a.level).toBe('WARN');
    const b = must(parseLogLine(J[6] as string, F));
    expect(b.text).toBe('closed before connect …');
    expect(b.meta).toMatchObject({ cause: 'pairing-required', requestId: '84ee924a-473b-4d98-8ff9-c93ffc2c7fb9', reason: 'scope-upgrade' });
    expect(b.timeMs).toBe(iso('2026-11-24T14:35:59.522Z'));
    expect(b.subsystem).toBe('gateway/ws');
  });

  test('the elided lines as printed in the reference are not JSON: undefined, no throw', () => {
    for (const l of JSON_FIXTURES.filter((x) => x.includes('{…'))) expect(parseLogLine(l, F)).toBeUndefined();
  });

  test('falls back to _meta.date without `time`; JSON without time or text is ignored', () => {
    const e = must(parseLogLine('{"0":"log file: /tmp/openclaw/x.log","_meta":{"date":"2026-11-24T10:00:00.000Z"}}', F));
    expect(e.timeMs).toBe(iso('2026-11-24T10:00:00.000Z'));
    expect(parseLogLine('{"0":"unauthorized"}', F)).toBeUndefined();
    expect(parseLogLine('{"0":"{\\"subsystem\\":\\"gateway\\"}","time":"2026-11-24T10:00:00Z"}', F)).toBeUndefined();
    expect(parseLogLine('{"time":"2026-11-24T10:00:00Z"}', F)).toBeUndefined();
  });
});

describe('parseLogLine: console / journald lines', () => {
  test('2026.2.21 console lines from the reference', () => {
    const [audit, closed, unauth, approved] = CONSOLE_FIXTURES.map((l) => must(parseLogLine(l, F)));
    expect(audit).toMatchObject({ subsystem: 'gateway', format: 'console', timeMs: iso('2026-11-24T14:30:42.552Z') });
    expect(audit?.text).toMatch(/^security audit: device access upgrade requested reason=scope-upgrade device=9a75…1a96 /);
    expect(closed).toMatchObject({ subsystem: 'ws', timeMs: iso('2026-11-24T14:30:42.563Z') });
    expect(closed?.text).toMatch(/^closed before connect conn=bef7572b-… .*reason=connect failed$/);
    expect(unauth?.text).toMatch(/^unauthorized conn=8ccd6416-… .*reason=device_token_mismatch$/);
    expect(approved?.text).toBe('device pairing auto-approved device=9a75…1a96 role=operator');
    expect(audit?.meta).toBeUndefined();
    expect(audit?.level).toBeUndefined();
  });

  test('9.x console: local offset and a key=value tail kept as is', () => {
    const l =
      '2026-11-24T15:35:59.522+01:00 [ws] closed before connect conn=3a9dcfbf code=1008 reason=pairing required: device is asking for more scopes than currently approved (requestId: 84ee924a phase=auth_validated cause=pairing-required deviceId=4c3e requestId=84ee924a-473b-4d98-8ff9-c93ffc2c7fb9 reason=scope-upgrade';
    const e = must(parseLogLine(l, F));
    expect(e.timeMs).toBe(iso('2026-11-24T14:35:59.522Z'));
    expect(e.text).toBe(l.slice(l.indexOf('] ') + 2));
  });

  test('ANSI colours are stripped; journald prefixes (short and short-iso) are removed', () => {
    const ansi = '\x1b[90m2026-11-24T14:30:42.552Z\x1b[39m \x1b[36m[gateway]\x1b[39m \x1b[33msecurity audit: x\x1b[39m';
    expect(parseLogLine(ansi, F)).toMatchObject({ text: 'security audit: x', subsystem: 'gateway', timeMs: iso('2026-11-24T14:30:42.552Z') });
    const j = `Nov 24 14:30:42 vm node[1234]: ${CONSOLE_FIXTURES[3]}`;
    expect(parseLogLine(j, F)).toMatchObject({ text: 'device pairing auto-approved device=9a75…1a96 role=operator', subsystem: 'gateway' });
    const jIso = `2026-11-24T14:30:42+0000 vm openclaw-gateway[77]: ${ansi}`;
    expect(parseLogLine(jIso, F)).toMatchObject({ text: 'security audit: x', timeMs: iso('2026-11-24T14:30:42.552Z') });
    const jSpace = 'Nov  4 09:00:00 host node[1]: 2026-11-04T09:00:00.000Z [reload] config change requires gateway restart (gateway.auth.mode, gateway.auth.token)';
    expect(parseLogLine(jSpace, F)).toMatchObject({ subsystem: 'reload', text: 'config change requires gateway restart (gateway.auth.mode, gateway.auth.token)' });
  });

  test('CRLF endings and surrounding blanks are trimmed', () => {
    expect(parseLogLine(`${CONSOLE_FIXTURES[3]}\r`, F)?.text).toBe('device pairing auto-approved device=9a75…1a96 role=operator');
    expect(parseLogLine(`${J[0]}\r\n`, F)?.subsystem).toBe('gateway');
  });

  test('garbage, huge lines and replacement characters never throw', () => {
    const junk = [
      '',
      '   ',
      'hello world',
      '{',
      '[1,2,3]',
      'null',
      '{"0":5,"time":"x"}',
      '[gateway] security audit: no timestamp',
      '2026-13-45T99:99:99Z [gateway] bad date',
      Buffer.from([0xff, 0xfe, 0x80, 0x41, 0x0a, 0xc3]).toString('utf8'),
      '\uFFFD\uFFFD{"0":"unauthorized"}',
      '{"0":"' + 'x'.repeat(2 * 1024 * 1024) + '","time":"2026-11-24T10:00:00Z"}',
      'Nov 24 14:30:42 vm node[1]: not a console line',
    ];
    for (const l of junk) expect(parseLogLine(l, F)).toBeUndefined();
    expect(() => parseLogLine(undefined as unknown as string, F)).not.toThrow();
    const withRepl = `2026-11-24T14:30:42.552Z [ws] unauthorized conn=\uFFFD\uFFFD reason=x`;
    expect(parseLogLine(withRepl, F)?.text).toBe('unauthorized conn=\uFFFD\uFFFD reason=x');
  });
});

// ---------------------------------------------------------------------------------------------------
// scanLogs

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clawfix-logs-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
let fileNo = 0;
function writeLog(content: string | Buffer, name?: string): string {
  const p = path.join(dir, name ?? `t${++fileNo}.log`);
  writeFileSync(p, content);
  return p;
}

const T0 = Date.parse('2026-11-24T12:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
/** A tslog-shaped JSON line (2.x form). */
function jl(ms: number, text: string, sub = 'gateway', meta?: Record<string, unknown>): string {
  const o: Record<string, unknown> = { 0: JSON.stringify({ subsystem: sub }) };
  if (meta) {
    o[1] = meta;
    o[2] = text;
  } else o[1] = text;
  o._meta = { runtime: 'node', name: JSON.stringify({ subsystem: sub }), date: at(ms), logLevelId: 3, logLevelName: 'INFO' };
  o.time = at(ms);
  return JSON.stringify(o);
}
const noise = (ms: number, i: number) => jl(ms, `⇄ res ✓ chat.history ${i % 97}ms conn=c${i} id=r${i}`, 'gateway/ws');

/** Reference result: every line parsed, marker-filtered, windowed, sorted. */
function naive(content: string, file: string, fromMs: number, toMs: number): LogEvent[] {
  return content
    .split('\n')
    .filter((l) => RELEVANT_MARKERS.some((m) => l.includes(m)))
    .map((l) => parseLogLine(l, file))
    .filter((e): e is LogEvent => e !== undefined && e.timeMs >= fromMs && e.timeMs <= toMs)
    .sort((a, b) => a.timeMs - b.timeMs);
}

describe('scanLogs', () => {
  test('reads real fixture lines of both formats; equal results for every chunk size (boundaries)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      lines.push(noise(T0 + i * 1000, i));
      if (i % 37 === 0) lines.push(J[i % J.length] as string);
      if (i % 41 === 0) lines.push(CONSOLE_FIXTURES[i % CONSOLE_FIXTURES.length] as string);
    }
    const content = lines.join('\n'); // no trailing newline
    const f = writeLog(content);
    const fromMs = Date.parse('2026-11-24T00:00:00Z');
    const toMs = Date.parse('2026-11-25T00:00:00Z');
    const expected = naive(content, f, fromMs, toMs);
    expect(expected.length).toBeGreaterThan(10);
    for (const chunkSize of [16, 17, 61, 100, 257, 1024, 4096, undefined]) {
      const r = await scanLogs([f], { fromMs, toMs, ...(chunkSize ? { chunkSize } : {}) });
      expect(r.events).toEqual(expected);
      expect(r.files).toEqual([f]);
      expect(r.truncated).toBe(false);
      expect(r.bytesRead).toBe(Buffer.byteLength(content));
    }
  });

  test('CRLF line endings, a final line without newline, a BOM and blank lines', async () => {
    const content =
      '\uFEFF' +
      [jl(T0, 'device pairing approved device=a role=operator'), '', noise(T0 + 1, 1), CONSOLE_FIXTURES[0], '', jl(T0 + 5000, 'unauthorized conn=x reason=scope_mismatch')].join('\r\n');
    const f = writeLog(content);
    for (const chunkSize of [16, 33, 1 << 16]) {
      const r = await scanLogs([f], { fromMs: 0, toMs: T0 + 86400_000, chunkSize });
      expect(r.events.map((e) => e.text)).toEqual([
        'device pairing approved device=a role=operator',
        'unauthorized conn=x reason=scope_mismatch',
        expect.stringMatching(/^security audit: .*conn=bef7572b-…$/),
      ]);
      for (const e of r.events) expect(e.text.endsWith('\r')).toBe(false);
    }
  });

  test('window: older lines are not returned and reading stops early', async () => {
    // 10 hours, one line every 5 s; a relevant line every 100 lines.
    const lines: string[] = [];
    const n = 7200;
    for (let i = 0; i < n; i++) {
      const ms = T0 + i * 5000;
      lines.push(i % 100 === 50 ? jl(ms, `device pairing approved device=d${i} role=operator`) : noise(ms, i));
    }
    const content = lines.join('\n') + '\n';
    const f = writeLog(content);
    const end = T0 + (n - 1) * 5000;
    const fromMs = end - 3600_000; // the last hour: 10% of the file
    for (const chunkSize of [4096, undefined]) {
      const r = await scanLogs([f], { fromMs, toMs: end, ...(chunkSize ? { chunkSize } : {}) });
      expect(r.events).toEqual(naive(content, f, fromMs, end));
      expect(r.events.length).toBe(7);
      expect(r.events.every((e) => e.timeMs >= fromMs)).toBe(true);
      expect(r.truncated).toBe(false);
      if (chunkSize) expect(r.bytesRead).toBeLessThan(content.length / 5);
    }
  });

  test('window stop rule tolerates a little disorder', async () => {
    const from = T0;
    const lines = [
      ...Array.from({ length: 20 }, (_, i) => noise(from - 3600_000 + i, i)),
      jl(from + 60_000, 'device pairing approved device=R1 role=operator'),
      ...Array.from({ length: 50 }, (_, i) => noise(from - 60_000 + i, i)), // old, but < 200 and within 10 min
      jl(from + 120_000, 'device pairing approved device=R2 role=operator'),
      ...Array.from({ length: 20 }, (_, i) => noise(from + 130_000 + i, i)),
    ];
    const f = writeLog(lines.join('\n') + '\n');
    for (const chunkSize of [64, 1000, undefined]) {
      const r = await scanLogs([f], { fromMs: from, toMs: from + 3600_000, ...(chunkSize ? { chunkSize } : {}) });
      expect(r.events.map((e) => e.text)).toEqual(['device pairing approved device=R1 role=operator', 'device pairing approved device=R2 role=operator']);
    }
  });

  test('window stop rule: 200 consecutive old lines, or one line older than the window by 10 min', async () => {
    const from = T0;
    const r0 = jl(from + 60_000, 'device pairing approved device=R0 role=operator'); // out of order, before the stop
    const r1 = jl(from + 120_000, 'device pairing approved device=R1 role=operator');
    const tail = Array.from({ length: 20 }, (_, i) => noise(from + 130_000 + i, i));
    const head = Array.from({ length: 5 }, (_, i) => noise(from - 7200_000 + i, i));
    const manyOld = writeLog([...head, r0, ...Array.from({ length: 250 }, (_, i) => noise(from - 60_000 + i, i)), r1, ...tail].join('\n'));
    const oneVeryOld = writeLog([...head, r0, noise(from - 11 * 60_000, 0), r1, ...tail].join('\n'));
    for (const f of [manyOld, oneVeryOld]) {
      for (const chunkSize of [64, 1000, undefined]) {
        const r = await scanLogs([f], { fromMs: from, toMs: from + 3600_000, ...(chunkSize ? { chunkSize } : {}) });
        expect(r.events.map((e) => e.text)).toEqual(['device pairing approved device=R1 role=operator']);
        expect(r.truncated).toBe(false);
        if (chunkSize === 64) expect(r.bytesRead).toBeLessThan(statSync(f).size);
      }
    }
  });

  test('toMs drops newer events; maxBytesPerFile sets truncated', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? jl(T0 + i * 1000, `unauthorized conn=c${i}`) : noise(T0 + i * 1000, i)));
    const content = lines.join('\n') + '\n';
    const f = writeLog(content);
    const r = await scanLogs([f], { fromMs: 0, toMs: T0 + 500_000 });
    expect(r.events).toEqual(naive(content, f, 0, T0 + 500_000));
    expect(r.events.at(-1)?.timeMs).toBe(T0 + 500_000); // toMs is inclusive
    expect(r.toMs).toBe(T0 + 500_000);

    const budget = Math.floor(content.length / 10);
    const t = await scanLogs([f], { fromMs: 0, toMs: T0 + 2000_000, maxBytesPerFile: budget, chunkSize: 1000 });
    expect(t.truncated).toBe(true);
    expect(t.bytesRead).toBe(budget);
    expect(t.events.length).toBeGreaterThan(5);
    expect(t.events.length).toBeLessThan(12);
    expect(t.events.at(-1)?.text).toBe('unauthorized conn=c990');
  });

  test('maxEvents keeps the newest, oldest first', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => jl(T0 + i * 1000, `unauthorized conn=c${i}`));
    const f = writeLog(lines.join('\n'));
    for (const chunkSize of [100, undefined]) {
      const r = await scanLogs([f], { fromMs: 0, toMs: T0 + 1e9, maxEvents: 10, ...(chunkSize ? { chunkSize } : {}) });
      expect(r.events.map((e) => e.text)).toEqual(Array.from({ length: 10 }, (_, i) => `unauthorized conn=c${190 + i}`));
    }
  });

  test('garbage and non-UTF-8 bytes are ignored; a valid line with bad bytes keeps replacement chars', async () => {
    const good = jl(T0, 'device pairing approved device=ok role=operator');
    const bad = Buffer.concat([
      Buffer.from('{"0":"{\\"subsystem\\":\\"gateway/ws\\"}","1":"unauthorized conn='),
      Buffer.from([0xff, 0xc3, 0x28]),
      Buffer.from(` reason=x","time":"${at(T0 + 1000)}"}`),
    ]);
    const content = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x0a]),
      Buffer.from('unauthorized but no timestamp\n{"broken json unauthorized\n\x00\x00\x00security audit\x00\n'),
      Buffer.from(good + '\n'),
      Buffer.from([0xc3, 0x0a, 0xe2, 0x82]),
      Buffer.from(' [gateway] unauthorized garbage\n'),
      bad,
      Buffer.from('\n\xff\xff\n'),
    ]);
    const f = writeLog(content);
    for (const chunkSize of [16, 50, undefined]) {
      const r = await scanLogs([f], { fromMs: 0, toMs: T0 + 1e6, ...(chunkSize ? { chunkSize } : {}) });
      expect(r.events.map((e) => e.text)).toEqual(['device pairing approved device=ok role=operator', 'unauthorized conn=\uFFFD\uFFFD( reason=x']);
    }
  });

  test('lines longer than maxLineBytes are skipped anywhere in the file (start, middle, end)', async () => {
    const long = (ms: number) => jl(ms, 'unauthorized ' + 'y'.repeat(5000));
    const a = jl(T0 + 1000, 'unauthorized conn=A');
    const b = jl(T0 + 3000, 'unauthorized conn=B');
    const f = writeLog([long(T0), a, long(T0 + 2000), b, long(T0 + 4000)].join('\n'));
    for (const chunkSize of [64, 700, 4096, 100_000]) {
      const r = await scanLogs([f], { fromMs: 0, toMs: T0 + 1e6, chunkSize, maxLineBytes: 1000 });
      expect(r.events.map((e) => e.text)).toEqual(['unauthorized conn=A', 'unauthorized conn=B']);
    }
    // Default limit (1 MiB): a 3 MiB line with markers is skipped, its neighbours are read.
    const huge = jl(T0 + 2000, 'unauthorized ' + 'z'.repeat(3 * 1024 * 1024));
    const g = writeLog([huge, a, huge, b, huge].join('\n') + '\n');
    const r = await scanLogs([g], { fromMs: 0, toMs: T0 + 1e6 });
    expect(r.events.map((e) => e.text)).toEqual(['unauthorized conn=A', 'unauthorized conn=B']);
  });

  test('several files are merged oldest first; missing files and directories are skipped', async () => {
    const f1 = writeLog([jl(T0, 'unauthorized conn=1'), jl(T0 + 2000, 'unauthorized conn=3')].join('\n'));
    const f2 = writeLog([CONSOLE_FIXTURES[0], `${at(T0 + 1000)} [ws] unauthorized conn=2`, `${at(T0 + 3000)} [ws] unauthorized conn=4`].join('\n') + '\n');
    const sub = path.join(dir, 'adir');
    mkdirSync(sub, { recursive: true });
    const r = await scanLogs([path.join(dir, 'missing.log'), f1, sub, f2, f1], { fromMs: T0, toMs: T0 + 1e6 });
    expect(r.files).toEqual([f1, f2]);
    expect(r.events.map((e) => [e.text, e.format])).toEqual([
      ['unauthorized conn=1', 'json'],
      ['unauthorized conn=2', 'console'],
      ['unauthorized conn=3', 'json'],
      ['unauthorized conn=4', 'console'],
    ]);
    const empty = await scanLogs([path.join(dir, 'missing.log')], { fromMs: 0 });
    expect(empty).toMatchObject({ files: [], events: [], bytesRead: 0, truncated: false, fromMs: 0 });
  });

  test('randomised files: same events as parsing every line, for random chunk and line limits', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    for (let iter = 0; iter < 40; iter++) {
      const maxLineBytes = 1000 + Math.floor(rnd() * 3000);
      const chunkSize = 16 + Math.floor(rnd() * 3 * maxLineBytes);
      const parts: Buffer[] = [];
      let ms = T0;
      const n = 50 + Math.floor(rnd() * 150);
      for (let i = 0; i < n; i++) {
        ms += Math.floor(rnd() * 5000);
        const k = rnd();
        let line: Buffer;
        if (k < 0.4) line = Buffer.from(noise(ms, i));
        else if (k < 0.55) line = Buffer.from(jl(ms, `unauthorized conn=c${i} reason=scope_mismatch`, 'gateway/ws', { deviceId: `d${i}` }));
        else if (k < 0.65) line = Buffer.from(`${rnd() < 0.5 ? 'Nov 24 12:00:00 vm node[9]: ' : ''}\x1b[90m${at(ms)}\x1b[39m [ws] closed before connect conn=c${i} code=1008`);
        else if (k < 0.72) line = Buffer.from(jl(ms, `security audit: ${'w'.repeat(2 * maxLineBytes + Math.floor(rnd() * 3 * maxLineBytes))}`));
        else if (k < 0.8) line = Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => pick([0xff, 0xc3, 0x80, 0x41, 0x7b, 0x22, 0x20, 0x0d, 0x00])));
        else if (k < 0.85) line = Buffer.alloc(0);
        else line = Buffer.from(jl(ms, `device pairing approved device=é${i} role=operator`));
        parts.push(line, Buffer.from(rnd() < 0.3 ? '\r\n' : '\n'));
      }
      if (rnd() < 0.5) parts.pop(); // no trailing newline
      const content = Buffer.concat(parts);
      const f = writeLog(content);
      const fromMs = rnd() < 0.5 ? 0 : T0 + Math.floor(rnd() * (ms - T0));
      const toMs = ms - Math.floor(rnd() * 10_000);
      // Reference: split on \n bytes, drop over-long lines, decode, marker check, parse, window.
      const expected: LogEvent[] = [];
      let start = 0;
      while (start <= content.length) {
        let end = content.indexOf(10, start);
        if (end === -1) end = content.length;
        let le = end;
        if (le > start && content[le - 1] === 13) le--;
        if (le - start <= maxLineBytes) {
          const text = content.toString('utf8', start, le);
          const ev = RELEVANT_MARKERS.some((m) => text.includes(m)) ? parseLogLine(text, f) : undefined;
          if (ev && ev.timeMs >= fromMs && ev.timeMs <= toMs) expected.push(ev);
        }
        start = end + 1;
      }
      expected.sort((a, b) => a.timeMs - b.timeMs);
      const r = await scanLogs([f], { fromMs, toMs, chunkSize, maxLineBytes });
      expect({ iter, events: r.events }).toEqual({ iter, events: expected });
      if (fromMs === 0) expect(r.bytesRead).toBe(content.length);
    }
  });

  test('custom markers', async () => {
    const f = writeLog([noise(T0, 1), jl(T0 + 1, 'heartbeat: started'), jl(T0 + 2, 'unauthorized x')].join('\n'));
    const r = await scanLogs([f], { fromMs: 0, toMs: T0 + 10, markers: ['heartbeat'] });
    expect(r.events.map((e) => e.text)).toEqual(['heartbeat: started']);
  });

  test('a 50 MB log with the finding near the end: little is read', async () => {
    const p = path.join(dir, 'big.log');
    const end = T0 + 24 * 3600_000;
    const blockLines = Array.from({ length: 3000 }, (_, i) => noise(0, i));
    const blockTemplate = blockLines.join('\n') + '\n';
    const zero = at(0);
    const fd = openSync(p, 'w');
    const blocks = Math.ceil((50 * 1024 * 1024) / Buffer.byteLength(blockTemplate));
    try {
      writeSync(fd, jl(T0, 'unauthorized conn=OLD reason=device_token_mismatch') + '\n');
      for (let b = 0; b < blocks; b++) {
        const ms = T0 + Math.round(((b + 1) / blocks) * (end - T0 - 60_000));
        if (b === blocks - 1) {
          writeSync(fd, J[1] ? jl(end - 120_000, 'security audit: device access upgrade requested reason=scope-upgrade device=x') + '\n' : '');
          writeSync(fd, jl(end - 119_000, 'closed before connect conn=z code=1008', 'gateway/ws', { deviceId: 'x', requestId: 'req-1' }) + '\n');
        }
        writeSync(fd, blockTemplate.replaceAll(zero, at(ms)));
      }
    } finally {
      closeSync(fd);
    }
    const size = statSync(p).size;
    expect(size).toBeGreaterThan(50 * 1000 * 1000);
    const r = await scanLogs([p], { fromMs: end - 30 * 60_000, toMs: end });
    expect(r.events.map((e) => e.text)).toEqual([
      'security audit: device access upgrade requested reason=scope-upgrade device=x',
      'closed before connect conn=z code=1008',
    ]);
    expect(r.events[1]?.meta).toEqual({ deviceId: 'x', requestId: 'req-1' });
    expect(r.truncated).toBe(false);
    expect(r.bytesRead).toBeLessThan(4 * 1024 * 1024);
    // A window covering the whole file: read to the start, the old line is found.
    const all = await scanLogs([p], { fromMs: T0, toMs: end });
    expect(all.bytesRead).toBe(size);
    expect(all.events[0]?.text).toBe('unauthorized conn=OLD reason=device_token_mismatch');
  });
});

describe('defaultLogFiles', () => {
  const now = new Date(2026, 2, 1, 9, 30); // local 2026-03-01: yesterday is 2026-02-28
  test('rolling files for today and yesterday, the uid fallback, and the launchd files', () => {
    expect(defaultLogFiles({ stateDir: '/home/u/.openclaw', now, uid: 1000, tmpdir: '/var/tmp' })).toEqual([
      '/tmp/openclaw/openclaw-2026-03-01.log',
      '/tmp/openclaw/openclaw-2026-03-01.1.log',
      '/tmp/openclaw/openclaw-2026-02-28.log',
      '/var/tmp/openclaw-1000/openclaw-2026-03-01.log',
      '/var/tmp/openclaw-1000/openclaw-2026-03-01.1.log',
      '/var/tmp/openclaw-1000/openclaw-2026-02-28.log',
      '/home/u/.openclaw/logs/gateway.log',
      '/home/u/.openclaw/logs/gateway.err.log',
    ]);
  });
  test('profile names; "default" is no profile', () => {
    const p = defaultLogFiles({ stateDir: '/s', now, profile: 'work' });
    expect(p.slice(0, 3)).toEqual(['/tmp/openclaw/openclaw-work-2026-03-01.log', '/tmp/openclaw/openclaw-work-2026-03-01.1.log', '/tmp/openclaw/openclaw-work-2026-02-28.log']);
    expect(p).toHaveLength(5);
    expect(defaultLogFiles({ stateDir: '/s', now, profile: 'default' })[0]).toBe('/tmp/openclaw/openclaw-2026-03-01.log');
  });
  test('logging.file comes first, and the rolling files are still read (2026.4.21 ignores logging.file)', () => {
    const files = defaultLogFiles({ stateDir: '/s', now, uid: 1, tmpdir: '/var/tmp', configLoggingFile: '/var/log/oc.log' });
    expect(files[0]).toBe('/var/log/oc.log');
    expect(files).toContain('/tmp/openclaw/openclaw-2026-03-01.log');
    expect(files).toContain('/var/tmp/openclaw-1/openclaw-2026-03-01.log');
    expect(files.slice(-2)).toEqual(['/s/logs/gateway.log', '/s/logs/gateway.err.log']);
  });
});

test('console lines of the top-level logger have no [subsystem] tag and still parse', async () => {
  const { parseLogLine } = await import('../src/openclaw/logs.js');
  const ev = parseLogLine('2026-11-24T14:30:42.558Z gateway connect failed: Error: pairing required', '/x.log');
  expect(ev?.text).toBe('gateway connect failed: Error: pairing required');
  expect(ev?.subsystem).toBeUndefined();
  expect(ev?.timeMs).toBe(Date.parse('2026-11-24T14:30:42.558Z'));
});
