// What "the database is not there right now" looks like, from either driver, and the one 503 it becomes. Kept
// apart from connect.ts so the sequencer and the HTTP layer can use it without loading the drivers.
import { LedgerError, UnavailableError } from '../core/errors.js';

// SQLSTATEs and socket errors that mean "the database is not there right now", not "this request is wrong":
// connection exceptions (08…), the server shutting down or starting (57P01-57P03), too many connections, and a
// socket that failed or timed out.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Client was closed/i;

/** Does `err` mean the database cannot be reached right now (rather than a fault of the query)? */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof UnavailableError) return true;
  if (err instanceof LedgerError || !(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code)))
    return true;
  if (Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable)) return true; // AggregateError (::1 and 127.0.0.1)
  return UNAVAILABLE_MESSAGE.test(e.message);
}

/** `err` as the 503 a client gets when the database is unreachable, else `err` unchanged. */
export function databaseUnavailable(err: unknown): unknown {
  if (err instanceof UnavailableError || !isDatabaseUnavailable(err)) return err;
  return new UnavailableError(
    'DATABASE_UNAVAILABLE',
    'The ledger cannot reach its database right now; nothing was written. Retry in a few seconds with the same id.',
  );
}
