/** OpenClaw's config file (JSON5). Read-only here; `edit-config` owns writing. */
import { promises as fs } from 'node:fs';
import type { ConfigSnapshot } from '../types.js';
import { json5Problem } from './json-format.js';

export async function loadConfig(configPath: string): Promise<ConfigSnapshot> {
  let text: string;
  let mtimeMs: number | undefined;
  try {
    const st = await fs.stat(configPath);
    if (st.isDirectory()) return { path: configPath, exists: true, error: `${configPath} is a directory, not a config file` };
    mtimeMs = st.mtimeMs;
    text = await fs.readFile(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path: configPath, exists: false };
    return { path: configPath, exists: true, error: `cannot read ${configPath}: ${code ?? (err as Error).message}` };
  }
  try {
    const value = await parseJson5(text.replace(/^\uFEFF/, ''));
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { path: configPath, exists: true, mtimeMs, error: `${configPath} does not hold a JSON5 object` };
    }
    return { path: configPath, exists: true, mtimeMs, value: value as Record<string, unknown> };
  } catch (err) {
    return { path: configPath, exists: true, mtimeMs, error: `${configPath} is not valid JSON5: ${json5Problem(err)}` };
  }
}

/**
 * JSON5, which OpenClaw's config is. The file OpenClaw writes is plain JSON (a subset with the same
 * meaning), so JSON.parse answers first and the JSON5 parser is loaded only for a file that needs it:
 * on every start that saves compiling it (a fifth of the diagnose chunk) and its slower parse.
 */
export async function parseJson5(text: string): Promise<unknown> {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const { default: JSON5 } = await import('json5');
    return JSON5.parse(text) as unknown;
  }
}

/** `get(cfg, 'gateway.auth.mode')` without throwing on missing intermediate objects. */
export function get(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const key of dotted.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function getString(obj: unknown, dotted: string): string | undefined {
  const v = get(obj, dotted);
  return typeof v === 'string' ? v : undefined;
}

export const DEFAULT_PORT = 18789;

export function gatewayPort(cfg: unknown, env: Readonly<Record<string, string | undefined>>): number {
  const fromEnv = Number(env.OPENCLAW_GATEWAY_PORT ?? env.CLAWDBOT_GATEWAY_PORT);
  if (Number.isInteger(fromEnv) && fromEnv > 0 && fromEnv < 65536) return fromEnv;
  const p = get(cfg, 'gateway.port');
  if (typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536) return p;
  return DEFAULT_PORT;
}
