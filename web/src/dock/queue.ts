// The handheld's own record of its scans, in IndexedDB: every scan is written here before it is sent, so a
// scan made with no network (or whose answer was lost) survives a reload and is uploaded later with the same
// client id and device time (the server is idempotent on the id: never recorded twice). Decided scans are
// kept a while so the operator still sees the last ones, and the verdicts of what was scanned offline.
import { type IDBPDatabase, openDB } from 'idb';

export type ScanStatus = 'PENDING' | 'ACCEPTED' | 'REJECTED';

export interface ScanRecord {
  /** The client UUID: the scan's idempotency key. */
  id: string;
  /** Order of scanning on this device (uploads keep it). */
  order: number;
  serial: string;
  shipmentId: string;
  dock: string;
  scanner: string;
  /** Device time of the scan (ISO). */
  time: string;
  status: ScanStatus;
  code?: string;
  message?: string;
  /** True when the scan waited on the device (no network): it stays listed until the operator clears it. */
  queued: boolean;
  /** Refused before it reached the ledger (nothing recorded). */
  notRecorded?: boolean;
}

const DB = 'motor-ledger-dock';
const STORE = 'scans';
/** Decided scans kept besides the offline ones (the list shows five). */
const KEEP_DECIDED = 20;

export interface ScanQueue {
  all(): Promise<ScanRecord[]>;
  put(r: ScanRecord): Promise<void>;
  putMany(rs: ScanRecord[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** False when the browser refused IndexedDB (then scans live only until a reload). */
  durable: boolean;
}

/** Open the device's scan store (falls back to memory, saying so, when IndexedDB is unavailable). */
export async function openScanQueue(): Promise<ScanQueue> {
  let db: IDBPDatabase;
  try {
    db = await openDB(DB, 1, {
      upgrade(d) {
        const s = d.createObjectStore(STORE, { keyPath: 'id' });
        s.createIndex('order', 'order');
      },
    });
  } catch {
    return memoryQueue();
  }
  return {
    durable: true,
    all: async () => (await db.getAllFromIndex(STORE, 'order')) as ScanRecord[],
    put: async (r) => {
      await db.put(STORE, r);
    },
    putMany: async (rs) => {
      const tx = db.transaction(STORE, 'readwrite');
      await Promise.all([...rs.map((r) => tx.store.put(r)), tx.done]);
    },
    remove: async (ids) => {
      const tx = db.transaction(STORE, 'readwrite');
      await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
    },
  };
}

function memoryQueue(): ScanQueue {
  const rows = new Map<string, ScanRecord>();
  return {
    durable: false,
    all: async () => [...rows.values()].sort((a, b) => a.order - b.order),
    put: async (r) => void rows.set(r.id, r),
    putMany: async (rs) => {
      for (const r of rs) rows.set(r.id, r);
    },
    remove: async (ids) => {
      for (const id of ids) rows.delete(id);
    },
  };
}

/** The decided scans that may go: neither pending nor in the offline list, beyond the newest few. */
export function prunable(records: ScanRecord[]): string[] {
  const decided = records.filter((r) => r.status !== 'PENDING' && !r.queued);
  return decided
    .sort((a, b) => b.order - a.order)
    .slice(KEEP_DECIDED)
    .map((r) => r.id);
}
