// `motor-ledger verify-proof`: one proof, as the API answers it, checked against signed checkpoints and the keys
// the auditor trusts; the proof's own roots count for nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainState } from '../../src/core/domain/state.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { consistencyProof, inclusionProof, listCheckpoints, readEntry } from '../../src/ledger/reader.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { generateSigningJwk, signerFromJwk } from '../../src/ledger/signing.js';
import { verifyProofFiles } from '../../src/verify/proof.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let tdb: TestDatabase;
let ledger: Ledger<DomainState>;
const dir = mkdtempSync(join(tmpdir(), 'ml-verify-proof-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(
    path,
    typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content),
  );
  return path;
};
let trustedKeys: string;
let cp16: string;
let cp40: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ledger = await openLedger({ config: tdb.config, handle: tdb.handle, ownsHandle: false, migrate: false });
  for (let i = 0; i < 40; i++) {
    await ledger.sequencer.append(
      rawCommand(
        aMotorEvent()
          .forSerial(serial(i % 6))
          .withData({ step: i })
          .build(),
      ),
    );
    if (i === 15 || i === 39) await ledger.sequencer.checkpoint();
  }
  trustedKeys = file('trusted.json', { keys: [ledger.signer.publicJwk] });
  const cps = await listCheckpoints(tdb.handle.db);
  cp16 = file('cp16.jws', `${cps.find((c) => c.size === 16)!.jws}\n`);
  cp40 = file(
    'cp40.json',
    cps.find((c) => c.size === 40),
  ); // the JSON of GET /v1/ledger/checkpoint
}, 60_000);
afterAll(async () => {
  await ledger?.close();
  await tdb?.drop();
});

describe('an inclusion proof', () => {
  it('holds against the checkpoint it carries and the trusted keys, and proves the entry bytes given', async () => {
    const proof = await inclusionProof(tdb.handle.db, 13);
    expect(proof.treeSize).toBe(40);
    const entry = file('entry13.json', (await readEntry(tdb.handle.db, 13)).body);
    await expect(verifyProofFiles(file('inc.json', proof), { trustedKeys, entry })).resolves.toMatch(
      /^OK: entry 13 is in the log .* of 40 entries/,
    );
    const other = file('entry12.json', (await readEntry(tdb.handle.db, 12)).body);
    await expect(
      verifyProofFiles(file('inc.json', proof), { trustedKeys, entry: other }),
    ).rejects.toMatchObject({
      code: 'LEAF_MISMATCH',
    });
  });

  it('fails when a proof hash, the root or the signer is not right', async () => {
    const proof = await inclusionProof(tdb.handle.db, 13);
    const forged = { ...proof, proof: [proof.root, ...proof.proof.slice(1)] };
    await expect(verifyProofFiles(file('bad.json', forged), { trustedKeys })).rejects.toMatchObject({
      code: 'ROOT_MISMATCH',
    });
    const stranger = await signerFromJwk(await generateSigningJwk());
    const keys = file('stranger.json', { keys: [stranger.publicJwk] });
    await expect(verifyProofFiles(file('inc.json', proof), { trustedKeys: keys })).rejects.toMatchObject({
      code: 'UNTRUSTED_KEY',
    });
    // A tree with no signed checkpoint: the proof's own root proves nothing.
    const unsigned = await inclusionProof(tdb.handle.db, 13, 37);
    expect(unsigned.checkpoint).toBeUndefined();
    await expect(verifyProofFiles(file('u.json', unsigned), { trustedKeys })).rejects.toMatchObject({
      code: 'NO_CHECKPOINT',
    });
    await expect(
      verifyProofFiles(file('u.json', unsigned), { trustedKeys, checkpoint: [cp40] }),
    ).rejects.toMatchObject({
      code: 'CHECKPOINT_MISMATCH',
    });
  });
});

describe('a consistency proof', () => {
  it('holds between two signed checkpoints, and fails if either root or a hash is changed', async () => {
    const proof = await consistencyProof(tdb.handle.db, 16, 40);
    const checkpoint = [cp40, cp16];
    await expect(verifyProofFiles(file('c.json', proof), { trustedKeys, checkpoint })).resolves.toMatch(
      /of 40 entries .* extends its tree of 16 entries/,
    );
    const forged = { ...proof, proof: [...proof.proof.slice(0, -1), proof.root1] };
    await expect(
      verifyProofFiles(file('cf.json', forged), { trustedKeys, checkpoint }),
    ).rejects.toMatchObject({
      code: 'ROOT_MISMATCH',
    });
    await expect(
      verifyProofFiles(file('c.json', proof), { trustedKeys, checkpoint: [cp40] }),
    ).rejects.toMatchObject({ code: 'NO_CHECKPOINT' });
  });

  it('refuses the empty proof of from = to (RFC 9162 §2.1.4.2)', async () => {
    // The server refuses to make it (BAD_PROOF_RANGE); a client may still be handed one.
    const root = (await consistencyProof(tdb.handle.db, 39, 40)).root2;
    const proof = { size1: 40, size2: 40, root1: root, root2: root, proof: [] };
    await expect(
      verifyProofFiles(file('same.json', proof), { trustedKeys, checkpoint: [cp40] }),
    ).rejects.toMatchObject({ code: 'EMPTY_PROOF' });
  });
});

describe('the command', () => {
  it('exits 0 on a proof that holds, 1 on one that does not, 2 on a file it cannot read', async () => {
    const run = promisify(execFile);
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify-proof', ...args], {
        cwd: process.cwd(),
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const proof = file('cli.json', await inclusionProof(tdb.handle.db, 7));
    const ok = await cli(proof, '--trusted-keys', trustedKeys);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: entry 7/);
    const stranger = await signerFromJwk(await generateSigningJwk());
    const bad = await cli(proof, '--trusted-keys', file('s.json', { keys: [stranger.publicJwk] }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^FAILED \[UNTRUSTED_KEY\]/);
    const missing = await cli(join(dir, 'nope.json'), '--trusted-keys', trustedKeys);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
