export function socketPath(root: string): string;
export function startService(root: string): Promise<{ DOCKER_HOST: string; pid: number | undefined }>;
export function stopService(root: string): Promise<void>;
