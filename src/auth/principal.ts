// Who is calling, and what they may do: the principal a verified bearer token describes, and the checks a route
// makes before it writes. Pure: no HTTP, no crypto. Every refusal is an AuthError (or a ValidationError when the
// request must say more) with a sentence the caller can act on; the actor it returns is what goes in the envelope.
import type { Actor } from '../core/envelope.js';
import { AuthError, ValidationError } from '../core/errors.js';

/** Every role a token may carry. `admin` grants nothing implicitly: a route lists it when it wants it. */
export const ROLES = [
  'producer',
  'logistics',
  'intake',
  'assembly',
  'quality',
  'auditor',
  'admin',
  'partner',
] as const;
export type Role = (typeof ROLES)[number];

/** In `sites` or `brands`: every site, every brand. */
export const ALL = '*';

/** Site placed in the actor when the token is valid for several sites and the route names none. */
export const ANY_SITE = 'ANY';

/**
 * The caller, from a verified token. Shared between requests by the verification cache, so it is frozen
 * (arrays included): copy before changing. `token` is not enumerable, so logging or serializing a principal
 * never writes the bearer token.
 */
export interface Principal {
  sub: string;
  roles: Role[];
  /** Site codes such as CLEON or DIEPPE; '*' = every site; empty = none. */
  sites: string[];
  /** Brands such as Alpine; '*' = every brand; empty (or absent from the token) = none. */
  brands: string[];
  token: string;
}

/** What a route requires: one of `roles`, and when `site` is given, that the token is valid there. */
export interface AccessRule {
  roles: readonly Role[];
  site?: string | undefined;
}

/** Is `value` one of ROLES? */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Check the caller against a route's rule and return the actor to record in the envelope: the first of
 * `rule.roles` the caller has, and `rule.site`, else the token's only site, else 'ANY'.
 * @example const actor = authorize(request.principal, { roles: ['producer'], site: body.site });
 */
export function authorize(principal: Principal | undefined, rule: AccessRule): Actor {
  if (!principal) throw tokenMissing();
  const role = rule.roles.find((r) => principal.roles.includes(r));
  if (role === undefined) {
    const has = principal.roles.length ? principal.roles.join(', ') : 'no role';
    throw new AuthError(
      403,
      'ROLE_REQUIRED',
      `This needs one of the roles ${rule.roles.join(', ')}; your token has ${has}.`,
    );
  }
  if (rule.site !== undefined) {
    assertSite(principal, rule.site);
    return { sub: principal.sub, role, site: rule.site };
  }
  const only = principal.sites.length === 1 ? principal.sites[0] : undefined;
  return { sub: principal.sub, role, site: only !== undefined && only !== ALL ? only : ANY_SITE };
}

/**
 * The site a request acts for: `requested` when given (and allowed), else the token's only site. A token
 * valid for several sites (or '*') must name one: ValidationError SITE_REQUIRED. A token with no site at all
 * gets 403 SITE_NOT_ALLOWED; no principal at all, 401 TOKEN_MISSING (so calling it before authorize() is safe).
 */
export function resolveSite(principal: Principal | undefined, requested?: string): string {
  if (!principal) throw tokenMissing();
  if (requested !== undefined) {
    assertSite(principal, requested);
    return requested;
  }
  const only = principal.sites.length === 1 ? principal.sites[0] : undefined;
  if (only !== undefined && only !== ALL) return only;
  if (principal.sites.length === 0) {
    throw new AuthError(
      403,
      'SITE_NOT_ALLOWED',
      'Your token is not valid for any site; ask for a token that names your site.',
    );
  }
  throw new ValidationError(
    'SITE_REQUIRED',
    'Your token is valid for several sites; say which one with "site".',
  );
}

/** May the caller act for `site`? */
export function canUseSite(principal: Principal, site: string): boolean {
  return principal.sites.includes(ALL) || principal.sites.includes(site);
}

function tokenMissing(): AuthError {
  return new AuthError(
    401,
    'TOKEN_MISSING',
    'This needs a bearer token: send the header "Authorization: Bearer <token>".',
  );
}

function assertSite(principal: Principal, site: string): void {
  if (canUseSite(principal, site)) return;
  const valid = principal.sites.length ? `it is valid for ${principal.sites.join(', ')}` : 'it names no site';
  throw new AuthError(
    403,
    'SITE_NOT_ALLOWED',
    `Your token is not valid for site ${site}; ${valid}. Use a token issued for ${site}.`,
  );
}
