/**
 * The transaction runner knows nothing about OpenClaw: fake steps prove the order, the undo stack in
 * reverse, failed undos reported while the others still run, an interrupt before a step, and the
 * journal written before/after each `journaled` step (the ones recovery reads) and removed at the end.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTransaction, type Step } from '../../src/apply/pipeline.js';
import { journalPath, type Journal } from '../../src/records/journal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function journal(): Journal {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-runner-'));
  dirs.push(stateDir);
  return { version: 1, id: 'tx', pid: process.pid, startedAtMs: 0, command: 'fix', kind: 'test', stateDir, gatewayWasRunning: true, expected: [], steps: {}, order: [], phase: 'applying' };
}

function steps(log: string[], o: { failAt?: string; undoFails?: string } = {}): Step[] {
  return ['a', 'b', 'c', 'd'].map((name) => ({
    name,
    title: name.toUpperCase(),
    run: async () => {
      log.push(`run ${name}`);
      if (name === o.failAt) throw new Error(`${name} broke`);
    },
    undo: async () => {
      log.push(`undo ${name}`);
      if (name === o.undoFails) throw new Error(`undo ${name} broke`);
    },
  }));
}

describe('runTransaction', () => {
  test('runs every step in order, journals the journaled ones before and after, and removes the journal when done', async () => {
    const log: string[] = [];
    const j = journal();
    const seen: string[] = [];
    const onDisk = () => (JSON.parse(fs.readFileSync(journalPath(j.stateDir), 'utf8')) as Journal).steps;
    // c is the step recovery decides by: on disk it is 'started' while it runs and 'done' right after.
    const s = steps(log).map((x) => ({
      ...x,
      ...(x.name === 'c' ? { journaled: true } : {}),
      run: async () => (seen.push(`${x.name}:${onDisk()[x.name] ?? '-'}/${JSON.stringify(onDisk().c ?? '-')}`), x.run()),
    }));
    const r = await runTransaction(s, { journal: j });
    expect(r).toMatchObject({ ok: true, applied: ['a', 'b', 'c', 'd'], rolledBack: false });
    expect(log).toEqual(['run a', 'run b', 'run c', 'run d']);
    // a and b are not written for (the journal as first written has no step state); c is; d runs after c's 'done' write.
    expect(seen).toEqual(['a:-/"-"', 'b:-/"-"', 'c:started/"started"', 'd:-/"done"']);
    expect(fs.existsSync(journalPath(j.stateDir))).toBe(false);
  });

  test('a failing step undoes it and every earlier step in reverse; events say so', async () => {
    const log: string[] = [];
    const events: string[] = [];
    const r = await runTransaction(steps(log, { failAt: 'c' }), { journal: journal(), onEvent: (st, ev) => events.push(`${ev} ${st.name}`) });
    expect(r).toMatchObject({ ok: false, applied: ['a', 'b'], rolledBack: true, interrupted: false });
    expect(r.error?.message).toBe('c broke');
    expect(log).toEqual(['run a', 'run b', 'run c', 'undo c', 'undo b', 'undo a']);
    expect(events).toContain('fail c');
    expect(events.slice(-2)).toEqual(['undo a', 'undone a']);
  });

  test('a failing undo is reported, the other undos still run, and the journal stays for the next run', async () => {
    const log: string[] = [];
    const j = journal();
    const r = await runTransaction(steps(log, { failAt: 'd', undoFails: 'c' }), { journal: j });
    expect(r.rolledBack).toBe(false);
    expect(r.rollbackErrors.map((e) => e.step)).toEqual(['c']);
    expect(log.slice(-4)).toEqual(['undo d', 'undo c', 'undo b', 'undo a']);
    const left = JSON.parse(fs.readFileSync(journalPath(j.stateDir), 'utf8')) as Journal;
    expect(left.phase).toBe('rolling-back');
    expect(left.steps).toMatchObject({ d: 'undone', c: 'done', b: 'undone', a: 'undone' }); // c's undo failed: still done
  });

  test('an interrupt between steps stops before the next one and rolls back', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const s = steps(log);
    s[1] = { ...s[1]!, run: async () => (log.push('run b'), ac.abort(Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' }))) };
    const r = await runTransaction(s, { journal: journal(), signal: ac.signal });
    expect(r).toMatchObject({ ok: false, interrupted: true, applied: ['a', 'b'] });
    expect(log).toEqual(['run a', 'run b', 'undo b', 'undo a']);
  });
});
