// What this device is (its scanner id, the dock or station it stands at), kept in localStorage so a handheld
// says the same thing after a reload or a night without network; and the client ids its scans carry.
const SCANNER = 'motor-ledger.scanner';

/** A v4 UUID (lower case, as the API wants), also on a plain-http address where randomUUID is missing. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** This handheld's scanner id (HH-XXXXXX), made once and kept. */
export function scannerId(): string {
  let id = localStorage.getItem(SCANNER);
  if (!id) {
    id = `HH-${newId().slice(0, 6).toUpperCase()}`;
    localStorage.setItem(SCANNER, id);
  }
  return id;
}

/** Ids the API accepts for a dock, a scanner or a station. */
export const IDENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A remembered device setting (the dock, the station), '' when never set. */
export function setting(name: 'dock' | 'station'): string {
  return localStorage.getItem(`motor-ledger.${name}`) ?? '';
}

export function saveSetting(name: 'dock' | 'station', value: string): void {
  localStorage.setItem(`motor-ledger.${name}`, value);
}

/** Where the person works: the first site their token names (not the '*' of a plant-wide token). */
export function siteOf(sites: string[]): string | undefined {
  return sites.find((s) => s !== '*');
}
