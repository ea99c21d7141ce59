// What the station screen reads besides the vehicle: the catalog (remembered for a start with no network),
// whether the network is there, the model a VIN names, and a refused call as a verdict in the line's words.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, OfflineError } from '../api.js';
import type { Verdict } from '../dock/verdict.js';
import { explainStation } from './station-codes.js';

export interface Catalog {
  motorTypes?: Record<string, { name: string }>;
  models: Record<string, { brand: string; name: string; slots: Record<string, string> }>;
}
export interface VehicleRead {
  vehicle: { vin: string; model: string; brand: string; site: string; status: string };
  slots: { slot: string; serial: string | null }[];
}

const CATALOG_KEY = 'motor-ledger.catalog';

/** The catalog, remembered for a screen that starts with no network. */
export function useCatalog(): { catalog: Catalog | null; error: unknown } {
  const [catalog, setCatalog] = useState<Catalog | null>(() => {
    const raw = localStorage.getItem(CATALOG_KEY);
    return raw ? (JSON.parse(raw) as Catalog) : null;
  });
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<Catalog>('/v1/catalog').then((c) => {
      localStorage.setItem(CATALOG_KEY, JSON.stringify(c));
      setCatalog(c);
    }, setError);
  }, []);
  return { catalog, error };
}

export function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

/** The model a VIN names, when its descriptor carries the model code (VF1A390E…): a suggestion to confirm. */
export function modelFromVin(vin: string, catalog: Catalog): string {
  return Object.keys(catalog.models).find((m) => vin.slice(3, 8).startsWith(m.slice(0, 5))) ?? '';
}

export function refusal(err: unknown, serial: string | undefined, slotType?: string): Verdict {
  if (err instanceof ApiError) {
    const words = explainStation(err.code, slotType);
    return { tone: 'bad', word: 'REFUSED', serial, ...words, detail: err.problem.detail, code: err.code };
  }
  return {
    tone: 'bad',
    word: 'NOT RECORDED',
    serial,
    headline: err instanceof OfflineError ? 'No network' : 'Something went wrong',
    instruction: 'Nothing was recorded. Scan again when the network is back.',
    detail: err instanceof Error ? err.message : String(err),
  };
}
