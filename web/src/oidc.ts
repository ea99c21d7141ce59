// Sign in at the plant's identity provider: OpenID Connect authorization code flow with PKCE (RFC 7636), the
// flow for a browser app that holds no secret. oauth4webapi (panva) does the protocol: discovery, the
// authorization request, the callback's checks (state, issuer) and the token request; the access token it
// returns is the bearer token the API verifies against the provider's JWKS.
import * as oauth from 'oauth4webapi';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  scope: string;
}

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

const PENDING = 'motor-ledger.oidc';

/** The screens' callback address, registered at the provider as the client's redirect URI. */
export const redirectUri = () => `${location.origin}/login/callback`;

// Plain http only towards the machine itself (a provider on localhost in development).
const insecureOk = (url: URL) =>
  url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

async function discover(config: OidcConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, {
    algorithm: 'oidc',
    [oauth.allowInsecureRequests]: insecureOk(issuer),
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Go to the provider's sign-in page; it comes back to /login/callback. `next` is where to land afterwards. */
export async function startSignIn(config: OidcConfig, next: string): Promise<void> {
  const as = await discover(config);
  if (!as.authorization_endpoint) throw new Error('The identity provider has no authorization endpoint.');
  const verifier = oauth.generateRandomCodeVerifier();
  const pending: Pending = {
    verifier,
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    next,
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  location.assign(url.href);
}

/**
 * On /login/callback: check the provider's answer and exchange its code for tokens.
 * @returns the access token (the API's bearer token) and the page to go to
 */
export async function finishSignIn(config: OidcConfig): Promise<{ token: string; next: string }> {
  const raw = sessionStorage.getItem(PENDING);
  if (raw === null) throw new Error('This sign-in was not started from this browser tab: sign in again.');
  sessionStorage.removeItem(PENDING);
  const pending = JSON.parse(raw) as Pending;
  const as = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    { [oauth.allowInsecureRequests]: insecureOk(new URL(config.issuer)) },
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  return { token: result.access_token, next: pending.next };
}
