// One table from error to HTTP status, and the problem+json body (RFC 9457) every error is sent as, Fastify's
// own refusals included (bad URL, too-long parameter, oversized headers, wrong media type).
// A 5xx never sends its message: the client gets a stable code and a sentence; the log gets the stack.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';
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

// Codes whose class does not say it all: errors of the generic log that a client's request can meet.
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  EMPTY_LOG: 409, // a checkpoint asked for before anything was written
  NOT_CANONICALIZABLE: 400, // a value JSON cannot carry exactly (also refused earlier, by src/http/input.ts)
  EPCIS_CAPTURE_LIMIT: 413, // more events in one captured document than the binding's capture limit
};

/** HTTP status of a ledger error. */
export function statusOf(err: LedgerError): number {
  const byCode = STATUS_BY_CODE[err.code];
  if (byCode !== undefined) return byCode;
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
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Refused',
  429: 'Too many requests',
  431: 'Request header fields too large',
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
  const e = err as {
    validation?: { instancePath?: string; params?: Record<string, unknown> }[];
    validationContext?: string;
    statusCode?: number;
    message?: string;
    code?: string;
  };
  if (e?.validation) {
    // `field` names the offending value as Fastify does in the detail: body/reason, querystring/to, params/seq;
    // for a member that is missing or not allowed, the member itself (Ajv names it in params only).
    const first = e.validation[0];
    const member = first?.params?.additionalProperty ?? first?.params?.missingProperty;
    const at = `${first?.instancePath ?? ''}${typeof member === 'string' ? `/${member}` : ''}`;
    const field = `${e.validationContext ?? 'request'}${at}`;
    const what =
      first?.params?.additionalProperty !== undefined
        ? `${field} is not a member it accepts`
        : first?.params?.missingProperty !== undefined
          ? `${field} is required`
          : e.message;
    return {
      type: 'https://motor-ledger.dev/problems/validation-failed',
      title: 'Bad request',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: `The request is not valid: ${what}. See the OpenAPI description at /docs.`,
      field,
      ...(instance ? { instance } : {}),
    };
  }
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own 4xx (bad JSON, too large, wrong content type): a stable code, and a sentence to act on.
    const code = (e.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '').replace(/^CTP_/, '');
    return {
      type: `https://motor-ledger.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
      title: TITLES[e.statusCode] ?? 'Bad request',
      status: e.statusCode,
      code,
      detail: FRAMEWORK_DETAILS[code] ?? e.message ?? 'The request could not be read.',
      ...(instance ? { instance } : {}),
    };
  }
  return internal(instance);
}

// Fastify's own sentences name the symptom only; these say what to do.
const FRAMEWORK_DETAILS: Readonly<Record<string, string>> = {
  INVALID_MEDIA_TYPE: 'The body must be JSON: send it with Content-Type: application/json.',
  BAD_URL: 'The URL has a malformed %-escape: encode it as UTF-8 percent-escapes (encodeURIComponent).',
  MAX_PARAM_LENGTH: 'A path parameter is longer than any valid serial, VIN or id: check the URL.',
};

/** Send an error as problem+json (for answers outside the error handler, e.g. Fastify's frameworkErrors). */
export function sendProblem(reply: FastifyReply, err: unknown, instance?: string): FastifyReply {
  const problem = toProblem(err, instance);
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/**
 * Fastify's clientErrorHandler: a request Node's HTTP parser refused (headers too large, too slow, not HTTP)
 * never reaches a route; answer it as problem+json on the raw socket, then close it.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time: send it again, whole.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'HEADERS_TOO_LARGE',
            'The request headers are too large: send a smaller token or fewer headers.',
          ]
        : [400, 'MALFORMED_REQUEST', 'The request is not valid HTTP/1.1 and could not be read.'];
  const body = JSON.stringify({
    type: `https://motor-ledger.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status],
    status,
    code,
    detail,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
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
