/**
 * Evidence that shows the facts: a gateway audit line (`security audit: device access upgrade
 * requested …`) is the proof of a scope upgrade, and its tail — what was asked for, by which client,
 * on which connection — is what a user needs. Through the built CLI: the human line keeps reason,
 * scopesFrom, scopesTo, client and conn whole (the 64-hex device id is shortened instead of the line
 * being cut at 240 characters), and --json gives them as fields.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import crypto from 'node:crypto';
import { runCli } from './helpers/cli.js';
import { makeStateDir, type Fixture } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const READ = 'operator.read';
const TO = ['operator.read', 'operator.write', 'operator.approvals', 'operator.pairing', 'operator.talk'];

interface Doc {
  findings: { id: string; evidence: { text: string; audit?: Record<string, unknown> }[] }[];
}

describe.each(['json', 'console'] as const)('an audit line in a %s log', (format) => {
  test('is shown whole in human output and as fields in --json; the device id is shortened, not the facts', async () => {
    const f = await makeStateDir({ devices: [{ scopes: [READ] }] });
    fixtures.push(f);
    const conn = crypto.randomUUID();
    f.appendLog([
      L.listening({ port: f.port, time: Date.now() - 60_000, format }),
      L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: TO, client: 'openclaw-control-ui', conn, time: Date.now() - 30_000, format }),
    ]);
    const human = await runCli(['diagnose'], { fixture: f });
    expect(human.code).toBe(1);
    const line = human.stdout.split('\n').find((l) => l.includes('security audit:'));
    expect(line).toBeDefined();
    // the raw line is ~380 characters; every fact survives, in order, and nothing is cut
    expect(line).toContain('reason=scope-upgrade');
    expect(line).toContain(`device=${f.deviceId.slice(0, 8)}…${f.deviceId.slice(-4)} `);
    expect(line).toContain('scopesFrom=operator.read ');
    expect(line).toContain(`scopesTo=${L.formatAuditList(TO)} `);
    expect(line).toContain('client=openclaw-control-ui ');
    expect(line).toContain(`conn=${conn}`);
    expect(line).not.toMatch(/…\s+\(/); // no "…" where the excerpt used to be cut

    const json = await runCli(['diagnose', '--json'], { fixture: f });
    const doc = JSON.parse(json.stdout) as Doc;
    const ev = doc.findings.find((x) => x.id === 'scope-upgrade')!.evidence.find((e) => e.audit);
    expect(ev?.audit).toEqual({
      reason: 'scope-upgrade',
      deviceId: f.deviceId,
      scopesFrom: [READ],
      scopesTo: [...TO].sort(),
      client: 'openclaw-control-ui',
      conn,
      ip: 'unknown-ip',
      auth: 'token',
      roleFrom: 'operator',
      roleTo: 'operator',
    });
    expect(ev!.text).toContain(`conn=${conn}`);
  });
});
