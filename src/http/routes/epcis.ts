// The read side of the EPCIS 2.0 REST binding: GET /epcis/events (the standard query parameters, paged with
// perPage and a nextPageToken carried by the `Link: <…>; rel="next"` header) and GET /epcis/events/{eventID}.
// Answers are EPCISQueryDocuments; what a reader sees is brand-scoped as the native reads (src/epcis/query.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { epcisNamespaceOf } from '../../config.js';
import { siteUri } from '../../core/epcis/ids.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { findEpcisEvent, followEpcisIndex } from '../../epcis/event-index.js';
import {
  EPCIS_EVENT_TYPES,
  EPCIS_QUERY_PARAMETERS,
  type EpcisEventPage,
  type EpcisListParameter,
  epcisVocabulary,
  PER_PAGE_DEFAULT,
  PER_PAGE_MAX,
  parseEpcisQuery,
  queryEpcisEvents,
  toEpcisCollection,
  toEpcisQueryDocument,
} from '../../epcis/query.js';
import { scopeOf } from '../../query/scope.js';
import { requireRole } from '../command.js';
import type { AppContext } from '../context.js';
import { AnyObject, problemResponses } from '../schemas.js';

const READERS = ['quality', 'auditor', 'admin', 'logistics'] as const;
const VERSIONS = { 'gs1-epcis-version': '2.0.0', 'gs1-cbv-version': '2.0.0' };

const DESCRIPTIONS: Record<(typeof EPCIS_QUERY_PARAMETERS)[number], string> = {
  MATCH_epc: 'Events whose epcList or childEPCs holds one of these URIs (pipe-delimited).',
  MATCH_anyEPC: 'Events whose epcList, childEPCs or parentID holds one of these URIs (pipe-delimited).',
  MATCH_parentID: 'Events whose parentID is one of these URIs (a rack, a VIN; pipe-delimited).',
  eventType:
    'Events of one of these types: ObjectEvent, AggregationEvent, AssociationEvent… (pipe-delimited).',
  EQ_bizStep: 'Events with one of these business steps: CBV bare words (shipping) or URIs (pipe-delimited).',
  EQ_disposition:
    'Events with one of these dispositions: CBV bare words (in_transit) or URIs (pipe-delimited).',
  EQ_bizLocation: 'Events whose bizLocation is one of these URIs (pipe-delimited).',
  EQ_readPoint: 'Events whose readPoint is one of these URIs (pipe-delimited).',
  EXISTS_errorDeclaration:
    'true: only events restated with an errorDeclaration (a correction); false or absent: all events.',
  GE_eventTime: 'Events with eventTime at or after this RFC 3339 date-time.',
  LT_eventTime: 'Events with eventTime before this RFC 3339 date-time.',
  GE_recordTime: 'Events recorded at or after this RFC 3339 date-time.',
  LT_recordTime: 'Events recorded before this RFC 3339 date-time.',
  perPage: `Most events in one answer: 1 to ${PER_PAGE_MAX} (default ${PER_PAGE_DEFAULT}).`,
  nextPageToken: 'Where to continue: given in the Link header (rel="next") of the previous page.',
};

// Every parameter is text here and read by parseEpcisQuery, so that a bad value is refused with one code that
// names it (EPCIS_QUERY_PARAMETER), whichever parameter it is.
const EventsQuery = Type.Object(
  Object.fromEntries(
    EPCIS_QUERY_PARAMETERS.map((name) => [
      name,
      Type.Optional(Type.String({ maxLength: 4000, description: DESCRIPTIONS[name] })),
    ]),
  ),
  // Unknown parameters reach parseEpcisQuery too, which refuses them by name.
  { additionalProperties: true },
);

export const epcisRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  const ns = epcisNamespaceOf(ctx.config);
  const vocabulary = epcisVocabulary(ns);
  // The index of event hashes follows the log while the server runs (event-index.ts).
  let follower: { stop(): Promise<void> } | undefined;
  app.addHook('onReady', async () => {
    follower = followEpcisIndex(ctx.ledger.handle.db, ns, (err) =>
      app.log.warn({ err }, 'EPCIS event index: a batch failed; it is tried again'),
    );
  });
  app.addHook('preClose', async () => {
    await follower?.stop();
  });

  /** A page as an EPCISQueryDocument, with the Link (rel=next) of the same query from where it ended. */
  const answerPage = (req: FastifyRequest, reply: FastifyReply, path: string, page: EpcisEventPage) => {
    if (page.nextPageToken) {
      const query = req.query as Record<string, string | undefined>;
      const params = new URLSearchParams(
        Object.entries(query).filter(([k, v]) => k !== 'nextPageToken' && v !== undefined) as [
          string,
          string,
        ][],
      );
      params.set('nextPageToken', page.nextPageToken);
      void reply.header('link', `<${req.protocol}://${req.host}${path}?${params}>; rel="next"`);
    }
    void reply.headers(VERSIONS);
    return toEpcisQueryDocument(page.events, ns);
  };

  app.get(
    '/epcis/events',
    {
      preValidation: requireRole(...READERS),
      schema: {
        tags: ['ledger'],
        operationId: 'queryEpcisEvents',
        summary: 'EPCIS 2.0: the events matching a query, as an EPCISQueryDocument, in log order',
        description:
          'The REST binding of GS1 EPCIS 2.0 (read side). Each event carries `ml:seq` and `ml:leafHash`, for its ' +
          'inclusion proof. Without a MATCH_ parameter, the whole log is paged through. More pages: the ' +
          '`Link: <…>; rel="next"` header. A bad parameter: 400 EPCIS_QUERY_PARAMETER naming it (`parameter`). ' +
          'Roles quality, auditor, admin, logistics; vehicles of other brands are not shown.',
        querystring: EventsQuery,
        response: { 200: AnyObject, ...problemResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const query = req.query as Record<string, string | undefined>;
      const page = await queryEpcisEvents(
        ctx.ledger.handle.db,
        scopeOf(req.principal),
        ns,
        parseEpcisQuery(query),
      );
      return answerPage(req, reply, '/epcis/events', page);
    },
  );

  app.get(
    '/epcis/events/:eventID',
    {
      preValidation: requireRole(...READERS),
      schema: {
        tags: ['ledger'],
        operationId: 'getEpcisEvent',
        summary: 'EPCIS 2.0: one event by its eventID (the CBV 2.0 event hash, URL-encoded)',
        description:
          'An EPCISQueryDocument with the event and its error declarations, if any. 404 EPCIS_EVENT_NOT_FOUND ' +
          'when no event the reader may see has this id.',
        params: Type.Object({
          eventID: Type.String({
            maxLength: 200,
            description: 'ni:///sha-256;…?ver=CBV2.0, URL-encoded',
            examples: [
              'ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0',
            ],
          }),
        }),
        response: { 200: AnyObject, ...problemResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const events = await findEpcisEvent(
        ctx.ledger.handle.db,
        scopeOf(req.principal),
        ns,
        req.params.eventID,
      );
      if (events.length === 0) {
        throw new NotFoundError('EPCIS_EVENT_NOT_FOUND', `There is no EPCIS event ${req.params.eventID}.`, {
          eventID: req.params.eventID,
        });
      }
      void reply.headers(VERSIONS);
      return toEpcisQueryDocument(events, ns);
    },
  );

  /**
   * The binding's `/{resource}/{value}/events`: GET /epcis/events with the path's value as one query parameter
   * (MATCH_anyEPC for an EPC, EQ_bizStep for a business step…), the others filtering and paging the same way.
   */
  const eventsOf = (resource: string, parameter: EpcisListParameter, what: string, example: string) => {
    const name = resource.slice(0, -1); // the binding's path parameter: epc, bizStep, readPoint…
    app.get(
      `/epcis/${resource}/:${name}/events`,
      {
        preValidation: requireRole(...READERS),
        schema: {
          tags: ['ledger'],
          operationId: `getEpcisEventsOf${resource.charAt(0).toUpperCase()}${resource.slice(1, -1)}`,
          summary: `EPCIS 2.0: the events of one ${what} (URL-encoded), as GET /epcis/events?${parameter}=…`,
          description:
            `The events of the ${what} in the path, in log order; the other query parameters of GET /epcis/events ` +
            `filter further and page the same way (${parameter} excepted: the path names it). None gives an ` +
            'empty list. Roles quality, auditor, admin, logistics; vehicles of other brands are not shown.',
          params: Type.Object({
            [name]: Type.String({
              maxLength: 1000,
              description: `The ${what}, URL-encoded`,
              examples: [example],
            }),
          }),
          querystring: EventsQuery,
          response: { 200: AnyObject, ...problemResponses(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const query = req.query as Record<string, string | undefined>;
        const parsed = parseEpcisQuery(query);
        if (query[parameter] !== undefined)
          throw new ValidationError('EPCIS_QUERY_PARAMETER', `${parameter}: the path names the ${what}.`, {
            parameter,
          });
        const value = (req.params as Record<string, string>)[name]!;
        const page = await queryEpcisEvents(ctx.ledger.handle.db, scopeOf(req.principal), ns, {
          ...parsed,
          [parameter]: [value],
        });
        return answerPage(req, reply, `/epcis/${resource}/${encodeURIComponent(value)}/events`, page);
      },
    );
  };
  eventsOf(
    'epcs',
    'MATCH_anyEPC',
    'EPC (a motor or a VIN of the plant, a rack, a partner’s EPC)',
    'https://id.cleon-dieppe.example/motor/7DL-000123',
  );
  eventsOf('eventTypes', 'eventType', 'event type', 'AssociationEvent');
  eventsOf('bizSteps', 'EQ_bizStep', 'business step', 'receiving');
  eventsOf('dispositions', 'EQ_disposition', 'disposition', 'in_transit');
  eventsOf(
    'bizLocations',
    'EQ_bizLocation',
    'business location',
    'https://id.cleon-dieppe.example/site/DIEPPE',
  );
  eventsOf('readPoints', 'EQ_readPoint', 'read point', 'https://id.cleon-dieppe.example/site/DIEPPE/dock/D3');

  const collection = (
    path: string,
    operationId: string,
    summary: string,
    member: readonly string[],
  ): void => {
    app.get(
      path,
      {
        preValidation: requireRole(...READERS),
        schema: {
          tags: ['ledger'],
          operationId,
          summary,
          description:
            'A Collection (the binding’s answer): CBV terms as bare words, the plant’s own as URIs of its ' +
            'vocabulary. The whole list fits one page. Roles quality, auditor, admin, logistics.',
          response: { 200: AnyObject, ...problemResponses(401, 403) },
        },
      },
      async (_req, reply) => {
        void reply.headers(VERSIONS);
        return toEpcisCollection(member, ns);
      },
    );
  };
  collection(
    '/epcis/bizSteps',
    'listEpcisBizSteps',
    'EPCIS 2.0: the business steps this ledger’s events carry',
    vocabulary.bizSteps,
  );
  collection(
    '/epcis/dispositions',
    'listEpcisDispositions',
    'EPCIS 2.0: the dispositions (and persistent dispositions) this ledger’s events carry',
    vocabulary.dispositions,
  );
  collection(
    '/epcis/eventTypes',
    'listEpcisEventTypes',
    'EPCIS 2.0: the event types of the repository (the five of the standard)',
    EPCIS_EVENT_TYPES,
  );
  collection(
    '/epcis/bizLocations',
    'listEpcisBizLocations',
    'EPCIS 2.0: the business locations of the ledger’s events (the catalog’s sites)',
    Object.keys(ctx.catalog.sites).map((site) => siteUri(ns, site)),
  );
};
