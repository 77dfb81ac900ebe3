export interface BigStoreDevice {
  deviceId: string;
  publicKey: string;
  scopes?: string[];
}
export declare function addSupersededRequests(
  pendingPath: string,
  opts: { local: BigStoreDevice; others?: BigStoreDevice[]; count?: number; otherShare?: number; scopes?: string[]; spreadMs?: number; now?: number },
): { bytes: number; localCount: number; otherCount: number };
