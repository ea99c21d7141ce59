import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainState } from '../../src/core/domain/state.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { logSize } from '../../src/ledger/reader.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { verifyDatabase } from '../../src/verify/verify.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { createTestDatabase, hasServer, type TestDatabase } from '../support/db.js';

let tdb: TestDatabase;
let ledger: Ledger<DomainState>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  ledger = await openLedger({ config: tdb.config, handle: tdb.handle, ownsHandle: false, migrate: false });
});
afterAll(async () => {
  await ledger?.close();
  await tdb?.drop();
});

const append = (draft = aMotorEvent().build(), id?: string) => ledger.sequencer.append(rawCommand(draft, id));

describe('sequencer', () => {
  it('gives 300 concurrent appends gapless seqs, each answered after commit, and the log verifies', async () => {
    const before = await logSize(tdb.handle.db);
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        append(
          aMotorEvent()
            .forSerial(serial(i % 40))
            .build(),
        ),
      ),
    );
    const seqs = results.map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => before + i));
    // Every acknowledged entry is readable from another connection: nothing was acknowledged before commit.
    expect(await logSize(tdb.handle.db)).toBe(before + 300);
    const summary = await verifyDatabase(tdb.handle.db);
    expect(summary.entries).toBe(before + 300);
  });

  it('links each entry to the previous entry of each of its subjects', async () => {
    const a = await append(aMotorEvent().forSerial('7DL-900001').build());
    const b = await append(aMotorEvent().ofType('motor.tested').forSerial('7DL-900001').build());
    const shipment = await append(
      aMotorEvent().ofType('shipment.loaded').withSubjects('shipment:SHP-1', 'motor:7DL-900001').build(),
    );
    expect(a.envelope?.prev).toEqual({});
    expect(b.envelope?.prev).toEqual({ 'motor:7DL-900001': { seq: a.seq, hash: a.leafHash } });
    expect(shipment.envelope?.prev).toEqual({ 'motor:7DL-900001': { seq: b.seq, hash: b.leafHash } });
    expect(shipment.envelope?.subjects).toEqual(['motor:7DL-900001', 'shipment:SHP-1']);
  });

  it('answers a retry with the same id with the first result and writes nothing', async () => {
    const id = randomUUID();
    const draft = aMotorEvent().forSerial(serial(1234)).build();
    const first = await append(draft, id);
    const size = await logSize(tdb.handle.db);
    const again = await append(draft, id);
    expect(again).toMatchObject({ seq: first.seq, id, leafHash: first.leafHash, duplicate: true });
    expect(await logSize(tdb.handle.db)).toBe(size);
  });

  it('answers concurrent retries inside one batch once', async () => {
    const id = randomUUID();
    const draft = aMotorEvent().forSerial(serial(5678)).build();
    const size = await logSize(tdb.handle.db);
    const results = await Promise.all([append(draft, id), append(draft, id), append(draft, id)]);
    expect(new Set(results.map((r) => r.seq)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await logSize(tdb.handle.db)).toBe(size + 1);
  });

  it('refuses the same id with a different request (IDEMPOTENCY_KEY_REUSED) and writes nothing', async () => {
    const id = randomUUID();
    await append(aMotorEvent().forSerial(serial(42)).build(), id);
    const size = await logSize(tdb.handle.db);
    await expect(append(aMotorEvent().forSerial(serial(43)).build(), id)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await logSize(tdb.handle.db)).toBe(size);
  });

  it('fails only the invalid request of a batch; the others commit', async () => {
    const size = await logSize(tdb.handle.db);
    const settled = await ledger.sequencer.appendMany([
      rawCommand(aMotorEvent().forSerial(serial(1)).build()),
      rawCommand(aMotorEvent().withSubjects('truck:XYZ').build()),
      rawCommand(aMotorEvent().withData({ torque: -0 }).build()),
      rawCommand(aMotorEvent().at('yesterday').build()),
      rawCommand(aMotorEvent().forSerial(serial(2)).build(), 'not-a-uuid'),
      rawCommand(aMotorEvent().forSerial(serial(3)).build()),
    ]);
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const reasons = settled.flatMap((s) =>
      s.status === 'rejected' ? [(s.reason as { code: string }).code] : [],
    );
    expect(reasons).toEqual(['INVALID_EVENT', 'NOT_CANONICALIZABLE', 'INVALID_EVENT', 'INVALID_ID']);
    const seqs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.seq] : []));
    expect(seqs).toEqual([size, size + 1]);
    expect(await logSize(tdb.handle.db)).toBe(size + 2);
  });

  it('appends a group all or nothing: one refusal writes none of it, a clean group writes all in order', async () => {
    const size = await logSize(tdb.handle.db);
    const kept = randomUUID();
    // Singles queued around the group commit on their own; the group's refusal does not touch them.
    const before = append(aMotorEvent().forSerial(serial(7001)).build());
    const refusedGroup = ledger.sequencer.appendAll([
      rawCommand(aMotorEvent().forSerial(serial(7002)).build(), kept),
      rawCommand(aMotorEvent().withSubjects('truck:XYZ').build()),
      rawCommand(aMotorEvent().forSerial(serial(7003)).build()),
    ]);
    const after = append(aMotorEvent().forSerial(serial(7004)).build());
    const settled = await refusedGroup;
    expect(
      settled.map((s) => (s.status === 'rejected' ? (s.reason as { code: string }).code : 'ok')),
    ).toEqual(['ROLLED_BACK', 'INVALID_EVENT', 'ROLLED_BACK']);
    await Promise.all([before, after]);
    expect(await logSize(tdb.handle.db)).toBe(size + 2);

    // The same key again, in a clean group: written now (the rolled-back attempt left nothing behind).
    const clean = await ledger.sequencer.appendAll([
      rawCommand(aMotorEvent().forSerial(serial(7002)).build(), kept),
      rawCommand(aMotorEvent().forSerial(serial(7003)).build()),
    ]);
    const seqs = clean.map((s) => (s.status === 'fulfilled' ? s.value.seq : -1));
    expect(seqs).toEqual([size + 2, size + 3]);
    // A group that only repeats a written key is a duplicate, not a refusal.
    const again = await ledger.sequencer.appendAll([
      rawCommand(aMotorEvent().forSerial(serial(7002)).build(), kept),
    ]);
    expect(again[0]).toMatchObject({ status: 'fulfilled', value: { seq: size + 2, duplicate: true } });
    expect((await verifyDatabase(tdb.handle.db)).entries).toBe(size + 4);
  });

  it('signs a checkpoint on demand covering everything committed', async () => {
    await append();
    const cp = await ledger.sequencer.checkpoint();
    expect(cp.size).toBe(await logSize(tdb.handle.db));
    const summary = await verifyDatabase(tdb.handle.db);
    expect(summary.uncovered).toBe(0);
    expect(summary.lastCheckpointSize).toBe(cp.size);
  });

  // Another process's ledger on the same database: its own pool, the same signer.
  async function openSecondWriter(): Promise<Ledger<DomainState>> {
    return openLedger({
      config: tdb.config,
      handle: await tdb.openAnother({ poolSize: 10 }),
      migrate: false,
      signer: ledger.signer,
    });
  }

  it.runIf(hasServer)(
    'keeps two writers on one database serialized: gapless, never forked, verifying',
    async () => {
      const second = await openSecondWriter();
      try {
        const before = await logSize(tdb.handle.db);
        // Both writers touch the same motors, so prev links cross between them.
        const work = Array.from({ length: 200 }, (_, i) =>
          (i % 2 === 0 ? ledger : second).sequencer.append(
            rawCommand(
              aMotorEvent()
                .forSerial(serial(i % 7, '6AM'))
                .build(),
            ),
          ),
        );
        const results = await Promise.all(work);
        expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 200 }, (_, i) => before + i),
        );
        await second.sequencer.checkpoint();
        await ledger.sequencer.checkpoint();
        const summary = await verifyDatabase(tdb.handle.db);
        expect(summary.entries).toBe(before + 200);
      } finally {
        await second.close();
      }
    },
  );

  it.runIf(hasServer)(
    'keeps two busy writers gapless when their one-statement batches collide, and their projections right',
    async () => {
      const second = await openSecondWriter();
      const stats = (l: typeof ledger) => l.sequencer.stats;
      const fallbacksBefore = stats(ledger).fallbacks + stats(second).fallbacks;
      try {
        const before = await logSize(tdb.handle.db);
        // 8 clients per writer, each appending one at a time, all on the same 5 motors: every batch of one
        // writer makes the other's cached head stale, so fast statements collide on seq and fall back.
        const clients = (l: typeof ledger, w: number) =>
          Array.from({ length: 8 }, async (_, c) => {
            const out: number[] = [];
            for (let i = 0; i < 15; i++) {
              const r = await l.sequencer.append(
                rawCommand(
                  aMotorEvent()
                    .forSerial(serial((w + c + i) % 5, 'BSY'))
                    .build(),
                ),
              );
              out.push(r.seq);
            }
            return out;
          });
        const seqs = (await Promise.all([...clients(ledger, 0), ...clients(second, 1)])).flat();
        expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 240 }, (_, i) => before + i));
        expect(stats(ledger).fallbacks + stats(second).fallbacks).toBeGreaterThan(fallbacksBefore);
        await ledger.sequencer.checkpoint();
        const summary = await verifyDatabase(tdb.handle.db);
        expect(summary.entries).toBe(before + 240);
        // Each motor's projection was last written by the batch holding its last entry, whichever writer.
        const { rows } = await sql<{ serial: string; last_seq: number; max_seq: number }>`
          SELECT m.serial, m.last_seq, max(s.seq) AS max_seq
          FROM motor m JOIN ledger_subject s ON s.subject = 'motor:' || m.serial
          WHERE m.serial LIKE ${`%BSY%`}
          GROUP BY m.serial, m.last_seq
        `.execute(tdb.handle.db);
        expect(rows).toHaveLength(5);
        for (const r of rows) expect(Number(r.last_seq)).toBe(Number(r.max_seq));
      } finally {
        await second.close();
      }
    },
  );

  it.runIf(hasServer)(
    'runs as the application role, which may append but never rewrite the log',
    async () => {
      const restricted = await tdb.openAnother({ role: 'motor_ledger_app' });
      const asApp = await openLedger({
        config: tdb.config,
        handle: restricted,
        ownsHandle: false,
        migrate: false,
        signer: ledger.signer,
      });
      try {
        const r = await asApp.sequencer.append(rawCommand(aMotorEvent().forSerial(serial(77)).build()));
        expect(r.seq).toBeGreaterThan(0);
        // The next batch is one statement on the head it now knows, with the projection upserts: same rights.
        const next = await asApp.sequencer.append(rawCommand(aMotorEvent().forSerial(serial(77)).build()));
        expect(next.seq).toBe(r.seq + 1);
        expect(asApp.sequencer.stats).toMatchObject({ guardedBatches: 1, fastBatches: 1, fallbacks: 0 });
        await expect(
          sql`UPDATE ledger_entry SET type = 'x' WHERE seq = 0`.execute(restricted.db),
        ).rejects.toThrow(/permission denied/);
        await expect(sql`DELETE FROM ledger_subject`.execute(restricted.db)).rejects.toThrow(
          /permission denied/,
        );
        await expect(sql`TRUNCATE merkle_node`.execute(restricted.db)).rejects.toThrow(/permission denied/);
      } finally {
        await asApp.close();
      }
    },
  );

  it('refuses UPDATE, DELETE and TRUNCATE on every log table by trigger, even for the owner', async () => {
    const db = tdb.handle.db;
    const column = {
      ledger_entry: 'seq',
      ledger_subject: 'seq',
      merkle_node: 'idx',
      ledger_checkpoint: 'size',
      signing_key: 'kid',
    };
    for (const [table, col] of Object.entries(column)) {
      await expect(
        sql`UPDATE ${sql.table(table)} SET ${sql.ref(col)} = ${sql.ref(col)}`.execute(db),
      ).rejects.toThrow(/append-only/);
      await expect(sql`DELETE FROM ${sql.table(table)}`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`TRUNCATE ${sql.table(table)}`.execute(db)).rejects.toThrow(/append-only/);
    }
    expect(await logSize(db)).toBeGreaterThan(0);
  });
});
