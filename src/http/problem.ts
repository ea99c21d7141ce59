// One table from error to HTTP status, and the problem+json body (RFC 9457) every error is sent as.
// A 5xx never sends its message: the client gets a stable code and a sentence; the log gets the stack.
import {
  AuthError,
  ConflictError,
  LedgerError,
  NotFoundError,
  RefusalError,
  UnavailableError,
  ValidationError,
} from '../core/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [extra: string]: unknown;
}

/** HTTP status of a ledger error. */
export function statusOf(err: LedgerError): number {
  if (err instanceof AuthError) return err.status;
  if (err instanceof ValidationError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof RefusalError) return 422;
  if (err instanceof UnavailableError) return 503;
  return 500;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Refused',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

/** Build the problem+json body for an error. */
export function toProblem(err: unknown, instance?: string): Problem {
  if (err instanceof LedgerError) {
    const status = statusOf(err);
    if (status >= 500 && !(err instanceof UnavailableError)) return internal(instance);
    return {
      type: `https://motor-ledger.dev/problems/${err.code.toLowerCase().replaceAll('_', '-')}`,
      title: TITLES[status] ?? 'Error',
      status,
      code: err.code,
      detail: err.message,
      ...(instance ? { instance } : {}),
      ...err.details,
    };
  }
  const e = err as { validation?: unknown; statusCode?: number; message?: string; code?: string };
  if (e?.validation) {
    return {
      type: 'https://motor-ledger.dev/problems/validation-failed',
      title: 'Bad request',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: `The request is not valid: ${e.message}. See the OpenAPI description at /docs.`,
      ...(instance ? { instance } : {}),
    };
  }
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own 4xx (bad JSON, too large, wrong content type): keep its sentence, give it a stable code.
    const code = (e.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '').replace(/^CTP_/, '');
    return {
      type: `https://motor-ledger.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
      title: TITLES[e.statusCode] ?? 'Bad request',
      status: e.statusCode,
      code,
      detail: e.message ?? 'The request could not be read.',
      ...(instance ? { instance } : {}),
    };
  }
  return internal(instance);
}

function internal(instance?: string): Problem {
  return {
    type: 'https://motor-ledger.dev/problems/internal',
    title: 'Internal error',
    status: 500,
    code: 'INTERNAL',
    detail:
      'The ledger hit an unexpected error; nothing was acknowledged. Retry with the same id, or report it with the time.',
    ...(instance ? { instance } : {}),
  };
}
