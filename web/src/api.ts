// The screens' only way to data: the public HTTP API, with the signed-in bearer token. A problem+json answer
// becomes an ApiError carrying the server's stable `code` and its sentence; a request that never reached the
// server becomes an OfflineError (the dock queues the scan instead).
import { currentSession } from './session.js';

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }
}

/** The request did not reach the server (no network, server down, timed out). */
export class OfflineError extends Error {}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
  /** Give up after this many ms (default 15 s) with an OfflineError. */
  timeoutMs?: number;
  /** Send no token even when signed in. */
  anonymous?: boolean;
}

/**
 * Call the API and parse its JSON answer.
 * @example const s = await api<Shipment>(`/v1/shipments/${id}`);
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await send(path, options);
  return (await res.json()) as T;
}

/**
 * Call the API and return the answer's bytes exactly as sent (what a verifier hashes: decoding them as text
 * would drop a byte-order mark and replace invalid UTF-8, so a changed entry could hash like the original).
 */
export async function apiBytes(path: string, options: RequestOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await (await send(path, options)).arrayBuffer());
}

/** Call the API and return its text (CSV, NDJSON…). */
export async function apiText(path: string, options: RequestOptions = {}): Promise<string> {
  return (await send(path, options)).text();
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = options.anonymous ? undefined : currentSession()?.token;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new OfflineError(`The server could not be reached (${(err as Error).message}).`);
  }
  if (res.ok) return res;
  let problem: Problem;
  try {
    problem = (await res.json()) as Problem;
  } catch {
    problem = { status: res.status, code: `HTTP_${res.status}`, detail: res.statusText };
  }
  if (res.status >= 502 && res.status <= 504 && problem.code === undefined) {
    throw new OfflineError(`The server answered ${res.status}: try again.`);
  }
  throw new ApiError({ ...problem, status: res.status });
}
