// The sequencer's batch in few round trips (BEGIN with the lock, one head query with the idempotency keys and
// the announced subjects, one insert statement with the checkpoint and the domain's CTEs, COMMIT): the
// properties it must keep. Runs on the suite's PostgreSQL, or on PGlite without one.
import { type RawBuilder, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDraft } from '../../src/core/envelope.js';
import { ValidationError } from '../../src/core/errors.js';
import type { Database } from '../../src/db/schema.js';
import { logSize } from '../../src/ledger/reader.js';
import {
  type Command,
  type Domain,
  rawCommand,
  rawDomain,
  type SequencedEntry,
  Sequencer,
} from '../../src/ledger/sequencer.js';
import {
  type CheckpointSigner,
  generateSigningJwk,
  registerSigningKey,
  signerFromJwk,
} from '../../src/ledger/signing.js';
import { verifyDatabase } from '../../src/verify/verify.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let tdb: TestDatabase;
let signer: CheckpointSigner;

beforeAll(async () => {
  tdb = await createTestDatabase();
  signer = await signerFromJwk(await generateSigningJwk());
  await registerSigningKey(tdb.handle.db, signer);
});
afterAll(async () => {
  await tdb?.drop();
});

async function orphanRows(): Promise<{ subjects: number; nodes: number }> {
  const size = await logSize(tdb.handle.db);
  const { rows } = await sql<{ subjects: number; nodes: number }>`
    SELECT (SELECT count(*) FROM ledger_subject WHERE seq >= ${size})::int AS subjects,
           (SELECT count(*) FROM merkle_node WHERE (idx + 1) * (1::bigint << level) > ${size})::int AS nodes
  `.execute(tdb.handle.db);
  return { subjects: Number(rows[0]!.subjects), nodes: Number(rows[0]!.nodes) };
}

function sequencer<S>(domain: Domain<S>, checkpointEvery = 1000): Sequencer<S> {
  return new Sequencer<S>(tdb.handle.db, domain, {
    origin: 'test.local/batch',
    signer,
    checkpointEvery,
    checkpointIntervalMs: 0,
  });
}

const raw = <S>(draft: EventDraft, id?: string) => rawCommand<S>(draft, id);

describe('sequencer batches', () => {
  it('retries a batch that fails as a whole command by command: only the culprit fails, nothing else is lost', async () => {
    let persists = 0;
    const domain: Domain<undefined> = {
      load: async () => undefined,
      apply: () => {},
      persist: async (_trx, _state, entries) => {
        persists++;
        if (entries.some((e) => (e.envelope.data as { boom?: boolean }).boom))
          throw new Error('projection failed');
      },
    };
    const seq = sequencer(domain);
    try {
      const before = await logSize(tdb.handle.db);
      const settled = await seq.appendMany([
        raw(aMotorEvent().forSerial(serial(1, 'BAT')).build()),
        raw(aMotorEvent().withData({ boom: true }).forSerial(serial(2, 'BAT')).build()),
        raw(aMotorEvent().forSerial(serial(3, 'BAT')).build()),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(persists).toBe(4); // the batch, then each command alone
      const seqs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.seq] : []));
      expect(seqs).toEqual([before, before + 1]);
      expect(await logSize(tdb.handle.db)).toBe(before + 2);
      // The failed attempt left nothing behind, and the process re-reads the head after it.
      const next = await seq.append(raw(aMotorEvent().forSerial(serial(1, 'BAT')).build()));
      expect(next.seq).toBe(before + 2);
      expect(next.envelope?.prev).toEqual({
        [`motor:${serial(1, 'BAT')}`]: {
          seq: before,
          hash: (settled[0] as PromiseFulfilledResult<{ leafHash: string }>).value.leafHash,
        },
      });
    } finally {
      await seq.close();
    }
    await expect(verifyDatabase(tdb.handle.db)).resolves.toMatchObject({
      entries: await logSize(tdb.handle.db),
    });
  });

  it('keeps working when a batch queued behind another fails, and never holds the lock idle', async () => {
    const domain: Domain<undefined> = {
      load: async () => undefined,
      apply: () => {},
      persist: async (_trx, _state, entries) => {
        await new Promise((r) => setTimeout(r, 30));
        if (entries.some((e) => (e.envelope.data as { boom?: boolean }).boom))
          throw new Error('projection failed');
      },
    };
    const seq = sequencer(domain);
    const other = sequencer<undefined>({
      load: async () => undefined,
      apply: () => {},
      persist: async () => {},
    });
    try {
      const before = await logSize(tdb.handle.db);
      const first = seq.append(raw(aMotorEvent().forSerial(serial(1, 'NXT')).build()));
      await new Promise((r) => setTimeout(r, 5));
      // Queued while the first batch runs: they make the next batch, which fails as a whole.
      const rest = seq.appendMany([
        raw(aMotorEvent().forSerial(serial(2, 'NXT')).build()),
        raw(aMotorEvent().withData({ boom: true }).forSerial(serial(3, 'NXT')).build()),
        raw(aMotorEvent().forSerial(serial(4, 'NXT')).build()),
      ]);
      await expect(first).resolves.toMatchObject({ seq: before });
      expect((await rest).map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // Idle now: another writer gets the lock at once.
      await expect(
        other.append(raw(aMotorEvent().forSerial(serial(5, 'NXT')).build())),
      ).resolves.toMatchObject({
        seq: before + 3,
      });
    } finally {
      await seq.close();
      await other.close();
    }
    await expect(verifyDatabase(tdb.handle.db)).resolves.toMatchObject({
      entries: await logSize(tdb.handle.db),
    });
  });

  it('links the right previous entries whether the subjects were announced, cached, or added by decide', async () => {
    const s = sequencer<undefined>({ load: async () => undefined, apply: () => {}, persist: async () => {} });
    const other = sequencer<undefined>({
      load: async () => undefined,
      apply: () => {},
      persist: async () => {},
    });
    try {
      const a = await s.append(raw(aMotorEvent().forSerial(serial(10, 'ANN')).build()));
      // Written by another sequencer: `s` has a stale cache and must notice.
      const b = await other.append(raw(aMotorEvent().forSerial(serial(10, 'ANN')).build()));
      // Announces motor ANN-10 but decides an event that also names shipment SHP-ANN (never announced).
      const shipment = await other.append(raw(aMotorEvent().withSubjects('shipment:SHP-ANN').build()));
      const draft = aMotorEvent()
        .withSubjects(`motor:${serial(10, 'ANN')}`, 'shipment:SHP-ANN')
        .build();
      const lying: Command<undefined> = { ...raw(draft), subjects: [`motor:${serial(99, 'ANN')}`] };
      const c = await s.append(lying);
      expect(a.envelope?.prev).toEqual({});
      expect(b.envelope?.prev).toEqual({ [`motor:${serial(10, 'ANN')}`]: { seq: a.seq, hash: a.leafHash } });
      expect(c.envelope?.prev).toEqual({
        [`motor:${serial(10, 'ANN')}`]: { seq: b.seq, hash: b.leafHash },
        'shipment:SHP-ANN': { seq: shipment.seq, hash: shipment.leafHash },
      });
      // A hint that is not an array of strings is ignored, never sent to the database.
      const odd = {
        ...raw<undefined>(aMotorEvent().forSerial(serial(11, 'ANN')).build()),
        subjects: [1, null],
      };
      await expect(s.append(odd as unknown as Command<undefined>)).resolves.toMatchObject({
        duplicate: false,
      });
    } finally {
      await s.close();
      await other.close();
    }
    await expect(verifyDatabase(tdb.handle.db)).resolves.toMatchObject({
      entries: await logSize(tdb.handle.db),
    });
  });

  it('stores checkpoints made in the insert statement and on demand, and answers a repeated one with the stored row', async () => {
    const s = sequencer<undefined>(
      { load: async () => undefined, apply: () => {}, persist: async () => {} },
      5,
    );
    try {
      const before = await logSize(tdb.handle.db);
      await s.appendMany(
        Array.from({ length: 12 }, (_, i) => raw(aMotorEvent().forSerial(serial(i, 'CPK')).build())),
      );
      const { rows } = await sql<{
        size: number;
      }>`SELECT size FROM ledger_checkpoint WHERE size > ${before} ORDER BY size`.execute(tdb.handle.db);
      expect(rows.map((r) => Number(r.size))).toEqual([before + 12]);
      const first = await s.checkpoint();
      const again = await s.checkpoint();
      expect(first).toEqual(again);
      expect(first.size).toBe(before + 12);
    } finally {
      await s.close();
    }
    await expect(verifyDatabase(tdb.handle.db)).resolves.toMatchObject({ uncovered: 0 });
  });

  it('runs the domain’s CTEs in the insert statement instead of calling persist', async () => {
    let persisted = 0;
    const domain: Domain<undefined> = {
      load: async () => undefined,
      apply: () => {},
      persist: async () => {
        persisted++;
      },
      persistCtes: (_state, entries: readonly SequencedEntry[]): RawBuilder<unknown>[] => [
        sql`proj AS (
          INSERT INTO motor (serial, state, last_seq)
          SELECT * FROM unnest(${entries.map((e) => `CTE-${e.envelope.seq}`)}::text[],
                               ${entries.map(() => '{}')}::jsonb[], ${entries.map((e) => e.envelope.seq)}::bigint[])
        )`,
      ],
    };
    const s = sequencer(domain);
    try {
      const r = await s.append(raw(aMotorEvent().forSerial(serial(1, 'CTE')).build()));
      const { rows } = await sql<{
        last_seq: number;
      }>`SELECT last_seq FROM motor WHERE serial = ${`CTE-${r.seq}`}`.execute(tdb.handle.db);
      expect(rows.map((x) => Number(x.last_seq))).toEqual([r.seq]);
      expect(persisted).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('gives the domain hooks a connection inside the transaction: what they write is rolled back with the batch', async () => {
    const domain: Domain<undefined> = {
      load: async () => undefined,
      apply: () => {},
      persist: async (trx: Transaction<Database>, _state, entries) => {
        await sql`INSERT INTO motor (serial, state, last_seq) VALUES (${`RB-${entries[0]!.envelope.seq}`}, '{}', 0)`.execute(
          trx,
        );
        throw new Error('after the write');
      },
    };
    const s = sequencer(domain);
    try {
      const before = await logSize(tdb.handle.db);
      await expect(s.append(raw(aMotorEvent().forSerial(serial(1, 'RBK')).build()))).rejects.toThrow(
        'after the write',
      );
      const { rows } = await sql`SELECT 1 FROM motor WHERE serial = ${`RB-${before}`}`.execute(tdb.handle.db);
      expect(rows).toHaveLength(0);
      expect(await logSize(tdb.handle.db)).toBe(before);
    } finally {
      await s.close();
    }
  });

  it('writes a batch as one statement on the head it knows, and runs it guarded when another writer appended', async () => {
    const s = sequencer(rawDomain);
    const other = sequencer(rawDomain);
    try {
      const motor = `motor:${serial(1, 'FST')}`;
      const a = await s.append(raw(aMotorEvent().forSerial(serial(1, 'FST')).build()));
      const b = await s.append(raw(aMotorEvent().forSerial(serial(1, 'FST')).build()));
      expect(s.stats).toMatchObject({ guardedBatches: 1, fastBatches: 1, fallbacks: 0 });
      expect(b.seq).toBe(a.seq + 1);
      // Another process appends to the same motor: `s` still believes the head is b.seq + 1.
      const c = await other.append(raw(aMotorEvent().forSerial(serial(1, 'FST')).build()));
      const d = await s.append(raw(aMotorEvent().forSerial(serial(1, 'FST')).build()));
      expect(s.stats).toMatchObject({ guardedBatches: 2, fastBatches: 1, fallbacks: 1 });
      expect(d.seq).toBe(c.seq + 1);
      expect(d.envelope?.prev).toEqual({ [motor]: { seq: c.seq, hash: c.leafHash } });
      // The refused statement left nothing behind, and the next batch is fast again.
      expect(await orphanRows()).toEqual({ subjects: 0, nodes: 0 });
      await s.append(raw(aMotorEvent().forSerial(serial(2, 'FST')).build()));
      expect(s.stats.fastBatches).toBe(2);
    } finally {
      await s.close();
      await other.close();
    }
    await expect(verifyDatabase(tdb.handle.db)).resolves.toMatchObject({
      entries: await logSize(tdb.handle.db),
    });
  });

  it('links a subject whose head it no longer holds in memory: the fast statement finds it and runs again', async () => {
    // A cache of one subject head: appending to a second motor pushes the first one's head out of memory.
    const s = new Sequencer(tdb.handle.db, rawDomain, {
      origin: 'test.local/batch',
      signer,
      checkpointIntervalMs: 0,
      subjectCacheSize: 1,
    });
    try {
      const first = `motor:${serial(1, 'RLK')}`;
      const a = await s.append(raw(aMotorEvent().forSerial(serial(1, 'RLK')).build()));
      await s.append(raw(aMotorEvent().forSerial(serial(2, 'RLK')).build()));
      await s.append(raw(aMotorEvent().forSerial(serial(3, 'RLK')).build()));
      expect(s.stats).toMatchObject({ fastBatches: 2, fallbacks: 0, relinks: 0 });
      // RLK-1 is not in memory and nobody else wrote: the fast statement takes it for new, finds a's entry,
      // writes nothing, and the batch runs again (fast) with the link.
      const d = await s.append(raw(aMotorEvent().forSerial(serial(1, 'RLK')).build()));
      expect(d.envelope?.prev).toEqual({ [first]: { seq: a.seq, hash: a.leafHash } });
      expect(s.stats).toMatchObject({ fastBatches: 3, fallbacks: 0, relinks: 1 });
      expect(d.seq).toBe((await logSize(tdb.handle.db)) - 1);
      expect(await orphanRows()).toEqual({ subjects: 0, nodes: 0 });
      // A subject that really is new costs no lookup and no second statement.
      const e = await s.append(raw(aMotorEvent().forSerial(serial(4, 'RLK')).build()));
      expect(e.envelope?.prev).toEqual({});
      expect(s.stats).toMatchObject({ fastBatches: 4, relinks: 1 });
    } finally {
      await s.close();
    }
    await expect(verifyDatabase(tdb.handle.db)).resolves.toMatchObject({
      entries: await logSize(tdb.handle.db),
    });
  });

  it('answers a retried idempotency key on the fast path with the first entry and writes nothing', async () => {
    const s = sequencer(rawDomain);
    try {
      await s.append(raw(aMotorEvent().forSerial(serial(1, 'IDF')).build()));
      const id = '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a';
      const draft = aMotorEvent().forSerial(serial(2, 'IDF')).build();
      const first = await s.append(raw(draft, id));
      const size = await logSize(tdb.handle.db);
      const fallbacks = s.stats.fallbacks;
      const retry = await s.append(raw(draft, id));
      expect(retry).toMatchObject({ seq: first.seq, leafHash: first.leafHash, duplicate: true });
      expect(s.stats.fallbacks).toBe(fallbacks + 1);
      // The same key with another request is refused, also without writing.
      const other = aMotorEvent().forSerial(serial(3, 'IDF')).build();
      await expect(s.append(raw(other, id))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await logSize(tdb.handle.db)).toBe(size);
      expect(await orphanRows()).toEqual({ subjects: 0, nodes: 0 });
    } finally {
      await s.close();
    }
  });

  it('gives a retried command the first answer even when deciding it again would now refuse it', async () => {
    const s = sequencer(rawDomain);
    try {
      await s.append(raw(aMotorEvent().forSerial(serial(1, 'RTY')).build()));
      const draft = aMotorEvent().forSerial(serial(2, 'RTY')).build();
      let decided = 0;
      // Like a real command: once its event is in, deciding it again is refused (e.g. "already received").
      const command: Command<undefined> = {
        ...raw(draft, '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3b'),
        decide: () => {
          if (decided++ > 0) throw new ValidationError('ALREADY_DONE', 'Already done.');
          return draft;
        },
      };
      const first = await s.append(command);
      const fast = s.stats.fastBatches;
      // In one batch with a new command, which the fast path would have written.
      const [other, retry] = await s.appendMany([
        raw(aMotorEvent().forSerial(serial(3, 'RTY')).build()),
        command,
      ]);
      expect(retry).toMatchObject({
        status: 'fulfilled',
        value: { seq: first.seq, leafHash: first.leafHash, duplicate: true },
      });
      expect(other).toMatchObject({ status: 'fulfilled', value: { seq: first.seq + 1 } });
      expect(s.stats.fastBatches).toBe(fast);
    } finally {
      await s.close();
    }
  });
});
