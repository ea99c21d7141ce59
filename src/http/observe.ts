// What an operator watches: Prometheus metrics (prom-client, one registry per app) and one JSON log line per
// request with its request id (an incoming `x-request-id` is kept and echoed back), the principal, and for a
// write the seq it was given or the refusal code. docs/operations.md lists the metrics and what to alert on.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Principal } from '../auth/principal.js';
import type { AppContext } from './context.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus registry (GET /metrics, and METRICS_PORT's server). */
    metrics: Registry;
  }
}

/** An incoming request id is kept when it is a sane token (letters, digits, `.-_:`), else one is made. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of an incoming request: its `x-request-id` header when sane, else a new UUID. */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** What a request wrote or why it was refused, for its log line. */
const outcomes = new WeakMap<FastifyRequest, { seq?: number; code?: string }>();

/** Note the seq a write was given (its log line says it). */
export function noteWrite(request: FastifyRequest, seq: number): void {
  outcomes.set(request, { ...outcomes.get(request), seq });
}

/** Note the code of a refusal (its log line says it, and the refusals counter counts it). */
export function noteRefusal(request: FastifyRequest, code: string): void {
  outcomes.set(request, { ...outcomes.get(request), code });
}

const principalFields = (p: Principal | undefined) =>
  p ? { sub: p.sub, roles: p.roles, sites: p.sites } : undefined;

/**
 * The app's metrics registry, filled by request hooks and read on scrape from the ledger and the sequencer.
 * @example const metrics = observe(app, ctx); app.get('/metrics', async () => metrics.registry.metrics());
 */
export function observe(app: FastifyInstance, ctx: AppContext): { registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'motor_ledger_' });
  const labels = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'motor_ledger_http_requests_total',
    help: 'HTTP requests answered, by method, route (its pattern) and status.',
    labelNames: labels,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'motor_ledger_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status.',
    labelNames: labels,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'motor_ledger_refusals_total',
    help: 'Requests refused with a problem+json answer (4xx), by its code.',
    labelNames: ['code'],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'motor_ledger_sequencer_batch_commands',
    help: 'Commands (and checkpoint requests) in one sequencer batch.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'motor_ledger_sequencer_batch_seconds',
    help: 'Time of one sequencer batch, from its start to its commit and answers.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const sequencer = ctx.ledger.sequencer;
  sequencer.onBatch = ({ commands, ms }) => {
    batchSize.observe(commands);
    batchSeconds.observe(ms / 1000);
  };
  new Gauge({
    name: 'motor_ledger_sequencer_queue_depth',
    help: 'Commands waiting for a sequencer batch.',
    registers: [registry],
    collect() {
      this.set(sequencer.queued);
    },
  });
  // Read from the database on scrape: what every process on it sees.
  const db = ctx.ledger.handle.db;
  const state = async () => {
    const { rows } = await sql<{
      size: number | null;
      checkpoint: number | null;
      age: number | null;
      indexed: number | null;
    }>`
      SELECT (SELECT max(seq) + 1 FROM ledger_entry) AS size,
             (SELECT max(size) FROM ledger_checkpoint) AS checkpoint,
             (SELECT extract(epoch FROM now() - max(created)) FROM ledger_checkpoint) AS age,
             (SELECT next_seq FROM epcis_index_state) AS indexed`.execute(db);
    const r = rows[0];
    return {
      size: Number(r?.size ?? 0),
      checkpoint: Number(r?.checkpoint ?? 0),
      age: r?.age === null || r?.age === undefined ? undefined : Number(r.age),
      indexed: Number(r?.indexed ?? 0),
    };
  };
  let scrape: ReturnType<typeof state> | undefined;
  const once = () => {
    scrape ??= state().finally(() => {
      scrape = undefined;
    });
    return scrape;
  };
  const gauge = (
    name: string,
    help: string,
    value: (s: Awaited<ReturnType<typeof state>>) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = value(await once());
        if (v !== undefined) this.set(v);
      },
    });
  gauge('motor_ledger_log_entries', 'Entries in the log.', (s) => s.size);
  gauge(
    'motor_ledger_checkpoint_size',
    'Entries covered by the newest signed checkpoint.',
    (s) => s.checkpoint,
  );
  gauge('motor_ledger_checkpoint_uncovered_entries', 'Entries not yet covered by a signed checkpoint.', (s) =>
    Math.max(0, s.size - s.checkpoint),
  );
  gauge(
    'motor_ledger_checkpoint_age_seconds',
    'Seconds since the newest signed checkpoint was made (absent before the first).',
    (s) => s.age,
  );
  gauge(
    'motor_ledger_epcis_index_lag_entries',
    'Entries the EPCIS event-hash index has not mapped yet (its follower is behind by this many).',
    (s) => Math.max(0, s.size - s.indexed),
  );
  // Projections are written in the append's own transaction: they never lag the log.
  const pool = ctx.ledger.handle.poolStats;
  if (pool) {
    new Gauge({
      name: 'motor_ledger_db_pool_connections',
      help: 'Connections of the PostgreSQL pool: total open, idle, and requests waiting for one.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const s = pool();
        this.set({ state: 'total' }, s.total);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
      },
    });
  }

  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const seconds = reply.elapsedTime / 1000;
    requests.inc({ method: request.method, route, status });
    duration.observe({ method: request.method, route, status }, seconds);
    const outcome = outcomes.get(request);
    if (outcome?.code && reply.statusCode >= 400 && reply.statusCode < 500)
      refusals.inc({ code: outcome.code });
    request.log.info(
      {
        method: request.method,
        route,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        principal: principalFields(request.principal),
        ...outcome,
      },
      'request',
    );
  });
  return { registry };
}

/**
 * Serve GET /metrics alone, without a token, on its own port (METRICS_PORT): for a scraper on a private network.
 * Anything else is 404. Resolves with the server once it listens.
 * @example const server = await serveMetrics(registry, 9464, '10.0.0.5');
 */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served on this port.\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(503, { 'content-type': 'text/plain' }).end('Metrics are unavailable right now.\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
