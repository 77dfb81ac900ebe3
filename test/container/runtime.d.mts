export function cacheRoot(env?: NodeJS.ProcessEnv): string;
export function containerCache(env?: NodeJS.ProcessEnv): string;
export function runtimeEnv(env?: NodeJS.ProcessEnv): { CONTAINERS_CONF: string; CONTAINERS_STORAGE_CONF: string };
export interface PodmanResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}
export function podman(args: string[], opts?: { input?: string | Buffer | NodeJS.ReadableStream; timeoutMs?: number; env?: Record<string, string> }): Promise<PodmanResult>;
export function podmanOk(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number; env?: Record<string, string> }): Promise<PodmanResult>;
export function runtimeMissing(): string | undefined;
export const CONTAINER_VERSIONS: string[];
