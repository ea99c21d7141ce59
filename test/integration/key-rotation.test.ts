// Rotating the signing key as an operator does it, end to end on the embedded default: `motor-ledger keygen`
// writes a new key, the ledger restarts on it (SIGNING_KEY_FILE), and the export still verifies: every checkpoint,
// old key and new, against the JWKS that keeps both. An auditor who trusts only the old key is told the new
// checkpoints are not signed by a key of theirs, until they add the new public key.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { cliRunner } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ml-rotate-'));
const dataDir = join(dir, 'data');
const env = { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, CHECKPOINT_INTERVAL_MS: '0' };
const cli = cliRunner(env);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the ledger on a key file, append `n` events, and stop (a checkpoint of the tail is signed on the way out). */
async function runOn(keyFile: string, n: number, from: number): Promise<string> {
  const ledger = await openLedger({
    config: loadConfig({ DATA_DIR: dataDir, SIGNING_KEY_FILE: keyFile, CHECKPOINT_INTERVAL_MS: '0' }),
  });
  for (let i = 0; i < n; i++)
    await ledger.sequencer.append(
      rawCommand(
        aMotorEvent()
          .forSerial(serial(from + i))
          .build(),
      ),
    );
  const kid = ledger.signer.kid;
  await ledger.close();
  return kid;
}

describe('signing key rotation (keygen, SIGNING_KEY_FILE, restart)', () => {
  it('keeps every checkpoint verifiable, old key and new, and anchors only on the keys an auditor trusts', async () => {
    const [old, next] = [join(dir, 'signing-2026.jwk'), join(dir, 'signing-2027.jwk')];
    const made = await cli('keygen', old);
    expect(made.code, made.stderr).toBe(0);
    const oldKid = await runOn(old, 5, 0);
    expect(made.stdout).toContain(`kid ${oldKid} written to ${old}`);
    expect((await cli('keygen', old)).code).not.toBe(0); // never overwrites a key
    expect((await cli('keygen', next)).code).toBe(0);
    const newKid = await runOn(next, 5, 100);
    expect(newKid).not.toBe(oldKid);

    const out = join(dir, 'export');
    expect((await cli('export', '--out', out)).code).toBe(0);
    const jwks = JSON.parse(readFileSync(join(out, 'jwks.json'), 'utf8')) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    for (const k of jwks.keys) expect(k).not.toHaveProperty('d'); // public halves only
    const checkpoints = readFileSync(join(out, 'checkpoints.jws'), 'utf8').trim().split('\n');
    const kids = checkpoints.map(
      (jws) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()).kid,
    );
    expect(new Set(kids)).toEqual(new Set([oldKid, newKid]));
    const verified = await cli('verify', out);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(
      new RegExp(`^OK: 10 entries, ${checkpoints.length} signed checkpoints verified`),
    );

    // An auditor who was given the old public key only: the new key's checkpoints are not theirs to trust.
    const trust = (kidsTrusted: string[]) => {
      const file = join(dir, `trusted-${kidsTrusted.length}.json`);
      writeFileSync(
        file,
        JSON.stringify({ keys: jwks.keys.filter((k) => kidsTrusted.includes(String(k.kid))) }),
      );
      return cli('verify', out, '--trusted-keys', file);
    };
    const oldOnly = await trust([oldKid]);
    expect(oldOnly.code).toBe(1);
    expect(oldOnly.stdout + oldOnly.stderr).toContain('UNTRUSTED_KEY');
    const both = await trust([oldKid, newKid]);
    expect(both.code, both.stdout + both.stderr).toBe(0);
    expect(both.stdout).toMatch(/Signatures: by your trusted keys/);
  }, 120_000);
});
