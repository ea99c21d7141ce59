// Data is stored exactly as sent, or refused: nothing a client sends is coerced before it is hashed into the
// log, and nothing a client sends gets a 500. Every refusal is problem+json naming the field, and the log
// does not grow.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newSerial, plantTokens, post, produceBody, type Tokens, testBody } from '../support/plant.js';

let t: TestApp;
let k: Tokens;
let auditor: string;
beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
  auditor = await t.token(['auditor'], []);
});
afterAll(async () => {
  await t.close();
});

/** Send raw text as the body (to say what JSON.parse would lose: 9007199254740993, 1e400, -0, "\ud800"). */
function raw(token: string, method: 'POST' | 'PATCH', url: string, text: string, type = 'application/json') {
  return t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    payload: text,
  });
}

/** Expect a 400 VALIDATION_FAILED naming `field`, and no entry written. */
async function refusedField(send: () => Promise<LightMyRequestResponse>, field: string) {
  const before = await t.logSize();
  const res = await send();
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  const problem = res.json();
  expect({ status: res.statusCode, code: problem.code, field: problem.field }).toEqual({
    status: 400,
    code: 'VALIDATION_FAILED',
    field,
  });
  expect(problem.detail).toContain(field);
  expect(await t.logSize()).toBe(before);
  return problem;
}

/** The stored entry of a write's answer, parsed from its exact bytes. */
async function stored(seq: number) {
  const res = await t.as(auditor, 'GET', `/v1/ledger/entries/${seq}`);
  expect(res.statusCode).toBe(200);
  return { text: res.payload, entry: JSON.parse(res.payload) };
}

// First, while the log is still empty.
describe('a checkpoint asked for on an empty log', () => {
  it('is the 409 its schema declares, not a 500', async () => {
    expect(await t.logSize()).toBe(0);
    const res = await t.as(auditor, 'POST', '/v1/ledger/checkpoints');
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 409, code: 'EMPTY_LOG' });
  });
});

describe('bodies are never coerced', () => {
  let serial: string;
  beforeAll(async () => {
    serial = newSerial();
    await post(t, k.producer, '/v1/motors', produceBody(serial));
  });
  const tests = () => `/v1/motors/${serial}/tests`;

  it('stores a boolean, a numeric string and a number measurement as sent', async () => {
    const body = { ...testBody(), measurements: { sealOk: true, torqueNm: 412.5, label: '1', zero: 0 } };
    const written = await post(t, k.producer, tests(), body);
    const { entry, text } = await stored(written.event.seq);
    expect(entry.data.measurements).toEqual({ sealOk: true, torqueNm: 412.5, label: '1', zero: 0 });
    expect(text).toContain('"sealOk":true');
  });

  it('refuses null where a measurement is expected (was stored as 0)', async () => {
    await refusedField(
      () => t.as(k.producer, 'POST', tests(), { ...testBody(), measurements: { torqueNm: null } }),
      'body/measurements/torqueNm',
    );
  });

  it('refuses ["PASS"] as a verdict (was stored as "PASS")', async () => {
    await refusedField(
      () => t.as(k.producer, 'POST', tests(), { ...testBody(), verdict: ['PASS'] }),
      'body/verdict',
    );
  });

  it('refuses a number where a string id is expected (serial, holdId)', async () => {
    await refusedField(
      () => t.as(k.producer, 'POST', '/v1/motors', { ...produceBody(newSerial()), serial: 12345678 }),
      'body/serial',
    );
    await refusedField(
      () => t.as(k.producer, 'POST', '/v1/motors', { ...produceBody(newSerial()), line: 2 }),
      'body/line',
    );
    await refusedField(
      () => t.as(k.quality, 'POST', '/v1/holds', { holdId: 31, serials: [serial], reason: 'Suspect lot' }),
      'body/holdId',
    );
  });

  it('refuses a string where a number is expected', async () => {
    await refusedField(
      () => t.as(k.quality, 'POST', '/v1/trace/forward', { filter: {}, limit: '10' }),
      'body/limit',
    );
  });

  it('refuses an integer beyond 2^53 (JSON.parse would round 9007199254740993 to ...992)', async () => {
    const text = JSON.stringify({ ...testBody(), measurements: { count: 1 } }).replace(
      '"count":1',
      '"count":9007199254740993',
    );
    const p = await refusedField(() => raw(k.producer, 'POST', tests(), text), 'body/measurements/count');
    expect(p.detail).toMatch(/9007199254740991/);
    const serialText = JSON.stringify(produceBody(newSerial())).replace(
      /"serial":"[^"]+"/,
      '"serial":9007199254740993',
    );
    await refusedField(() => raw(k.producer, 'POST', '/v1/motors', serialText), 'body/serial');
  });

  it('refuses a number beyond the range of a double (1e400 was stored as "Infinity")', async () => {
    const text = JSON.stringify({ ...testBody(), measurements: { torqueNm: 1 } }).replace(
      '"torqueNm":1',
      '"torqueNm":1e400',
    );
    await refusedField(() => raw(k.producer, 'POST', tests(), text), 'body/measurements/torqueNm');
    await refusedField(
      () => raw(k.quality, 'POST', '/v1/holds', `{"holdId":1e400,"serials":["${serial}"],"reason":"x"}`),
      'body/holdId',
    );
  });

  it('refuses -0 in a measurement (it would be stored as 0)', async () => {
    const text = JSON.stringify({ ...testBody(), measurements: { offsetV: 1 } }).replace(
      '"offsetV":1',
      '"offsetV":-0',
    );
    await refusedField(() => raw(k.producer, 'POST', tests(), text), 'body/measurements/offsetV');
  });
});

describe('a JSON body is read one way only', () => {
  const incident = '"title":"Noise","severity":"HIGH"';
  it('refuses a member named twice (JSON.parse would keep the last)', async () => {
    const before = await t.logSize();
    const res = await raw(
      k.quality,
      'POST',
      '/v1/incidents',
      `{"incidentId":"INC-D1",${incident},"incidentId":"INC-D2"}`,
    );
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect({ status: res.statusCode, code: res.json().code, field: res.json().field }).toEqual({
      status: 400,
      code: 'DUPLICATE_MEMBER',
      field: 'body/incidentId',
    });
    const escaped = await raw(
      k.quality,
      'POST',
      '/v1/incidents',
      `{"incidentId":"INC-D3",${incident},"\\u0074itle":"x"}`,
    );
    expect(escaped.json()).toMatchObject({ code: 'DUPLICATE_MEMBER', field: 'body/title' });
    expect(await t.logSize()).toBe(before);
  });

  it('refuses bytes that are not UTF-8 (they were stored as U+FFFD)', async () => {
    const before = await t.logSize();
    const text = Buffer.concat([
      Buffer.from(`{"incidentId":"INC-U1","severity":"HIGH","title":"Noise `),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/incidents',
      headers: { authorization: `Bearer ${k.quality}`, 'content-type': 'application/json' },
      payload: text,
    });
    expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 400, code: 'INVALID_UTF8' });
    expect(await t.logSize()).toBe(before);
  });

  it('refuses __proto__ and accepts a UTF-8 body with the characters of any language', async () => {
    const poisoned = await raw(
      k.quality,
      'POST',
      '/v1/incidents',
      `{"incidentId":"INC-P1",${incident},"__proto__":{"x":1}}`,
    );
    expect(poisoned.statusCode).toBe(400);
    const written = await post(t, k.quality, '/v1/incidents', {
      incidentId: 'INC-P2',
      title: 'Bruit moteur arrière — 异响 🚗',
      severity: 'LOW',
    });
    expect((await stored(written.event.seq)).entry.data.title).toBe('Bruit moteur arrière — 异响 🚗');
  });
});

describe('a refusal names the member', () => {
  it('that is not allowed, or missing', async () => {
    const body = { incidentId: 'INC-M1', title: 'Noise', severity: 'HIGH' };
    const extra = await refusedField(
      () => t.as(k.quality, 'POST', '/v1/incidents', { ...body, colour: 'blue' }),
      'body/colour',
    );
    expect(extra.detail).toContain('colour');
    await refusedField(
      () => t.as(k.quality, 'POST', '/v1/incidents', { incidentId: 'INC-M2', title: 'Noise' }),
      'body/severity',
    );
  });
});

describe('the common write fields', () => {
  it('refuses a business time that names no real instant, and a site that is not a site code', async () => {
    const body = { incidentId: 'INC-T1', title: 'Noise', severity: 'HIGH' };
    await refusedField(
      () => t.as(k.quality, 'POST', '/v1/incidents', { ...body, time: '2026-02-30T08:00:00Z' }),
      'body/time',
    );
    await refusedField(
      () => t.as(k.quality, 'POST', '/v1/incidents', { ...body, site: 'cleon\n' }),
      'body/site',
    );
  });
});

describe('free text with a lone surrogate or U+0000 is a 400 naming the field', () => {
  const bad = { 'a lone surrogate': 'Suspect \\ud800 lot', 'U+0000': 'Suspect \\u0000 lot' };
  const cases: [string, 'POST' | 'PATCH', () => string, (s: string) => string, string][] = [
    [
      'hold reason',
      'POST',
      () => '/v1/holds',
      (s) => `{"holdId":"HOLD-X1","serials":["7DL-000123"],"reason":"${s}"}`,
      'body/reason',
    ],
    [
      'incident title',
      'POST',
      () => '/v1/incidents',
      (s) => `{"incidentId":"INC-X1","title":"${s}","severity":"HIGH"}`,
      'body/title',
    ],
    ['incident title update', 'PATCH', () => '/v1/incidents/INC-X1', (s) => `{"title":"${s}"}`, 'body/title'],
    [
      'forward-trace hold reason',
      'POST',
      () => '/v1/trace/forward/hold',
      (s) => `{"filter":{"lots":{"magnets":"MAG-1"}},"holdId":"HOLD-X2","reason":"${s}"}`,
      'body/reason',
    ],
    [
      'correction reason',
      'POST',
      () => '/v1/corrections',
      (s) => `{"targetId":"${randomUUID()}","reason":"${s}"}`,
      'body/reason',
    ],
    [
      'test measurement',
      'POST',
      () => `/v1/motors/${newSerial()}/tests`,
      (s) => `{"bench":"EOL-3","specVersion":"S-1","verdict":"PASS","measurements":{"note":"${s}"}}`,
      'body/measurements/note',
    ],
  ];
  for (const [what, method, url, body, field] of cases) {
    for (const [name, text] of Object.entries(bad)) {
      it(`${what} with ${name}`, async () => {
        const token = url().includes('/tests') ? k.producer : k.quality;
        await refusedField(() => raw(token, method, url(), body(text)), field);
      });
    }
  }

  it('a member name with a lone surrogate', async () => {
    const text = `{"bench":"EOL-3","specVersion":"S-1","verdict":"PASS","measurements":{"a\\udc00":1}}`;
    await refusedField(
      () => raw(k.producer, 'POST', `/v1/motors/${newSerial()}/tests`, text),
      'body/measurements/a\udc00',
    );
  });
});

describe('path and query parameters are converted safely', () => {
  it.each([
    ['/v1/ledger/entries/Infinity', 'params/seq'],
    ['/v1/ledger/entries/1e400', 'params/seq'],
    ['/v1/ledger/entries/99999999999999999999', 'params/seq'],
    ['/v1/ledger/export?to=99999999999999999999', 'querystring/to'],
    ['/v1/ledger/export?from=Infinity', 'querystring/from'],
    ['/v1/ledger/proof/consistency?from=1&to=Infinity', 'querystring/to'],
    ['/v1/ledger/proof/inclusion?seq=0&treeSize=-Infinity', 'querystring/treeSize'],
    ['/v1/ledger/checkpoints?after=99999999999999999999', 'querystring/after'],
    ['/v1/motors/7DL-000001/timeline?asOfSeq=99999999999999999999', 'querystring/asOfSeq'],
    ['/v1/flow/reconciliation?notReceivedAfterHours=Infinity', 'querystring/notReceivedAfterHours'],
  ])('GET %s → 400 naming %s', async (url, field) => {
    const res = await t.as(auditor, 'GET', url);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect({ status: res.statusCode, code: res.json().code, field: res.json().field }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      field,
    });
  });

  it('still converts a plain number', async () => {
    const res = await t.as(auditor, 'GET', '/v1/ledger/checkpoints?limit=5');
    expect(res.statusCode).toBe(200);
  });

  it('a U+0000 in a query string is a 400, not a database error', async () => {
    const res = await t.as(k.quality, 'GET', '/v1/lots/magnets/MAG-1/where-used?cursor=a%00b');
    expect({ status: res.statusCode, field: res.json().field }).toEqual({
      status: 400,
      field: 'querystring/cursor',
    });
  });
});

describe("Fastify's own refusals are problem+json too", () => {
  const isProblem = (res: LightMyRequestResponse, status: number) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const p = res.json();
    expect(p).toMatchObject({ status, type: expect.stringMatching(/^https:/), title: expect.any(String) });
    expect(p.code).toMatch(/^[A-Z_]+$/);
    expect(p.detail.length).toBeGreaterThan(20);
    return p;
  };

  it('a text/plain body is 415', async () => {
    const before = await t.logSize();
    isProblem(await raw(k.quality, 'POST', '/v1/incidents', 'hello', 'text/plain'), 415);
    expect(await t.logSize()).toBe(before);
  });

  it('a bad %-escape in the path is 400', async () => {
    isProblem(await t.as(k.quality, 'GET', '/v1/motors/%E0%A4%A'), 400);
  });

  it('a path parameter past the longest allowed is 414', async () => {
    isProblem(await t.as(k.quality, 'GET', `/v1/motors/${'A'.repeat(300)}`), 414);
  });

  it('headers too large are 431, and a request that is not HTTP is 400', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const send = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(text));
        let got = '';
        socket.on('data', (d) => {
          got += d.toString();
        });
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
      });
    const big = await send(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1.1 431/);
    expect(big).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    });
    const junk = await send('NOT HTTP AT ALL\r\n\r\n');
    expect(junk).toMatch(/^HTTP\/1.1 400/);
    expect(JSON.parse(junk.slice(junk.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 400,
      code: 'MALFORMED_REQUEST',
    });
  });
});

describe('while the server shuts down', () => {
  it('a request on a kept-alive connection gets 503 problem+json', async () => {
    const s = await startTestApp();
    // Each step waits for the server to reach the state the next one needs: no sleeps.
    const signal = () => {
      let fire!: () => void;
      const fired = new Promise<void>((r) => {
        fire = r;
      });
      return { fire, fired };
    };
    const entered = signal();
    const release = signal();
    const closingStarted = signal();
    const refused = signal();
    s.app.get('/test/slow', async () => {
      entered.fire();
      await release.fired;
      return { ok: true };
    });
    s.app.addHook('preClose', async () => closingStarted.fire());
    s.app.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode === 503) refused.fire();
      return payload;
    });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = s.app.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
    });
    const socketClosed = new Promise<void>((r) => socket.on('close', () => r()));
    await new Promise<void>((r) => socket.on('connect', () => r()));
    socket.write('GET /test/slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await entered.fired;
    const closed = s.app.close();
    await closingStarted.fired;
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await refused.fired;
    release.fire();
    await socketClosed;
    await closed;
    await s.ledger.close();
    await s.tdb.drop();
    const second = got.slice(got.indexOf('HTTP/1.1', 1));
    expect(second).toMatch(/^HTTP\/1.1 503/);
    expect(second).toMatch(/content-type: application\/problem\+json/i);
    expect(second).toContain('"code":"SHUTTING_DOWN"');
  });
});
