// What an auditor relies on: after someone with superuser rights edits, deletes or swaps log rows behind the
// triggers, `verify` names the seq and the reason, offline on an export and live on the database.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainState } from '../../src/core/domain/state.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { generateSigningJwk, signerFromJwk } from '../../src/ledger/signing.js';
import { exportLedger } from '../../src/verify/export.js';
import { verifyDatabase, verifyExport } from '../../src/verify/verify.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { createTestDatabase, hasServer, type TestDatabase } from '../support/db.js';

let tdb: TestDatabase;
let ledger: Ledger<DomainState>;

// 60 entries over 10 motors: each motor has 6 events, so every entry but the last few has a later link.
async function seedLog(l: Ledger<DomainState>, n = 60): Promise<void> {
  for (let i = 0; i < n; i++) {
    await l.sequencer.append(
      rawCommand(
        aMotorEvent()
          .forSerial(serial(i % 10))
          .withData({ step: i })
          .build(),
      ),
    );
  }
  await l.sequencer.checkpoint();
}

beforeEach(async () => {
  tdb = await createTestDatabase();
  ledger = await openLedger({ config: tdb.config, handle: tdb.handle, ownsHandle: false, migrate: false });
  await seedLog(ledger);
});
afterEach(async () => {
  await ledger.close();
  await tdb.drop();
});

async function exportTo(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-export-'));
  await exportLedger(tdb.handle.db, dir);
  return dir;
}
const files = (dir: string) => ({
  entries: join(dir, 'entries.ndjson'),
  checkpoints: join(dir, 'checkpoints.jws'),
  jwks: join(dir, 'jwks.json'),
});

describe('offline verification of an export', () => {
  it('passes on an untouched export', async () => {
    const dir = await exportTo();
    await expect(verifyExport(files(dir))).resolves.toMatchObject({
      entries: 60,
      uncovered: 0,
      checkpointsVerified: 1,
    });
  });

  it('names an edited entry by the link its successor recorded', async () => {
    const dir = await exportTo();
    const lines = readFileSync(files(dir).entries, 'utf8').split('\n');
    lines[13] = lines[13]!.replace('"step":13', '"step":99');
    writeFileSync(files(dir).entries, lines.join('\n'));
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'LEAF_HASH_MISMATCH', seq: 13 });
  });

  it('names a removed entry', async () => {
    const dir = await exportTo();
    const lines = readFileSync(files(dir).entries, 'utf8').split('\n');
    lines.splice(20, 1);
    writeFileSync(files(dir).entries, lines.join('\n'));
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'MISSING_ENTRY', seq: 20 });
  });

  it('names swapped entries', async () => {
    const dir = await exportTo();
    const lines = readFileSync(files(dir).entries, 'utf8').split('\n');
    [lines[30], lines[31]] = [lines[31]!, lines[30]!];
    writeFileSync(files(dir).entries, lines.join('\n'));
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'MISSING_ENTRY', seq: 30 });
  });

  it('finds a truncated export: the signed checkpoint covers more entries than it holds', async () => {
    const dir = await exportTo();
    const lines = readFileSync(files(dir).entries, 'utf8').split('\n');
    writeFileSync(files(dir).entries, `${lines.slice(0, 55).join('\n')}\n`);
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'MISSING_ENTRY', seq: 55 });
  });

  it('finds a last entry rewritten together with its seq-consistent bytes by the signed root', async () => {
    const dir = await exportTo();
    const lines = readFileSync(files(dir).entries, 'utf8').split('\n');
    lines[59] = lines[59]!.replace('"step":59', '"step":58');
    writeFileSync(files(dir).entries, lines.join('\n'));
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'ROOT_MISMATCH' });
  });

  it('refuses a checkpoint whose signature does not verify, or that an unknown key signed', async () => {
    const dir = await exportTo();
    const jws = readFileSync(files(dir).checkpoints, 'utf8').trim();
    const [h, p, s] = jws.split('.');
    const forged = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    writeFileSync(files(dir).checkpoints, `${forged}\n`);
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'BAD_CHECKPOINT_SIGNATURE' });

    writeFileSync(files(dir).checkpoints, `${jws}\n`);
    const stranger = await signerFromJwk(await generateSigningJwk());
    writeFileSync(files(dir).jwks, JSON.stringify({ keys: [stranger.publicJwk] }));
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'BAD_CHECKPOINT_SIGNATURE' });
  });

  it('refuses two signed checkpoints of one size with different roots (a fork)', async () => {
    const dir = await exportTo();
    const jws = readFileSync(files(dir).checkpoints, 'utf8').trim();
    const forkRoot = Buffer.alloc(32, 7).toString('base64');
    const forked = await ledger.signer.sign({
      origin: ledger.origin,
      size: 60,
      root: Buffer.from(forkRoot, 'base64'),
    });
    writeFileSync(files(dir).checkpoints, `${jws}\n${forked}\n`);
    await expect(verifyExport(files(dir))).rejects.toMatchObject({
      code: 'INCONSISTENT_CHECKPOINTS',
      seq: 60,
    });
  });

  it('still verifies old checkpoints after the signing key rotates (the JWKS keeps retired keys)', async () => {
    const rotated = await openLedger({
      config: tdb.config,
      handle: tdb.handle,
      ownsHandle: false,
      migrate: false,
      signer: await signerFromJwk(await generateSigningJwk()),
    });
    await rotated.sequencer.append(rawCommand(aMotorEvent().forSerial(serial(3)).build()));
    const cp = await rotated.sequencer.checkpoint();
    expect(cp.kid).toBe(rotated.signer.kid);
    await rotated.close();
    const dir = await exportTo();
    const jwks = JSON.parse(readFileSync(files(dir).jwks, 'utf8')) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([ledger.signer.kid, rotated.signer.kid].sort());
    await expect(verifyExport(files(dir))).resolves.toMatchObject({ entries: 61, checkpointsVerified: 2 });
  });
});

describe.runIf(hasServer)('live verification after a superuser tampers behind the triggers', () => {
  const tamper = async (statement: string) => {
    await tdb.superuser(`
      ALTER TABLE ledger_entry DISABLE TRIGGER USER; ALTER TABLE merkle_node DISABLE TRIGGER USER;
      ${statement};
      ALTER TABLE ledger_entry ENABLE TRIGGER USER; ALTER TABLE merkle_node ENABLE TRIGGER USER;`);
  };

  it('passes before anyone tampers', async () => {
    await expect(verifyDatabase(tdb.handle.db)).resolves.toMatchObject({ entries: 60 });
  });

  it('names an entry whose bytes were edited', async () => {
    await tamper(
      `UPDATE ledger_entry SET body = convert_to(replace(convert_from(body, 'UTF8'), '"step":17', '"step":71'), 'UTF8') WHERE seq = 17`,
    );
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({
      code: 'LEAF_HASH_MISMATCH',
      seq: 17,
    });
  });

  it('names an entry whose bytes and stored hash were both rewritten', async () => {
    await tamper(`UPDATE ledger_entry SET body = convert_to(replace(convert_from(body, 'UTF8'), '"step":17', '"step":71'), 'UTF8') WHERE seq = 17;
      UPDATE ledger_entry SET leaf_hash = sha256('\\x00'::bytea || body) WHERE seq = 17`);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({
      code: 'LEAF_HASH_MISMATCH',
      seq: 17,
    });
  });

  it('names a deleted entry', async () => {
    await tamper('DELETE FROM ledger_entry WHERE seq = 25');
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({ code: 'MISSING_ENTRY', seq: 25 });
  });

  it('names swapped entries', async () => {
    await tamper(`UPDATE ledger_entry SET seq = seq + 1000000 WHERE seq IN (40, 41);
      UPDATE ledger_entry SET seq = CASE seq WHEN 1000040 THEN 41 ELSE 40 END WHERE seq > 999999`);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({ seq: 40 });
  });

  it('finds a rewritten Merkle node that would make proofs lie', async () => {
    await tamper(`UPDATE merkle_node SET hash = sha256('forged'::bytea) WHERE level = 4 AND idx = 1`);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({
      code: 'TREE_NODE_MISMATCH',
      seq: 16,
    });
  });
});
