// The shared path of every write endpoint: check the role (before the body is even validated), resolve the
// site the action happens at, build the domain command with the actor from the token, send it through the
// sequencer and answer with the entry that was appended. Refusals surface as problem+json from the error handler.
import type { FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import { authorize, type Role, resolveSite } from '../auth/principal.js';
import { type CommandBody, withSites } from '../core/domain/decide.js';
import type { DomainState } from '../core/domain/state.js';
import type { Actor } from '../core/envelope.js';
import { plantCommand } from '../domain/domain.js';
import type { AppendResult, DecidedEvent } from '../ledger/sequencer.js';
import type { AppContext } from './context.js';
import { noteWrite } from './observe.js';

/** preValidation hook: 401 without a valid token, 403 without one of the roles. */
export function requireRole(...roles: Role[]): preValidationHookHandler {
  return async (request) => {
    authorize(request.principal, { roles });
  };
}

export interface EventView {
  seq: number;
  id: string;
  type: string;
  leafHash: string;
  recorded: string;
}

export function eventView(r: AppendResult): EventView {
  return { seq: r.seq, id: r.id, type: r.type, leafHash: r.leafHash, recorded: r.recorded };
}

type WithId = { id?: string; site?: string; time?: string };

/**
 * Run one write: the body's `id` is the idempotency key, `site` (optional) the site it happens at, `time` the
 * business time (default: now).
 */
export async function runCommand(
  ctx: AppContext,
  request: FastifyRequest,
  options: {
    roles: Role[];
    /** Whether the action happens at a site of the token (production, intake, assembly); else 'ANY'. */
    atSite: boolean;
    build: (actor: Actor, time: string) => CommandBody;
    answer?: (state: DomainState, event: DecidedEvent) => unknown;
  },
): Promise<AppendResult> {
  const body = (request.body ?? {}) as WithId;
  const principal = request.principal;
  authorize(principal, { roles: options.roles }); // the role first: a 403 says more than "which site?"
  const site = options.atSite && principal ? resolveSite(principal, body.site) : undefined;
  const actor = authorize(principal, { roles: options.roles, site });
  const { id, ...rest } = body;
  // The domain decides what the command acts on against the caller's sites (decide.ts, assertWithinSites).
  const command = withSites(
    options.build(actor, body.time ?? new Date().toISOString()),
    principal?.sites ?? [],
  );
  const result = await ctx.ledger.sequencer.append(
    plantCommand(ctx.catalog, command, id, { ...rest, params: request.params }, options.answer),
  );
  noteWrite(request, result.seq);
  return result;
}

/** Send a write's answer: 201 with the entry, or the first answer again (header Idempotent-Replayed) for a retry. */
export function sendEvent(reply: FastifyReply, result: AppendResult, extra: Record<string, unknown> = {}) {
  if (result.duplicate) void reply.header('idempotent-replayed', 'true');
  return reply.status(201).send({ event: eventView(result), ...extra });
}
