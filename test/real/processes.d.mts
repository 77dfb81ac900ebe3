export function alive(pid: number): boolean;
export function recordedPids(svcDir: string): number[];
export function livePids(svcDir: string): number[];
export function killRecordedSync(svcDir: string): number[];
export function killRecorded(svcDir: string, graceMs?: number): Promise<number[]>;
