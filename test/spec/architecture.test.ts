/**
 * The house rules that a reader can see in the imports: they point down the flow
 * util/types → openclaw/records → snapshot → detect → plan/config-edit → apply → usecase → cli/wizard,
 * there is no import circle, library code below the CLI never reads process.env, and no function in
 * src/ is longer than 60 lines. Parsed with SWC (already the test transformer); no build needed.
 */
import { describe, expect, test } from '@jest/globals';
import { parseSync } from '@swc/core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const ALL = files(SRC).map((f) => path.relative(SRC, f).split(path.sep).join('/'));

/** Layer of a module: lower numbers are further down the flow. */
function layer(rel: string): number {
  const top = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : rel;
  const ranks: Record<string, number> = { util: 0, 'types.ts': 0, openclaw: 1, records: 1, snapshot: 2, detect: 3, plan: 4, 'config-edit': 4, apply: 5, usecase: 6, cli: 7, wizard: 7 };
  const r = ranks[top];
  if (r === undefined) throw new Error(`${rel}: a top-level folder the architecture test does not know (add it to the layers)`);
  return r;
}

/** Relative imports (static and dynamic, type-only included) of a module, resolved to src-relative paths. */
function importsOf(rel: string): string[] {
  const text = fs.readFileSync(path.join(SRC, rel), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g), ...text.matchAll(/import\('(\.[^']+)'\)/g)].map((m) => m[1]!);
  return specs.map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(rel), s)).replace(/\.js$/, '.ts'));
}

const GRAPH = new Map(ALL.map((f) => [f, importsOf(f)]));

describe('architecture', () => {
  test('every import resolves to a module in src/', () => {
    const missing = [...GRAPH].flatMap(([f, deps]) => deps.filter((d) => !GRAPH.has(d)).map((d) => `${f} → ${d}`));
    expect(missing).toEqual([]);
  });

  test('imports point down the flow (never from a lower layer to a higher one)', () => {
    const upward = [...GRAPH].flatMap(([f, deps]) => deps.filter((d) => GRAPH.has(d) && layer(d) > layer(f)).map((d) => `${f} (${layer(f)}) → ${d} (${layer(d)})`));
    expect(upward).toEqual([]);
  });

  test('there is no import circle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].join(' → '));
        return;
      }
      state.set(f, 'open');
      stack.push(f);
      for (const d of GRAPH.get(f) ?? []) if (GRAPH.has(d)) visit(d);
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of ALL) visit(f);
    expect(cycles).toEqual([]);
  });

  test('only the CLI reads process.env', () => {
    const readers = ALL.filter((f) => layer(f) < 7 && /process\.env\b/.test(fs.readFileSync(path.join(SRC, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(readers).toEqual([]);
  });

  test('no function in src/ is longer than 60 lines', () => {
    const long: string[] = [];
    for (const rel of ALL) {
      const text = fs.readFileSync(path.join(SRC, rel), 'utf8');
      const ast = parseSync(text, { syntax: 'typescript' });
      // SWC spans are byte offsets (from ast.span.start): line starts as byte offsets, then a binary search.
      const bytes = Buffer.from(text);
      const starts = [0];
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) starts.push(i + 1);
      const lineOf = (pos: number) => {
        const at = pos - ast.span.start;
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= at) lo = mid;
          else hi = mid - 1;
        }
        return lo + 1;
      };
      const walk = (n: unknown, name: string): void => {
        if (!n || typeof n !== 'object') return;
        if (Array.isArray(n)) return n.forEach((x) => walk(x, name));
        const node = n as { type?: string; span?: { start: number; end: number }; identifier?: { value?: string }; key?: { value?: string }; id?: { value?: string } };
        let here = name;
        if (node.type === 'VariableDeclarator' && node.id?.value) here = node.id.value;
        if ((node.type === 'KeyValueProperty' || node.type === 'MethodProperty') && node.key?.value) here = node.key.value;
        if (node.type && /^(FunctionDeclaration|FunctionExpression|ArrowFunctionExpression|ClassMethod|MethodProperty)$/.test(node.type) && node.span) {
          const lines = lineOf(node.span.end) - lineOf(node.span.start) + 1;
          if (lines > 60) long.push(`${rel}:${lineOf(node.span.start)} ${node.identifier?.value ?? here} (${lines} lines)`);
        }
        for (const [k, v] of Object.entries(node)) if (k !== 'span') walk(v, here);
      };
      walk(ast.body, '');
    }
    expect(long).toEqual([]);
  });

  test('one detector per file, named by the finding it produces', () => {
    const detectors = ALL.filter((f) => f.startsWith('detect/') && /export const \w+: Detector = \{\n {2}id: '([a-z-]+)'/.test(fs.readFileSync(path.join(SRC, f), 'utf8')));
    const mismatched = detectors.filter((f) => {
      const m = /export const \w+: Detector = \{\n {2}id: '([a-z-]+)'/.exec(fs.readFileSync(path.join(SRC, f), 'utf8'))!;
      return `detect/${m[1]}.ts` !== f;
    });
    expect(detectors.length).toBeGreaterThanOrEqual(18);
    expect(mismatched).toEqual([]);
  });

  test('one step per file, named by its StepName', () => {
    const names = ['lock', 'stop', 'guard', 'backup', 'patch', 'approve', 'restore', 'start', 'verify'];
    for (const n of names) expect(fs.readFileSync(path.join(SRC, 'apply', 'steps', `${n}.ts`), 'utf8')).toContain(`name: '${n}'`);
  });
});
