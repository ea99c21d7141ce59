// The site's buffer as the station reads it (GET /v1/sites/{site}/buffer, oldest received first): the whole
// buffer once for the counts per motor type and the held motors, and one motor type in pages for the pick
// list. Read again when the station installs or removes a motor, and every minute (other stations pick from
// the same buffer, the dock fills it).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';

export interface BufferMotor {
  serial: string;
  motorType: string;
  received: { seq: number; time: string; site: string; shipmentId: string; dock: string; scanner: string };
  /** Active holds: the motor stays in the buffer but must not be installed. */
  holds: string[];
  lastSeq: number;
}
interface BufferPage {
  items: BufferMotor[];
  next: string | null;
}

/** Motors per page of the pick list. */
export const PICK_PAGE = 10;
/** Every minute, the buffer is read again. */
const REFRESH_MS = 60_000;

const bufferPath = (site: string, query: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  return `/v1/sites/${encodeURIComponent(site)}/buffer?${q}`;
};

export interface BufferSummary {
  /** Per motor type: motors free to install, and held ones. */
  counts: Record<string, { ready: number; held: number }>;
  /** Every held motor in the buffer, oldest first. */
  held: BufferMotor[];
}

/** A tick that changes every minute while the page is in view. */
function useMinuteTick(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return tick;
}

/**
 * The whole buffer of a site, 500 motors a call: the counts per motor type and the held motors.
 * @example const { summary } = useBufferSummary('DIEPPE', refresh);
 */
export function useBufferSummary(
  site: string,
  bump: number,
): { summary: BufferSummary | null; error: unknown } {
  const [summary, setSummary] = useState<BufferSummary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const tick = useMinuteTick();
  useEffect(() => {
    let live = true;
    (async () => {
      const counts: BufferSummary['counts'] = {};
      const held: BufferMotor[] = [];
      let cursor: string | undefined;
      do {
        const page = await api<BufferPage>(bufferPath(site, { limit: 500, cursor }));
        for (const m of page.items) {
          counts[m.motorType] ??= { ready: 0, held: 0 };
          const c = counts[m.motorType]!;
          if (m.holds.length > 0) {
            c.held++;
            held.push(m);
          } else c.ready++;
        }
        cursor = page.next ?? undefined;
      } while (cursor && live);
      if (!live) return;
      setSummary({ counts, held });
      setError(null);
    })().catch((err: unknown) => {
      if (live) setError(err);
    });
    return () => {
      live = false;
    };
  }, [site, tick, bump]);
  return { summary, error };
}

/**
 * One motor type of the buffer, oldest first, in pages of PICK_PAGE: `more()` reads the next page; a refresh
 * reads again as many motors as are shown, so the list stays where the person left it.
 * @example const list = useBufferList('DIEPPE', '7DL', refresh);
 */
export function useBufferList(
  site: string,
  motorType: string | null,
  bump: number,
): {
  items: BufferMotor[];
  next: string | null;
  loading: boolean;
  error: unknown;
  more: () => void;
} {
  const [items, setItems] = useState<BufferMotor[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const shown = useRef({ type: motorType, count: PICK_PAGE });
  const call = useRef(0);
  const tick = useMinuteTick();

  const read = (limit: number, cursor: string | undefined, append: boolean) => {
    if (!motorType) return;
    const n = ++call.current;
    setLoading(true);
    api<BufferPage>(bufferPath(site, { motorType, limit: Math.min(limit, 500), cursor })).then(
      (page) => {
        if (n !== call.current) return;
        setItems((before) => {
          const all = append ? [...before, ...page.items] : page.items;
          shown.current.count = Math.max(PICK_PAGE, all.length);
          return all;
        });
        setNext(page.next);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (n !== call.current) return;
        setError(err);
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    if (shown.current.type !== motorType) {
      shown.current = { type: motorType, count: PICK_PAGE };
      setItems([]);
      setNext(null);
    }
    if (!motorType) {
      call.current++;
      setItems([]);
      setNext(null);
      return;
    }
    read(shown.current.count, undefined, false);
  }, [site, motorType, tick, bump]);

  return {
    items,
    next,
    loading,
    error,
    more: () => {
      if (next) read(PICK_PAGE, next, true);
    },
  };
}

/** How long a motor has waited in the buffer: "35 min", "5 h", "6 days". */
export function waited(since: string, now: number): string {
  const min = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** A reception time as the line reads it: "23 Nov, 11:10". */
export const receivedAt = (time: string) =>
  new Date(time).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
