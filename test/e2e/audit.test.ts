// Verification as an auditor meets it: an entry verified by the browser itself (bytes → leaf hash, inclusion
// proof → root, Ed25519 signature of the checkpoint), the same page turning red when a proof answer is tampered
// with on its way (route interception), consistency between two signed checkpoints, and the export downloaded.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  type RunningServer,
  SERVER_DBS,
  signedInContext,
  startServer,
} from './support/server.js';

const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 740 };
const shots = process.env.SCREENSHOTS === '1';

interface Checkpoint {
  size: number;
  root: string;
  kid: string;
  jws: string;
  created: string;
}

/** Flip one bit of the first byte of a base64 hash: still 32 bytes, no longer the hash. */
function tamper(hash: string): string {
  const bytes = Buffer.from(hash, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64');
}

/**
 * Answer `pattern` with the real response, its JSON changed by `edit`. A request still in flight when the test
 * unroutes or closes the context (a badge's proof, say) is left to Playwright: its fulfil fails with "Route is
 * already handled" or a closed target, which says nothing about the page. An edit that does not reach the page
 * still fails the test, by the verdict the page then shows.
 */
async function rewriteAnswers<T>(
  context: BrowserContext,
  pattern: string,
  edit: (answer: T, url: URL) => void,
): Promise<void> {
  await context.route(pattern, async (route: Route) => {
    try {
      const response = await route.fetch();
      const answer = (await response.json()) as T;
      edit(answer, new URL(route.request().url()));
      await route.fulfill({ response, json: answer });
    } catch {
      // the route was released or the context closed while this request was on its way
    }
  });
}

/** Answer `pattern` with the real response, one proof hash flipped. */
async function tamperProofs(context: BrowserContext, pattern: string): Promise<void> {
  await rewriteAnswers<{ proof: string[] }>(context, pattern, (answer) => {
    answer.proof[0] = tamper(answer.proof[0]!);
  });
}

/** The steps as the page lists them: "<state> <name>". */
async function steps(page: Page, scope = 'main'): Promise<string[]> {
  return page
    .locator(`${scope} .vstep`)
    .evaluateAll((li) =>
      li.map(
        (l) =>
          `${l.classList.contains('ok') ? 'ok' : l.classList.contains('bad') ? 'bad' : 'unchecked'} ${l.querySelector('strong')?.textContent}`,
      ),
    );
}

describe.each(SERVER_DBS)('verification page (%s)', (db) => {
  let server: RunningServer;
  let browser: Browser;
  let auditor: string;
  let latest: Checkpoint;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(db), launchBrowser()]);
    auditor = await server.token('auditor', ['*']);
    latest = await server.call<Checkpoint>(auditor, 'GET', '/v1/ledger/checkpoint');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('verifies a real entry in the browser: green, the three steps checked, the leaf hash the ledger holds', async () => {
    const seq = latest.size - 1;
    const res = await fetch(`${server.url}/v1/ledger/entries/${seq}`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    const leaf = res.headers.get('x-leaf-hash')!;
    const entry = JSON.parse(await res.text()) as { type: string; prev: Record<string, { seq: number }> };

    const context = await signedInContext(browser, server, 'auditor', ['*'], DESKTOP);
    const page = await context.newPage();
    await page.goto('/audit');
    await page.getByRole('heading', { name: 'Checkpoint history' }).waitFor();
    await page.locator('tbody .badge.ok').first().waitFor(); // a signature verified in the browser
    expect(await page.locator('tbody .badge.bad').count()).toBe(0);
    await page.getByLabel('Entry number (seq)').fill(String(seq));
    await page.keyboard.press('Enter'); // the form submits from the keyboard
    await page.waitForURL(`**/audit/entries/${seq}`);

    const banner = page.locator('.verdict.ok');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`is in the log`);
    expect(await steps(page, 'section[aria-labelledby="steps-h"]')).toEqual([
      'ok Entry bytes → leaf hash',
      'ok Inclusion proof → root',
      'ok Root signed in a checkpoint (Ed25519)',
    ]);
    const text = (await page.locator('.vsteps').first().textContent()) ?? '';
    expect(text).toContain(`hashes to ${leaf.slice(0, 12)}…`); // the leaf this browser computed is the ledger's
    expect(text).toContain(`signed by key ${latest.kid.slice(0, 12)}…`);
    expect(text).toMatch(/The proof of \d+ hashes leads from entry/);
    expect(await page.locator('#content-h + .facts code').first().textContent()).toBe(entry.type);

    // The badge beside the previous entry of a subject: computed by the same code, it opens what it checked.
    const prevSeq = Object.values(entry.prev)[0]?.seq;
    expect(prevSeq).toBeTypeOf('number'); // the newest entry continues some subject's chain
    if (prevSeq !== undefined) {
      const badge = page.locator(`.vbadge[data-seq="${prevSeq}"]`).first();
      await page.locator(`.vbadge[data-seq="${prevSeq}"][data-status="verified"]`).first().waitFor();
      expect(await badge.locator('button').textContent()).toBe('✓ verified');
      await badge.locator('button').focus();
      await page.keyboard.press('Enter'); // a real button: the keyboard opens it
      // Three checks of its own, and the link: the previous-entry hash this entry carries is that entry's leaf.
      expect(await steps(page, `.vbadge[data-seq="${prevSeq}"]`)).toEqual([
        'ok Entry bytes → leaf hash',
        'ok Inclusion proof → root',
        'ok Root signed in a checkpoint (Ed25519)',
        'ok Shown entry = verified entry',
      ]);
      expect(await badge.locator('.vbadge-detail').textContent()).toContain(
        `Entry #${prevSeq.toLocaleString('en-US')}`,
      );
      if (shots && db === 'embedded') {
        await page.screenshot({ path: 'docs/screens/audit-badge-desktop.png', fullPage: true });
      }
      await page.keyboard.press('Escape');
      await badge.locator('.vbadge-detail').waitFor({ state: 'detached' });
      expect(
        await page.evaluate(() => document.activeElement?.closest('.vbadge')?.getAttribute('data-seq')),
      ).toBe(String(prevSeq)); // focus back on the badge
    }
    if (shots && db === 'embedded') {
      await page.screenshot({ path: 'docs/screens/audit-entry-desktop.png', fullPage: true });
      await page.goto('/audit');
      await page.locator('tbody .badge.ok').first().waitFor();
      await page.screenshot({ path: 'docs/screens/audit-desktop.png' });
      await page.setViewportSize(NARROW);
      await page.screenshot({ path: 'docs/screens/audit-360.png' });
      await page.getByRole('heading', { name: 'Checkpoint history' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'docs/screens/audit-history-360.png' });
      await page.goto(`/audit/entries/${seq}`);
      await page.locator('.verdict.ok').waitFor();
      await page.screenshot({ path: 'docs/screens/audit-entry-360.png' });
    }
    await context.close();
  });

  it('turns red on a tampered inclusion proof and names the step that failed', async () => {
    const seq = Math.floor(latest.size / 2);
    const context = await signedInContext(browser, server, 'auditor', ['*'], DESKTOP);
    await tamperProofs(context, '**/v1/ledger/proof/inclusion**');
    const page = await context.newPage();
    await page.goto(`/audit/entries/${seq}`);
    const banner = page.locator('.verdict.bad');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('the inclusion proof check failed');
    expect(await banner.locator('code').textContent()).toBe('ROOT_MISMATCH');
    // Checked in the order of src/core: the signature held, the leaf held, the proof did not.
    expect(await steps(page, 'section[aria-labelledby="steps-h"]')).toEqual([
      'ok Entry bytes → leaf hash',
      'bad Inclusion proof → root',
      'ok Root signed in a checkpoint (Ed25519)',
    ]);
    expect(await page.locator('.vstep.bad').first().textContent()).toMatch(
      /leads to root .+, not to .+, the root signed in the checkpoint/,
    );
    // The badges beside the subjects' previous entries are red too: each of them got a tampered proof.
    const badge = page.locator('.vbadge[data-status="failed"] button').first();
    await badge.waitFor();
    expect(await badge.textContent()).toBe('✗ inclusion proof failed');
    expect(await page.locator('.vbadge[data-status="verified"]').count()).toBe(0);
    if (shots && db === 'embedded') {
      await page.screenshot({ path: 'docs/screens/audit-tampered-desktop.png', fullPage: true });
    }
    // The ledger itself is untouched: the real proof of the same entry still verifies.
    await context.unrouteAll({ behavior: 'wait' }); // the badges' tampered answers delivered first
    await page.getByRole('button', { name: 'Check again' }).click();
    await page.locator('.verdict.ok').waitFor();
    await context.close();
  });

  it('hashes the entry bytes exactly as served: a byte-order mark put in front turns the leaf step red', async () => {
    // A text decoder drops a leading BOM: a verifier that decoded the bytes would hash the original entry and
    // call a changed answer verified.
    const seq = 2;
    const context = await signedInContext(browser, server, 'auditor', ['*'], DESKTOP);
    await context.route(`**/v1/ledger/entries/${seq}`, async (route: Route) => {
      const response = await route.fetch();
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), await response.body()]);
      await route.fulfill({ response, body });
    });
    const page = await context.newPage();
    await page.goto(`/audit/entries/${seq}`);
    await page.locator('.verdict.bad').waitFor();
    expect((await steps(page, 'section[aria-labelledby="steps-h"]'))[0]).toBe('bad Entry bytes → leaf hash');
    await context.close();
  });

  it('proves an entry against the newest checkpoint when a proof answer comes without its checkpoint', async () => {
    const seq = 3;
    const context = await signedInContext(browser, server, 'auditor', ['*'], DESKTOP);
    const asked: string[] = [];
    await rewriteAnswers<Record<string, unknown>>(
      context,
      '**/v1/ledger/proof/inclusion**',
      (answer, url) => {
        asked.push(url.search);
        if (!url.searchParams.has('treeSize')) delete answer.checkpoint;
      },
    );
    const page = await context.newPage();
    await page.goto(`/audit/entries/${seq}`);
    await page.locator('.verdict.ok').waitFor();
    expect(await page.locator('.verdict.ok').textContent()).toContain(
      `of ${latest.size.toLocaleString('en-US')} entries`,
    );
    expect(asked).toEqual([`?seq=${seq}`, `?seq=${seq}&treeSize=${latest.size}`]);
    await context.close();
  });

  it('checks consistency between two checkpoints, and refuses a tampered consistency proof', async () => {
    const { checkpoints } = await server.call<{ checkpoints: Checkpoint[] }>(
      auditor,
      'GET',
      '/v1/ledger/checkpoints?limit=10000',
    );
    expect(checkpoints.length).toBeGreaterThan(2);
    const older = checkpoints[1]!;
    const newer = checkpoints[checkpoints.length - 1]!;

    const context = await signedInContext(browser, server, 'auditor', ['*'], DESKTOP);
    const page = await context.newPage();
    await page.goto('/audit');
    // The whole history, link by link: each checkpoint extends the one before it.
    await page
      .getByRole('button', { name: 'Check each checkpoint of this page against the one before' })
      .click();
    await page.waitForFunction(
      (links) => document.querySelectorAll('[data-consistency="verified"]').length === links,
      checkpoints.length - 1,
    );
    expect(await page.locator('tbody .badge.bad').count()).toBe(0);
    if (shots && db === 'embedded') {
      await page.getByRole('heading', { name: 'Checkpoint history' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'docs/screens/audit-history-desktop.png' });
    }
    await page.getByLabel('Older checkpoint (size)').fill(String(older.size));
    await page.getByLabel('Newer checkpoint (size)').fill(String(newer.size));
    await page.getByRole('button', { name: 'Check consistency' }).click();
    await page.waitForURL(`**/audit/consistency?from=${older.size}&to=${newer.size}`);
    await page.locator('.verdict.ok').waitFor();
    expect(await steps(page)).toEqual([
      'ok Older checkpoint signed (Ed25519)',
      'ok Newer checkpoint signed (Ed25519)',
      'ok Consistency proof',
    ]);
    expect(await page.locator('.vstep').nth(2).textContent()).toContain(
      `none of the first ${older.size.toLocaleString('en-US')} entries was changed or removed`,
    );
    if (shots && db === 'embedded') {
      await page.screenshot({ path: 'docs/screens/audit-consistency-desktop.png', fullPage: true });
    }

    await tamperProofs(context, '**/v1/ledger/proof/consistency**');
    await page.getByRole('button', { name: 'Check again' }).click();
    await page.locator('.verdict.bad').waitFor();
    expect(await page.locator('.verdict.bad').textContent()).toContain('the consistency proof check failed');
    expect(await steps(page)).toEqual([
      'ok Older checkpoint signed (Ed25519)',
      'ok Newer checkpoint signed (Ed25519)',
      'bad Consistency proof',
    ]);
    await context.close();
  });

  it('trusts only the keys the auditor loads: a checkpoint signed by another key fails', async () => {
    const jwks = await (await fetch(`${server.url}/.well-known/jwks.json`)).text();
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const context = await signedInContext(browser, server, 'auditor', ['*'], DESKTOP);
    const page = await context.newPage();
    await page.goto('/audit');
    const keys = page.locator('section[aria-labelledby="keys-h"]');
    await keys.getByText("the log's own JWKS").waitFor();

    // The auditor's own copy of the keys, obtained out of band: everything still verifies.
    const file = page.locator('input[type="file"]');
    await file.setInputFiles({
      name: 'trusted-keys.json',
      mimeType: 'application/json',
      buffer: Buffer.from(jwks),
    });
    await keys.getByText('the keys you trust').waitFor();
    await page.locator('tbody .badge.ok').first().waitFor();
    expect(await page.locator('tbody .badge.bad').count()).toBe(0);

    // Another key: no checkpoint of this log is signed by it, so none verifies.
    await file.setInputFiles({
      name: 'other-keys.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ keys: [other] })),
    });
    await page.waitForFunction(() => document.querySelectorAll('tbody .badge.bad').length > 0);
    expect(await page.locator('tbody .badge.ok').count()).toBe(0);
    expect(await page.locator('tbody tr').first().textContent()).toContain('not one of the trusted keys');
    await page.goto(`/audit/entries/${latest.size - 1}`); // the trusted keys stay on this device
    await page.locator('.verdict.bad').waitFor();
    expect(await page.locator('.verdict.bad code').textContent()).toBe('UNTRUSTED_KEY');
    expect((await steps(page, 'section[aria-labelledby="steps-h"]'))[2]).toBe(
      'bad Root signed in a checkpoint (Ed25519)',
    );

    await page.goto('/audit');
    await page.getByRole('button', { name: "Use the log's JWKS instead" }).click();
    await keys.getByText("the log's own JWKS").waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody .badge.bad').length === 0);
    await context.close();
  });

  it('downloads the export as a file of every entry, the stored bytes a line', async () => {
    const context = await signedInContext(browser, server, 'auditor', ['*'], DESKTOP);
    const page = await context.newPage();
    await page.goto('/audit');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the export (entries.ndjson)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('entries.ndjson');
    const lines = readFileSync(await download.path(), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    // Each line is an entry's stored bytes, in seq order; the server signed a checkpoint of the tail first.
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 0 });
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ seq: lines.length - 1 });
    const after = await server.call<Checkpoint>(auditor, 'GET', '/v1/ledger/checkpoint');
    expect(after.size).toBeGreaterThanOrEqual(lines.length);
    await page
      .getByText(`Downloaded entries.ndjson: ${lines.length.toLocaleString('en-US')} entries`)
      .waitFor();
    await context.close();
  });

  it('tells a role that may not read the ledger that verification is not available, without an error', async () => {
    const context = await signedInContext(browser, server, 'intake', ['DIEPPE'], DESKTOP);
    const page = await context.newPage();
    await page.goto('/audit/entries/1');
    const banner = page.locator('.verdict.pending');
    await banner.filter({ hasText: 'Not available for your role' }).waitFor();
    expect(await banner.textContent()).toContain('your token has intake');
    expect(await page.locator('.problem').count()).toBe(0);
    await context.close();
  });
});
