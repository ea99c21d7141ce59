// Schemas shared by several routes.
import { type TSchema, Type } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable code.' }),
    detail: Type.String({ description: 'What went wrong and what to do about it.' }),
    instance: Type.Optional(Type.String()),
    field: Type.Optional(
      Type.String({
        description: 'For a 400: the offending value, e.g. body/measurements/torqueNm or querystring/to.',
      }),
    ),
  },
  { title: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed: `field` names the offending value.',
  401: 'No token, or a token that is not valid.',
  403: 'The token lacks the role, site or brand this needs.',
  404: 'The thing named does not exist.',
  409: 'A retry with the same id but another body, or a state that does not allow it now.',
  422: 'Refused by the ledger’s rules; nothing was written.',
  503: 'The service cannot answer now (database down, shutting down); retry later.',
};

/** Error answers of a route, declared as application/problem+json. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: PROBLEM_DESCRIPTIONS[s] ?? 'problem+json',
        content: { 'application/problem+json': { schema: Problem } },
      },
    ]),
  );

/** The refusals every write can meet: bad body, no or bad token, wrong role or site, a retry with another body. */
export const writeProblems = problemResponses(400, 401, 403, 409, 422);

export const Seq = Type.Integer({
  title: 'Seq',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER - 1,
  description: '0-based entry index',
});
export const Base64Hash = Type.String({
  title: 'Hash',
  description: 'base64 SHA-256',
  examples: ['bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='],
});

export const Serial = Type.String({
  title: 'Serial',
  pattern: '^[A-Z0-9][A-Z0-9-]{3,39}$',
  description: 'Motor serial',
  examples: ['7DL-000123'],
});
export const Vin = Type.String({
  title: 'Vin',
  pattern: '^[A-HJ-NPR-Z0-9]{17}$',
  description: 'VIN: 17 characters, ISO 3779 alphabet (no I, O or Q)',
  examples: ['VF1A390EA12345678'],
});
export const Code = Type.String({ pattern: '^[A-Z0-9][A-Z0-9_]{0,31}$' });
export const Ident = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
export const Text = (description: string, maxLength = 200) =>
  Type.String({ minLength: 1, maxLength, description });

/** Fields every write accepts: idempotency key, site, business time. */
export const WriteFields = {
  id: Type.Optional(
    Type.String({
      format: 'uuid',
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
      description:
        'Idempotency key (lower-case UUID): a retry with the same id and body gets the first answer and writes nothing.',
    }),
  ),
  site: Type.Optional(
    Type.String({
      pattern: '^[A-Z0-9][A-Z0-9_]{0,31}$',
      description: 'Site the action happens at; default: the token’s only site.',
      examples: ['CLEON'],
    }),
  ),
  time: Type.Optional(
    Type.String({
      // The pattern keeps it UTC with a Z; the format makes it a real instant (no 2026-02-30).
      format: 'date-time',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$',
      description: 'Business time (RFC 3339 UTC) as the source saw it; default: when the request arrived.',
    }),
  ),
};

export const EventView = Type.Object(
  {
    seq: Type.Integer(),
    id: Type.String(),
    type: Type.String(),
    leafHash: Base64Hash,
    recorded: Type.String(),
  },
  { title: 'Event', description: 'The entry a write appended (or first appended, for a retry).' },
);

/** Response of a write: the entry appended, plus the resource fields the route adds. */
export const Written = (extra: Record<string, TSchema> = {}) =>
  Type.Object(
    { event: EventView, ...extra },
    {
      additionalProperties: true,
      description: 'Written: the entry appended (a retry with the same id gets the first answer again).',
    },
  );

export const AnyObject = Type.Object({}, { additionalProperties: true });

/** Query members of a paged list (newest first): how many items, and where to continue. */
export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Items per page (default 50).' }),
  ),
  cursor: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'Where to continue: `next` of the previous page (opaque).',
    }),
  ),
};

/** A `status` filter of a list: one or more statuses, comma-separated, any case. */
export const StatusFilter = (statuses: string) =>
  Type.Optional(
    Type.String({
      pattern: '^[A-Za-z_]{1,32}(,[A-Za-z_]{1,32}){0,9}$',
      description: `One or more of ${statuses}, comma-separated (any case). Another value: 400 UNKNOWN_STATUS.`,
    }),
  );

/** A page of a list, newest first: `next` is the cursor of the following page, null on the last one. */
export const Page = (title: string, item: TSchema) =>
  Type.Object(
    {
      items: Type.Array(item),
      next: Type.Union([Type.String(), Type.Null()], {
        description: 'Pass as `cursor` for the next page; null: this is the last page.',
      }),
    },
    { title },
  );

/** When an entry happened in the log: its seq and business time. */
export const StampView = Type.Object({ seq: Type.Integer(), time: Type.String() }, { title: 'Stamp' });

/** A Stamp with who wrote the entry (the token's `sub`). */
export const ByView = Type.Object(
  { seq: Type.Integer(), time: Type.String(), by: Type.String() },
  { title: 'StampBy' },
);
