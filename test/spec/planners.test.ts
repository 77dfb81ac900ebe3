/**
 * Planners are pure: raw file contents / rows in, a frozen plan out. The re-base is a new plan made by
 * plan/, never a change to the plan that was shown; the container guard refuses before anything runs.
 */
import { describe, expect, test } from '@jest/globals';
import type { JsonInputs, RawJsonFile } from '../../src/openclaw/json-store.js';
import { detectFormat, parseJsonText } from '../../src/openclaw/json-format.js';
import { buildJsonScopePlan, buildRestartPlan, buildRewritePlan, buildSqlitePlan, chooseTarget } from '../../src/plan/build.js';
import { containerRefusal } from '../../src/plan/container-guard.js';
import { planJsonPatch } from '../../src/plan/json-scope.js';
import { rebaseJsonScopePlan } from '../../src/plan/rebase.js';
import { planSqlitePatch } from '../../src/plan/sqlite-scope.js';
import { restarts } from '../../src/plan/types.js';
import { runDetectors } from '../../src/detect/index.js';
import * as L from '../helpers/logs.js';
import { LOCAL_ID, NOW, pending, snap } from '../helpers/snapshot.js';

const READ = 'operator.read';
const WRITE = 'operator.write';
const cmds = { stop: 'openclaw gateway stop', start: 'openclaw gateway start', approve: (id: string) => `openclaw devices approve ${id}` };

function raw(path: string, value: unknown, text = JSON.stringify(value, null, 2)): RawJsonFile {
  return { path, exists: true, text, value: parseJsonText(text), format: detectFormat(text), mode: 0o600 };
}

function inputs(o: { approved?: string[]; lastSeen?: number; bom?: boolean } = {}): JsonInputs {
  const rec = { deviceId: LOCAL_ID, publicKey: 'pk', role: 'operator', roles: ['operator'], scopes: o.approved ?? [READ], approvedScopes: o.approved ?? [READ], tokens: { operator: { token: 'sekrit-abcdefghijklmnop', role: 'operator', scopes: o.approved ?? [READ] } }, ...(o.lastSeen ? { lastSeenAtMs: o.lastSeen } : {}) };
  const paired = { [LOCAL_ID]: rec };
  const text = (o.bom ? '\uFEFF' : '') + JSON.stringify(paired, null, 2);
  return {
    paired: raw('/s/devices/paired.json', paired, text),
    pending: raw('/s/devices/pending.json', { 'req-1': { requestId: 'req-1', deviceId: LOCAL_ID, scopes: [READ, WRITE] } }),
    deviceAuth: raw('/s/identity/device-auth.json', { version: 1, deviceId: LOCAL_ID, tokens: { operator: { token: 'sekrit-abcdefghijklmnop', role: 'operator', scopes: [READ] } } }),
  };
}

function refusedSnapshot() {
  const s = snap({ pending: [pending({ scopes: [READ, WRITE], ts: NOW - 1000 })], lines: [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to: [READ, WRITE], time: NOW - 1000 })] });
  return { s, t: chooseTarget(s, runDetectors(s), { allowAdmin: false })! };
}

describe('the JSON scope patch', () => {
  test('adds exactly the grant to approvedScopes, scopes, the token and the client cache; drops the satisfied request', () => {
    const r = planJsonPatch(inputs(), LOCAL_ID, [WRITE]);
    const after = JSON.parse(r.files.find((f) => f.path.endsWith('paired.json'))!.after)[LOCAL_ID];
    expect(after).toMatchObject({ approvedScopes: [READ, WRITE], scopes: [READ, WRITE], tokens: { operator: { scopes: [READ, WRITE] } } });
    expect(r.removedRequests).toEqual(['req-1']);
    expect(r.files.map((f) => f.path.split('/').pop())).toEqual(['paired.json', 'pending.json', 'device-auth.json']);
  });

  test('keeps the file’s format (indentation; a BOM, which OpenClaw cannot read, is dropped) and refuses a record whose fields it does not understand', () => {
    const after = planJsonPatch(inputs({ bom: true }), LOCAL_ID, [WRITE]).files[0]!.after;
    expect(after.startsWith('\uFEFF')).toBe(false);
    expect(after.split('\n')[1]).toMatch(/^ {2}"/);
    const bad = inputs();
    (bad.paired.value as Record<string, Record<string, unknown>>)[LOCAL_ID]!.scopes = 'operator.read';
    expect(() => planJsonPatch(bad, LOCAL_ID, [WRITE])).toThrow(/scopes of type string, not a list of strings/);
  });
});

describe('plans are values', () => {
  test('a built plan is frozen: changing it throws', () => {
    const { s, t } = refusedSnapshot();
    const plan = buildJsonScopePlan(s, 'id-1', t, inputs(), cmds);
    expect(plan.steps).toEqual(['lock', 'stop', 'guard', 'backup', 'patch', 'start', 'verify']);
    expect(plan.verify).toEqual({ gateway: 'as-found', scopes: { deviceId: LOCAL_ID, grant: [WRITE] }, noNewRefusal: { deviceId: LOCAL_ID, grant: [WRITE] } });
    expect(() => {
      (plan as unknown as { files: unknown[] }).files = [];
    }).toThrow(TypeError);
    expect(() => (plan.scope.grant as string[]).push('operator.admin')).toThrow(TypeError);
  });

  test('re-base: the same files give the same plan; unrelated rewrites a new plan with the same change; a device change is refused', () => {
    const { s, t } = refusedSnapshot();
    const plan = buildJsonScopePlan(s, 'id-1', t, inputs(), cmds);
    expect(rebaseJsonScopePlan(plan, inputs())).toBe(plan);
    const moved = rebaseJsonScopePlan(plan, inputs({ lastSeen: 1_777_777_777_777 }));
    expect(moved).not.toBe(plan);
    expect(moved).toMatchObject({ id: plan.id, kind: plan.kind, scope: plan.scope });
    expect(JSON.parse(moved.files[0]!.after)[LOCAL_ID]).toMatchObject({ approvedScopes: [READ, WRITE], lastSeenAtMs: 1_777_777_777_777 });
    expect(Object.isFrozen(moved)).toBe(true);
    expect(plan.files[0]!.after).not.toContain('lastSeenAtMs'); // the shown plan is untouched
    expect(() => rebaseJsonScopePlan(plan, inputs({ approved: [READ, 'operator.pairing'] }))).toThrow(/someone else edited it/);
  });

  test('SQLite: OpenClaw’s own approval when the pending request grants exactly what is needed, else one transaction', () => {
    const s0 = snap({ version: '2026.9.6', pending: [pending({ scopes: [READ, WRITE], ts: NOW - 1000 })] });
    const t = chooseTarget(s0, runDetectors(s0), { allowAdmin: false })!;
    const rows = { paired: { device_id: LOCAL_ID, scopes_json: '["operator.read"]', approved_scopes_json: '["operator.read"]', roles_json: '["operator"]', tokens_json: '{"operator":{"token":"x","scopes":["operator.read"]}}' }, pending: [] };
    const approve = buildSqlitePlan(s0, 'id-2', t, rows, '/s/state/openclaw.sqlite', { allowAdmin: false }, cmds.approve);
    expect(approve).toMatchObject({ kind: 'sqlite-approve', steps: ['lock', 'backup', 'approve', 'verify'], commands: ['openclaw devices approve req-1'] });
    const tx = buildSqlitePlan(s0, 'id-3', t, rows, '/s/state/openclaw.sqlite', { allowAdmin: false, scopes: [WRITE] }, cmds.approve);
    expect(tx.kind).toBe('sqlite-scope-upgrade');
    expect(planSqlitePatch(rows, [WRITE])[0]!.after).toMatchObject({ approved_scopes_json: '["operator.read","operator.write"]' });
  });
});

describe('the container guard', () => {
  test('a plan that restarts a containerized gateway is refused with the runtime’s steps; one that does not is not', () => {
    const s = snap({ patch: { gateway: { port: 18789, running: true, probe: 'healthz', container: { relation: 'outside', runtime: 'podman', name: 'openclaw-gw', via: 'cgroup', pid: 7 } } } });
    const restart = buildRestartPlan(s, 'id-4', { kind: 'restart', requested: [], approved: [], grant: [], withheld: [] }, cmds);
    expect(restarts(restart)).toBe(true);
    const e = containerRefusal(s, 'restart', restarts(restart));
    expect(e?.message).toMatch(/runs in a podman container \(openclaw-gw, pid 7 on this host\)/);
    expect(e?.hint).toBe('`podman restart -t 30 openclaw-gw` does the restart the container\'s way');
    expect(containerRefusal(s, 'repair', false)).toBeUndefined();
  });
});

describe('the spawn in one repair (issue 10)', () => {
  const spawn = () => {
    const s = snap({ version: '2026.2.21', lines: [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to: ['operator.admin'], client: 'gateway-client', time: NOW - 1000 })] });
    return { s, findings: runDetectors(s) };
  };

  test('without consent nothing is granted (the spawn needs admin with write), and admin is named as held back', () => {
    const { s, findings } = spawn();
    const t = chooseTarget(s, findings, { allowAdmin: false })!;
    expect(t).toMatchObject({ grant: [], withheld: ['operator.admin'], deferred: [WRITE] });
  });

  test('with one consent both are granted in one plan, and verify checks each call of the spawn by the era’s rules', () => {
    const { s, findings } = spawn();
    const t = chooseTarget(s, findings, { allowAdmin: true })!;
    expect(t.grant).toEqual(['operator.admin', WRITE]);
    const plan = buildJsonScopePlan(s, 'id-5', t, inputs(), cmds);
    expect(plan.scope.grant).toEqual(['operator.admin', WRITE]);
    expect(plan.verify.spawn).toEqual({ deviceId: LOCAL_ID, rules: 'e2', calls: [{ call: 'sessions.patch', scope: 'operator.admin' }, { call: 'agent', scope: WRITE }] });
  });
});

describe('a store file with a byte-order mark (issue 11)', () => {
  test('the scope patch writes it without the mark and says so; a BOM-only store gets its own rewrite plan', () => {
    const { s, t } = refusedSnapshot();
    const inp = inputs({ bom: true });
    const plan = buildJsonScopePlan(s, 'id-6', t, inp, cmds);
    expect(plan.files[0]!.after.startsWith('\uFEFF')).toBe(false);
    expect(plan.notes).toContain("writes /s/devices/paired.json without its UTF-8 byte-order mark (OpenClaw's reader rejects it)");
    const rw = buildRewritePlan(s, 'id-7', { kind: 'rewrite', requested: [], approved: [], grant: [], withheld: [] }, inp, cmds);
    expect(rw).toMatchObject({ kind: 'json-rewrite', guard: { kind: 'files-unchanged' } });
    expect(rw.files.map((f) => [f.path, f.after === f.before.slice(1)])).toEqual([['/s/devices/paired.json', true]]);
  });
});

describe('the rollback merge (issue 11)', () => {
  test('undoes what the repair changed, keeps what came later, names what both changed', async () => {
    const { mergeRecords, mergeRow } = await import('../../src/plan/merge.js');
    const before = JSON.stringify({ me: { s: ['r'] }, req: { id: 'req' } }, null, 2);
    const wrote = JSON.stringify({ me: { s: ['r', 'w'] } }, null, 2);
    const later = JSON.stringify({ me: { s: ['r', 'w'] }, phone: { s: ['r'] } }, null, 2);
    const m = mergeRecords(before, wrote, later);
    expect(JSON.parse(m.text!)).toEqual({ me: { s: ['r'] }, phone: { s: ['r'] }, req: { id: 'req' } });
    expect(m).toMatchObject({ conflicts: [], kept: ['phone'] });
    const clash = mergeRecords(before, wrote, JSON.stringify({ me: { s: ['r', 'w', 'p'] } }));
    expect(clash.conflicts).toEqual(['me']);
    expect(mergeRow({ a: 1 }, { a: 2 }, { a: 2 })).toBe('restore');
    expect(mergeRow({ a: 1 }, { a: 2 }, { a: 3 })).toBe('conflict');
    expect(mergeRow({ a: 1 }, { a: 2 }, { a: 1 })).toBe('keep');
  });
});
