// The auditor's endpoints (BRIEF §5): checkpoints, raw entries, inclusion and consistency proofs, the export
// stream and the JWKS that verifies every checkpoint ever signed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseCheckpoint } from '../../core/checkpoint.js';
import type { DomainState } from '../../core/domain/state.js';
import { utf8Decode } from '../../core/encoding.js';
import { AuthError, NotFoundError } from '../../core/errors.js';
import type { Ledger } from '../../ledger/ledger.js';
import {
  consistencyProof,
  inclusionProof,
  latestCheckpoint,
  listCheckpoints,
  readEntry,
} from '../../ledger/reader.js';
import { readJwks } from '../../ledger/signing.js';
import { entriesVisible, scopeOf, seesAll } from '../../query/scope.js';
import { entriesAsNdjson, signTailCheckpoint } from '../../verify/export.js';
import { requireRole } from '../command.js';
import { Base64Hash, problemResponses, Seq } from '../schemas.js';

const Checkpoint = Type.Object(
  {
    size: Type.Integer({ description: 'Entries covered' }),
    root: Base64Hash,
    kid: Type.String({ description: 'RFC 7638 thumbprint of the signing key' }),
    jws: Type.String({ description: 'Compact JWS, payload = the C2SP tlog-checkpoint body' }),
    created: Type.String({ format: 'date-time' }),
  },
  { title: 'Checkpoint' },
);

const InclusionProof = Type.Object(
  {
    leafIdx: Type.Integer(),
    treeSize: Type.Integer(),
    leafHash: Base64Hash,
    proof: Type.Array(Base64Hash),
    root: Base64Hash,
    checkpoint: Type.Optional(Type.String({ description: 'Signed checkpoint of treeSize, when one exists' })),
  },
  { title: 'InclusionProof' },
);

const ConsistencyProof = Type.Object(
  {
    size1: Type.Integer(),
    size2: Type.Integer(),
    root1: Base64Hash,
    root2: Base64Hash,
    proof: Type.Array(Base64Hash),
  },
  { title: 'ConsistencyProof' },
);

export const ledgerRoutes: FastifyPluginAsyncTypebox<{
  ledger: Ledger<DomainState>;
  public: boolean;
}> = async (app, options) => {
  const { ledger } = options;
  const db = ledger.handle.db;
  // Auditor reads need a token with auditor, quality or admin unless LEDGER_PUBLIC; the JWKS is always public.
  const read = options.public ? undefined : requireRole('auditor', 'quality', 'admin');

  app.get(
    '/v1/ledger/checkpoint',
    {
      preValidation: read,
      schema: {
        tags: ['ledger'],
        operationId: 'getLatestCheckpoint',
        summary: 'The newest signed checkpoint',
        response: {
          200: Type.Object({ ...Checkpoint.properties, origin: Type.String(), body: Type.String() }),
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async () => {
      const cp = await latestCheckpoint(db);
      if (!cp)
        throw new NotFoundError('NO_CHECKPOINT', 'No checkpoint has been signed yet: the log is empty.');
      const body = utf8Decode(Buffer.from(cp.jws.split('.')[1] ?? '', 'base64url'));
      return { ...cp, origin: parseCheckpoint(body).origin, body };
    },
  );

  app.get(
    '/v1/ledger/checkpoints',
    {
      preValidation: read,
      schema: {
        tags: ['ledger'],
        operationId: 'listCheckpoints',
        summary: 'Signed checkpoints in size order, a page at a time',
        querystring: Type.Object({
          after: Type.Optional(
            Type.Integer({ minimum: -1, default: -1, description: 'Return checkpoints with size > after' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
        }),
        response: {
          200: Type.Object({ checkpoints: Type.Array(Checkpoint), next: Type.Optional(Type.Integer()) }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 1000;
      const checkpoints = await listCheckpoints(db, req.query.after ?? -1, limit);
      const last = checkpoints[checkpoints.length - 1];
      return { checkpoints, ...(checkpoints.length === limit && last ? { next: last.size } : {}) };
    },
  );

  app.post(
    '/v1/ledger/checkpoints',
    {
      preValidation: requireRole('auditor', 'admin'),
      schema: {
        tags: ['ledger'],
        operationId: 'signCheckpoint',
        summary: 'Sign a checkpoint of everything committed now (on demand)',
        response: { 201: Checkpoint, ...problemResponses(401, 403, 409) },
      },
    },
    async (_req, reply) => {
      const cp = await ledger.sequencer.checkpoint();
      const [view] = await listCheckpoints(db, cp.size - 1, 1);
      if (!view) throw new NotFoundError('NO_CHECKPOINT', 'The checkpoint was made but cannot be read back.');
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/v1/ledger/entries/:seq',
    {
      preValidation: read,
      schema: {
        tags: ['ledger'],
        operationId: 'getEntry',
        summary: 'One entry: the exact stored RFC 8785 bytes (hash them to get the leaf)',
        params: Type.Object({ seq: Seq }),
        response: {
          200: {
            description:
              'The canonical envelope bytes (application/json); header x-leaf-hash has the base64 leaf hash',
          },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const { body, leafHash } = await readEntry(db, req.params.seq);
      if (!options.public) {
        const envelope = JSON.parse(utf8Decode(body)) as {
          subjects: string[];
          data: Record<string, unknown>;
        };
        const [visible] = await entriesVisible(db, scopeOf(req.principal), [envelope]);
        if (!visible) {
          // Its leaf hash only: inclusion and consistency proofs still verify, nothing of it is disclosed.
          void reply.header('x-leaf-hash', Buffer.from(leafHash).toString('base64'));
          throw new AuthError(
            403,
            'ENTRY_OF_ANOTHER_BRAND',
            `Entry ${req.params.seq} concerns a vehicle of a brand your token does not cover; its leaf hash is in the x-leaf-hash header, so proofs that include it still verify.`,
          );
        }
      }
      return reply
        .type('application/json')
        .header('x-leaf-hash', Buffer.from(leafHash).toString('base64'))
        .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    },
  );

  app.get(
    '/v1/ledger/proof/inclusion',
    {
      preValidation: read,
      schema: {
        tags: ['ledger'],
        operationId: 'getInclusionProof',
        summary: 'Inclusion proof of one entry (RFC 9162 §2.1.3)',
        description: 'Without treeSize: the newest checkpoint covering the entry, else the whole log.',
        querystring: Type.Object({
          seq: Seq,
          treeSize: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
        }),
        response: { 200: InclusionProof, ...problemResponses(400, 401, 403) },
      },
    },
    async (req) => inclusionProof(db, req.query.seq, req.query.treeSize),
  );

  app.get(
    '/v1/ledger/proof/consistency',
    {
      preValidation: read,
      schema: {
        tags: ['ledger'],
        operationId: 'getConsistencyProof',
        summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)',
        querystring: Type.Object({
          from: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
          to: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
        }),
        response: { 200: ConsistencyProof, ...problemResponses(400, 401, 403) },
      },
    },
    async (req) => consistencyProof(db, req.query.from, req.query.to),
  );

  app.get(
    '/v1/ledger/export',
    {
      preValidation: read,
      schema: {
        tags: ['ledger'],
        operationId: 'exportLog',
        summary: 'Every entry as NDJSON: one line per entry, each line exactly the stored bytes',
        querystring: Type.Object({
          from: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
          to: Type.Optional(Type.Integer({ minimum: 0, description: 'Exclusive' })),
        }),
        response: {
          200: { description: 'NDJSON (application/x-ndjson): each line the stored bytes of one entry' },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      if (!options.public && !seesAll(scopeOf(req.principal))) {
        throw new AuthError(
          403,
          'ALL_BRANDS_REQUIRED',
          'The export is the whole log, every brand included; it needs a token for all brands (brands ["*"]). ' +
            "A reader limited to some brands reads entries one by one (another brand's entry answers with its leaf hash only).",
        );
      }
      // Like the CLI export: the whole log ends on a signed size, so an auditor can anchor every entry of it.
      if (req.query.to === undefined) await signTailCheckpoint(ledger.sequencer);
      const lines = entriesAsNdjson(db, { from: req.query.from ?? 0, to: req.query.to });
      return reply.type('application/x-ndjson').send(lines);
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['ledger'],
        operationId: 'getJwks',
        summary: 'Every public key that ever signed a checkpoint (retired keys stay)',
        security: [],
        response: {
          200: Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) }),
          ...problemResponses(401),
        },
      },
    },
    async () => readJwks(db),
  );
};
