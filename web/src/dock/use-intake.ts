// The dock's scanning loop: a scan goes to POST /v1/intake/scans and its verdict is shown; with no network (or
// while older scans still wait) it is kept on the device and uploaded in order through
// POST /v1/intake/scan-batches when the network is back (the `online` event, and a retry every 10 s).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, OfflineError } from '../api.js';
import { newId } from './device.js';
import { explainIntake, SERIAL } from './intake-codes.js';
import { openScanQueue, prunable, type ScanQueue, type ScanRecord } from './queue.js';
import { signal } from './sounds.js';
import type { Verdict } from './verdict.js';

/** What POST /v1/intake/scans answers (and each result of a batch). */
export interface ScanAnswer {
  verdict: 'ACCEPTED' | 'REJECTED';
  code: string;
  message: string;
  motor: { serial: string; motorType: string; status: string; holds: string[] } | null;
  shipment: {
    id: string;
    from: string;
    to: string;
    status: string;
    expected: number;
    scanned: number;
  } | null;
}
type BatchResult = ScanAnswer | { problem: { code: string; detail: string; status: number } };

const RETRY_MS = 10_000;
/** A scan's verdict must come fast; past this the scan is kept and uploaded later. */
const SCAN_TIMEOUT_MS = 5_000;
const BATCH = 500;

/**
 * A failure that says nothing about the scan itself (no network, the sign-in expired, the server busy or
 * failing): the scan stays on the device and goes again, same id. Any other answer is the scan's own refusal.
 */
function retryLater(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 401 || err.status === 429 || err.status >= 500;
}

export function verdictOf(r: ScanRecord): Verdict {
  if (r.status === 'PENDING') {
    return {
      tone: 'pending',
      word: 'PENDING',
      serial: r.serial,
      headline: 'No network: saved on this handheld',
      instruction: 'Keep the motor in the arrival lane. Its verdict comes when the network is back.',
    };
  }
  if (r.status === 'ACCEPTED') {
    // The server's sentence names the serial again ("Motor … received: put it in the buffer."): keep what to do.
    const todo =
      /^Motor \S+ received: (.+)$/.exec(r.message ?? '')?.[1] ?? r.message ?? 'put it in the buffer.';
    return {
      tone: 'ok',
      word: 'ACCEPTED',
      serial: r.serial,
      headline: 'Received',
      instruction: todo.charAt(0).toUpperCase() + todo.slice(1),
    };
  }
  const words = explainIntake(r.code ?? '');
  return {
    tone: 'bad',
    word: r.notRecorded ? 'NOT RECORDED' : 'REJECTED',
    serial: r.serial,
    headline: words.headline,
    instruction: words.instruction,
    detail: r.message,
    code: r.code,
  };
}

export interface Intake {
  ready: boolean;
  durable: boolean;
  /** Every kept scan, newest first. */
  records: ScanRecord[];
  verdict: Verdict;
  online: boolean;
  uploading: boolean;
  /** A problem that stops uploads (the sign-in expired…): the scans stay on the device. */
  blocked: ApiError | null;
  scan(serial: string, where: { shipmentId: string; dock: string; scanner: string }): void;
  /** Forget the decided offline scans the operator has dealt with. */
  clearOffline(): void;
}

export function useIntake(onDecided: (answers: ScanAnswer[]) => void): Intake {
  const queue = useRef<ScanQueue | null>(null);
  const rows = useRef(new Map<string, ScanRecord>());
  const order = useRef(0);
  const flushing = useRef(false);
  const decidedRef = useRef(onDecided);
  decidedRef.current = onDecided;
  const [ready, setReady] = useState(false);
  const [version, setVersion] = useState(0);
  const [verdict, setVerdict] = useState<Verdict>({
    tone: 'idle',
    word: 'Ready to scan',
    instruction: 'Scan each motor as it comes off the truck.',
  });
  const [online, setOnline] = useState(navigator.onLine);
  const [uploading, setUploading] = useState(false);
  const [blocked, setBlocked] = useState<ApiError | null>(null);

  const changed = () => setVersion((v) => v + 1);
  // Scans waiting on the device (not the one in flight), oldest first: the upload order.
  const pending = () =>
    [...rows.current.values()]
      .filter((r) => r.status === 'PENDING' && r.queued)
      .sort((a, b) => a.order - b.order);

  const save = async (rs: ScanRecord[]) => {
    for (const r of rs) rows.current.set(r.id, r);
    changed();
    await queue.current?.putMany(rs);
  };

  const prune = async () => {
    const gone = prunable([...rows.current.values()]);
    for (const id of gone) rows.current.delete(id);
    await queue.current?.remove(gone);
  };

  const decide = (r: ScanRecord, a: BatchResult): ScanRecord =>
    'problem' in a
      ? { ...r, status: 'REJECTED', code: a.problem.code, message: a.problem.detail, notRecorded: true }
      : { ...r, status: a.verdict, code: a.code, message: a.message };

  const flush = useCallback(async () => {
    if (flushing.current || !navigator.onLine) return;
    flushing.current = true;
    setUploading(true);
    const decided: ScanRecord[] = [];
    const answers: ScanAnswer[] = [];
    try {
      for (let chunk = pending().slice(0, BATCH); chunk.length > 0; chunk = pending().slice(0, BATCH)) {
        const scans = chunk.map(({ id, serial, shipmentId, dock, scanner, time }) => ({
          id,
          serial,
          shipmentId,
          dock,
          scanner,
          time,
        }));
        let results: BatchResult[];
        try {
          results = (await api<{ results: BatchResult[] }>('/v1/intake/scan-batches', { body: { scans } }))
            .results;
        } catch (err) {
          if (retryLater(err) || (err as ApiError).status === 403) throw err;
          // The batch as a whole was refused: send its scans one by one so a bad one fails alone.
          results = [];
          for (const s of scans) {
            try {
              results.push(await api<ScanAnswer>('/v1/intake/scans', { body: s }));
            } catch (e) {
              if (!(e instanceof ApiError) || retryLater(e)) throw e;
              results.push({ problem: e.problem });
            }
          }
        }
        const now = chunk.map((r, i) => decide(r, results[i]!));
        await save(now);
        decided.push(...now);
        for (const a of results) if (!('problem' in a)) answers.push(a);
      }
      setOnline(true);
      setBlocked(null);
    } catch (err) {
      if (err instanceof OfflineError) setOnline(false);
      else if (err instanceof ApiError) setBlocked(err);
    } finally {
      flushing.current = false;
      setUploading(false);
    }
    if (decided.length === 0) return;
    decidedRef.current(answers);
    const refused = decided.filter((r) => r.status === 'REJECTED');
    if (decided.length === 1) setVerdict(verdictOf(decided[0]!));
    else
      setVerdict(
        refused.length === 0
          ? {
              tone: 'ok',
              word: 'UPLOADED',
              headline: `${decided.length} scans made offline: all accepted`,
              instruction: 'Put them in the buffer.',
            }
          : {
              tone: 'bad',
              word: 'UPLOADED',
              headline: `${refused.length} of ${decided.length} scans made offline were refused`,
              instruction: 'Find them in the list below and do what each says.',
            },
      );
    signal(refused.length === 0 ? 'ok' : 'bad');
  }, []);

  useEffect(() => {
    let stop = false;
    void openScanQueue().then(async (q) => {
      if (stop) return;
      queue.current = q;
      const all = await q.all();
      // A scan in flight when the page went away is sent again with its id (the server answers it once).
      for (const r of all) rows.current.set(r.id, r.status === 'PENDING' ? { ...r, queued: true } : r);
      order.current = all.reduce((m, r) => Math.max(m, r.order), Date.now());
      setReady(true);
      changed();
      void flush();
    });
    const up = () => {
      setOnline(true);
      void flush();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    const timer = setInterval(() => {
      if (pending().length > 0) void flush();
    }, RETRY_MS);
    return () => {
      stop = true;
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
      clearInterval(timer);
    };
  }, [flush]);

  const scan = useCallback(
    (serial: string, where: { shipmentId: string; dock: string; scanner: string }) => {
      if (!SERIAL.test(serial)) {
        const words = explainIntake('NOT_A_SERIAL');
        setVerdict({
          tone: 'bad',
          word: 'NOT RECORDED',
          serial,
          ...words,
          detail: `“${serial}” is not a motor serial (letters, digits and dashes, e.g. 7DL-000123).`,
        });
        signal('bad');
        return;
      }
      order.current = Math.max(order.current + 1, Date.now());
      const offline = !navigator.onLine || pending().length > 0;
      const record: ScanRecord = {
        id: newId(),
        order: order.current,
        serial,
        ...where,
        time: new Date().toISOString(),
        status: 'PENDING',
        queued: offline,
      };
      void save([record]);
      if (offline) {
        setVerdict(verdictOf(record));
        signal('pending');
        void flush();
        return;
      }
      setVerdict({ tone: 'busy', word: 'Checking…', serial });
      const { id, serial: s, shipmentId, dock, scanner, time } = record;
      api<ScanAnswer>('/v1/intake/scans', {
        body: { id, serial: s, shipmentId, dock, scanner, time },
        timeoutMs: SCAN_TIMEOUT_MS,
      }).then(
        async (a) => {
          const done = decide(record, a);
          setVerdict(verdictOf(done));
          signal(done.status === 'ACCEPTED' ? 'ok' : 'bad');
          setOnline(true);
          decidedRef.current([a]);
          await save([done]);
          await prune();
        },
        async (err) => {
          if (err instanceof ApiError && !retryLater(err)) {
            const done = decide(record, { problem: err.problem });
            setVerdict(verdictOf(done));
            signal('bad');
            await save([done]);
            return;
          }
          // No answer (or the sign-in expired): the scan waits on the device, same id, and goes later.
          const kept = { ...record, queued: true };
          if (err instanceof ApiError) setBlocked(err);
          else setOnline(false);
          setVerdict(verdictOf(kept));
          signal('pending');
          await save([kept]);
        },
      );
    },
    [flush],
  );

  const clearOffline = useCallback(() => {
    const done = [...rows.current.values()].filter((r) => r.queued && r.status !== 'PENDING');
    const cleared = done.map((r) => ({ ...r, queued: false }));
    void save(cleared).then(prune);
  }, []);

  void version;
  const records = [...rows.current.values()].sort((a, b) => b.order - a.order);
  return {
    ready,
    durable: queue.current?.durable ?? true,
    records,
    verdict,
    online,
    uploading,
    blocked,
    scan,
    clearOffline,
  };
}
