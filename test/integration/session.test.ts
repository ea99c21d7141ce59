// What the screens ask before their first call: how to sign in, the catalog, and in dev mode a token for the
// role and sites a person picks. The dev login answers only the machine the server runs on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const mint = (body: unknown, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/v1/dev/tokens', payload: body as object, remoteAddress });

describe('dev sign-in', () => {
  it('says the server is in dev mode and lists the roles and the catalog sites', async () => {
    const res = await t.app.inject('/v1/session/config');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.mode).toBe('dev');
    expect(body.roles).toContain('intake');
    expect(body.sites.map((s: { code: string }) => s.code)).toEqual(
      expect.arrayContaining(['CLEON', 'DIEPPE']),
    );
  });

  it('mints a token that the API accepts for that role and site only', async () => {
    const res = await mint({ role: 'intake', sites: ['DIEPPE'], sub: 'dock-op-117' });
    expect(res.statusCode).toBe(201);
    const { token } = res.json();
    const ok = await t.as(token, 'GET', '/v1/shipments?to=DIEPPE');
    expect(ok.statusCode).toBe(200);
    // The intake role may not open an incident.
    const refused = await t.as(token, 'POST', '/v1/incidents', {
      incidentId: 'INC-DEV-1',
      title: 'x',
      severity: 'LOW',
    });
    expect(refused.statusCode).toBe(403);
  });

  it('refuses a caller on another machine, with what to do instead', async () => {
    const res = await mint({ role: 'admin', sites: ['*'] }, '10.20.30.40');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'DEV_LOGIN_LOCAL_ONLY' });
    expect(res.json().detail).toContain('motor-ledger token');
  });

  it('refuses a request relayed by a proxy on this machine (it comes from loopback, but not from this machine)', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/dev/tokens',
        payload: { role: 'admin', sites: ['*'] },
        remoteAddress: '127.0.0.1',
        headers: { [header]: header === 'forwarded' ? 'for=203.0.113.9' : '203.0.113.9' },
      });
      expect(res.statusCode, header).toBe(403);
      expect(res.json()).toMatchObject({ code: 'DEV_LOGIN_LOCAL_ONLY' });
    }
  });

  it('refuses an unknown role or site with a sentence that lists the right ones', async () => {
    const role = await mint({ role: 'superuser', sites: ['DIEPPE'] });
    expect(role.statusCode).toBe(400);
    expect(role.json()).toMatchObject({ code: 'INVALID_ROLE' });
    expect(role.json().detail).toContain('intake');
    const site = await mint({ role: 'intake', sites: ['LE_HAVRE'] });
    expect(site.statusCode).toBe(400);
    expect(site.json()).toMatchObject({ code: 'UNKNOWN_SITE' });
    expect(site.json().detail).toContain('DIEPPE');
  });
});

describe('the catalog', () => {
  it('needs a token', async () => {
    expect((await t.app.inject('/v1/catalog')).statusCode).toBe(401);
  });

  it("shows a brand-limited reader only its brand's models, with their slots", async () => {
    const alpine = await t.token(['assembly'], ['DIEPPE'], { brands: ['Alpine'] });
    const res = await t.as(alpine, 'GET', '/v1/catalog');
    expect(res.statusCode).toBe(200);
    const { models, sites } = res.json();
    expect(models.A390.slots).toEqual({ REAR_LEFT: '7DL', REAR_RIGHT: '7DL', FRONT: '6AM' });
    expect(Object.keys(models)).not.toContain('MEGANE');
    expect(Object.keys(sites)).toContain('DIEPPE');
  });
});

describe('with an identity provider', () => {
  it('has no dev sign-in: the login page asks for a provider token', async () => {
    const idp = await startTestApp({
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks',
      AUTH_ISSUER: 'http://127.0.0.1:9',
    });
    try {
      const cfg = await idp.app.inject('/v1/session/config');
      expect(cfg.json().mode).toBe('token');
      const res = await idp.app.inject({
        method: 'POST',
        url: '/v1/dev/tokens',
        payload: { role: 'admin', sites: ['*'] },
      });
      expect(res.statusCode).toBe(404);
    } finally {
      await idp.close();
    }
  });
});
