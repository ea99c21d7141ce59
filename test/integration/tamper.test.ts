// What an auditor relies on: after someone with superuser rights edits, deletes or swaps log rows behind the
// triggers, `verify` names the seq and the reason, offline on an export and live on the database.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical.js';
import type { DomainState } from '../../src/core/domain/state.js';
import { toBase64, utf8Encode } from '../../src/core/encoding.js';
import { leafHash, rootFromLeafHashes } from '../../src/core/merkle.js';
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

  it('names swapped entries as reordered, not missing', async () => {
    const dir = await exportTo();
    const lines = readFileSync(files(dir).entries, 'utf8').split('\n');
    [lines[30], lines[31]] = [lines[31]!, lines[30]!];
    writeFileSync(files(dir).entries, lines.join('\n'));
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'REORDERED_ENTRY', seq: 30 });
    // An entry moved far down is reordered too; one that is gone is missing.
    const moved = readFileSync(files(dir).entries, 'utf8').split('\n');
    [moved[30], moved[31]] = [moved[31]!, moved[30]!];
    moved.splice(50, 0, moved.splice(12, 1)[0]!);
    writeFileSync(files(dir).entries, moved.join('\n'));
    await expect(verifyExport(files(dir))).rejects.toMatchObject({ code: 'REORDERED_ENTRY', seq: 12 });
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
      seq: undefined,
      checkpointSize: 60,
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

// What an operator with the files could do: rewrite entry `at`, fix every later link so the chain holds, sign new
// checkpoints with a key of their own and add it to the JWKS.
async function rewriteAndResign(dir: string, at: number, origin: string): Promise<void> {
  const lines = readFileSync(files(dir).entries, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const heads = new Map<string, { seq: number; hash: string }>();
  const leaves: Uint8Array[] = [];
  const out = lines.map((line, seq) => {
    const e = JSON.parse(line) as {
      subjects: string[];
      prev: Record<string, unknown>;
      data: { step?: number };
    };
    if (seq === at) e.data.step = 999;
    e.prev = {};
    for (const s of e.subjects) {
      const h = heads.get(s);
      if (h) e.prev[s] = h;
    }
    const text = canonicalJson(e);
    const leaf = leafHash(utf8Encode(text));
    for (const s of e.subjects) heads.set(s, { seq, hash: toBase64(leaf) });
    leaves.push(leaf);
    return text;
  });
  writeFileSync(files(dir).entries, `${out.join('\n')}\n`);
  const forger = await signerFromJwk(await generateSigningJwk());
  const jws = await forger.sign({ origin, size: leaves.length, root: rootFromLeafHashes(leaves) });
  writeFileSync(files(dir).checkpoints, `${jws}\n`);
  const jwks = JSON.parse(readFileSync(files(dir).jwks, 'utf8')) as { keys: unknown[] };
  writeFileSync(files(dir).jwks, JSON.stringify({ keys: [...jwks.keys, forger.publicJwk] }));
}

describe('trust anchors: what the auditor already holds', () => {
  it('a rewritten, re-signed export passes on its own JWKS (and says so), and fails against trusted keys or a kept checkpoint', async () => {
    const dir = await exportTo();
    const trustedKeys = JSON.parse(readFileSync(files(dir).jwks, 'utf8'));
    const kept = readFileSync(files(dir).checkpoints, 'utf8').trim();
    await rewriteAndResign(dir, 13, ledger.origin);
    await expect(verifyExport(files(dir))).resolves.toMatchObject({
      entries: 60,
      trust: { keys: 'export', knownCheckpoints: 0 },
    });
    await expect(verifyExport(files(dir), { trustedKeys })).rejects.toMatchObject({
      code: 'UNTRUSTED_KEY',
      checkpointSize: 60,
    });
    await expect(verifyExport(files(dir), { knownCheckpoints: [kept] })).rejects.toMatchObject({
      code: 'INCONSISTENT_CHECKPOINTS',
      checkpointSize: 60,
    });
  });

  it('an untouched export that grew since the kept checkpoint passes both anchors and counts the kept one', async () => {
    const kept = readFileSync(files(await exportTo()).checkpoints, 'utf8').trim();
    for (let i = 0; i < 5; i++)
      await ledger.sequencer.append(rawCommand(aMotorEvent().forSerial(serial(i)).build()));
    await ledger.sequencer.checkpoint();
    const dir = await exportTo();
    const trustedKeys = JSON.parse(readFileSync(files(dir).jwks, 'utf8'));
    await expect(
      verifyExport(
        { entries: files(dir).entries, checkpoints: files(dir).checkpoints },
        { trustedKeys, knownCheckpoints: [kept] },
      ),
    ).resolves.toMatchObject({
      entries: 65,
      checkpointsVerified: 2,
      trust: { keys: 'trusted', knownCheckpoints: 1, signers: [ledger.signer.kid] },
    });
    // A kept checkpoint beyond the export: entries were cut off.
    const lines = readFileSync(files(dir).entries, 'utf8').split('\n');
    writeFileSync(files(dir).entries, `${lines.slice(0, 50).join('\n')}\n`);
    writeFileSync(files(dir).checkpoints, '');
    await expect(verifyExport(files(dir), { trustedKeys, knownCheckpoints: [kept] })).rejects.toMatchObject({
      code: 'MISSING_ENTRY',
      seq: 50,
      checkpointSize: 60,
    });
  });

  it('refuses a checkpoint of another origin than the one expected', async () => {
    const dir = await exportTo();
    await expect(verifyExport(files(dir), { origin: 'another.example/log' })).rejects.toMatchObject({
      code: 'WRONG_ORIGIN',
      checkpointSize: 60,
    });
  });
});

describe('encoding malleability', () => {
  it('refuses a checkpoint whose signature is re-encoded (same bytes, other base64url text)', async () => {
    const dir = await exportTo();
    const jws = readFileSync(files(dir).checkpoints, 'utf8').trim();
    const [h, p, sig] = jws.split('.') as [string, string, string];
    // 64 bytes in 86 characters: the last one carries 2 bits of the signature and 4 unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const reencoded = `${sig.slice(0, -1)}${alphabet[last | 1]}`;
    expect(Buffer.from(reencoded, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    writeFileSync(files(dir).checkpoints, `${h}.${p}.${reencoded}\n`);
    await expect(verifyExport(files(dir))).rejects.toMatchObject({
      code: 'MALFORMED_CHECKPOINT',
      checkpointSize: 60,
    });
  });

  it('a JWKS with the real key and a fake key claiming the same kid still verifies a valid export', async () => {
    const dir = await exportTo();
    const jwks = JSON.parse(readFileSync(files(dir).jwks, 'utf8')) as { keys: { kid: string }[] };
    const fake = await signerFromJwk(await generateSigningJwk());
    const keys = [{ ...fake.publicJwk, kid: ledger.signer.kid }, ...jwks.keys];
    writeFileSync(files(dir).jwks, JSON.stringify({ keys }));
    await expect(verifyExport(files(dir))).resolves.toMatchObject({ entries: 60, checkpointsVerified: 1 });
    await expect(verifyExport(files(dir), { trustedKeys: { keys } })).resolves.toMatchObject({ entries: 60 });
  });

  it('refuses a checkpoint whose header has no kid', async () => {
    const dir = await exportTo();
    const [, p, sig] = readFileSync(files(dir).checkpoints, 'utf8').trim().split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'tlog-checkpoint+jws' })).toString(
      'base64url',
    );
    writeFileSync(files(dir).checkpoints, `${header}.${p}.${sig}\n`);
    await expect(verifyExport(files(dir))).rejects.toMatchObject({
      code: 'MALFORMED_CHECKPOINT',
      checkpointSize: 60,
    });
  });
});

describe('progress', () => {
  it('reports bytes read out of the entries file, not 100 % from the start', async () => {
    const dir = await exportTo();
    const size = readFileSync(files(dir).entries).length;
    const seen: [number, number | undefined][] = [];
    await verifyExport(files(dir), {
      workers: 1,
      inline: true,
      chunkBytes: 1024,
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every(([, total]) => total === size)).toBe(true);
    expect(seen[0]![0]).toBeLessThan(size / 2);
    expect(seen.at(-1)).toEqual([size, size]);
  });
});

describe.runIf(hasServer)('live verification after a superuser tampers behind the triggers', () => {
  const tamper = async (statement: string) => {
    await tdb.superuser(`
      ALTER TABLE ledger_entry DISABLE TRIGGER USER; ALTER TABLE merkle_node DISABLE TRIGGER USER;
      ALTER TABLE ledger_subject DISABLE TRIGGER USER;
      ${statement};
      ALTER TABLE ledger_entry ENABLE TRIGGER USER; ALTER TABLE merkle_node ENABLE TRIGGER USER;
      ALTER TABLE ledger_subject ENABLE TRIGGER USER;`);
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

  it('names swapped entries as reordered', async () => {
    await tamper(`UPDATE ledger_entry SET seq = seq + 1000000 WHERE seq IN (40, 41);
      UPDATE ledger_entry SET seq = CASE seq WHEN 1000040 THEN 41 ELSE 40 END WHERE seq > 999999`);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({ code: 'REORDERED_ENTRY', seq: 40 });
  });

  it('finds a deleted subject index row (an event hidden from a motor timeline) and an extra one', async () => {
    await tamper(`DELETE FROM ledger_subject WHERE seq = 33`);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({
      code: 'SUBJECT_INDEX_MISMATCH',
      seq: 33,
    });
    await tamper(`INSERT INTO ledger_subject (subject, seq)
      SELECT subject, seq FROM (SELECT 'motor:7DL-000003' AS subject, 33::bigint AS seq) x;
      INSERT INTO ledger_subject (subject, seq) VALUES ('motor:7DL-000004', 35)`);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({
      code: 'SUBJECT_INDEX_MISMATCH',
      seq: 35,
    });
  });

  it.each([
    ['type', `UPDATE ledger_entry SET type = 'motor.removed' WHERE seq = 21`],
    ['id', `UPDATE ledger_entry SET id = '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a' WHERE seq = 21`],
    ['recorded', `UPDATE ledger_entry SET recorded = recorded + interval '1 hour' WHERE seq = 21`],
    [
      'recorded (by a microsecond)',
      `UPDATE ledger_entry SET recorded = recorded + interval '1 microsecond' WHERE seq = 21`,
    ],
  ])('finds an edited %s column', async (_column, statement) => {
    await tamper(statement);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({ code: 'COLUMN_MISMATCH', seq: 21 });
  });

  it('anchors the live verdict with trusted keys too', async () => {
    await expect(verifyDatabase(tdb.handle.db, { trustedKeys: { keys: [] } })).rejects.toMatchObject({
      code: 'UNTRUSTED_KEY',
      checkpointSize: 60,
    });
    await expect(
      verifyDatabase(tdb.handle.db, { trustedKeys: { keys: [ledger.signer.publicJwk] } }),
    ).resolves.toMatchObject({ entries: 60, trust: { keys: 'trusted' } });
  });

  it('finds a rewritten Merkle node that would make proofs lie', async () => {
    await tamper(`UPDATE merkle_node SET hash = sha256('forged'::bytea) WHERE level = 4 AND idx = 1`);
    await expect(verifyDatabase(tdb.handle.db)).rejects.toMatchObject({
      code: 'TREE_NODE_MISMATCH',
      seq: 16,
    });
  });
});
