// Every failure the ledger reports to a person or a program: one base class with a stable string `code`,
// a subclass per family. HTTP status and CLI exit codes are mapped from `code` in one table (http/problem.ts).

/** Base of every error the ledger reports on purpose; `code` is stable and documented. */
export class LedgerError extends Error {
  readonly code: string;
  /** Extra fields a client can act on (the offending seq, the allowed range…); serialized into problem+json. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** The request itself is malformed (schema, format, range). */
export class ValidationError extends LedgerError {}

/** The request is well-formed but the ledger's rules refuse it; nothing was written. */
export class RefusalError extends LedgerError {}

/** The thing asked for does not exist (yet). */
export class NotFoundError extends LedgerError {}

/** The same idempotency key was used before with a different request. */
export class ConflictError extends LedgerError {}

/** Authentication or authorization failed. */
export class AuthError extends LedgerError {
  readonly status: 401 | 403;
  constructor(status: 401 | 403, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** The service cannot answer right now (database down, shutting down). */
export class UnavailableError extends LedgerError {}
