// The sequencer: the one write path into the log. Callers enqueue commands; one batch at a time runs in one
// transaction (group commit) under a per-database advisory lock, so several processes on one database take
// turns and never fork the log. Each command is decided in order against the state left by the ones before
// it, gets the next gapless seq, its per-subject prev links and its leaf hash; Merkle nodes, projections and
// a checkpoint when due are written in the same transaction. Callers are answered only after the commit.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson, canonicalJsonWithMember } from '../core/canonical.js';
import { bytesEqual, fromBase64, toBase64 } from '../core/encoding.js';
import {
  type Envelope,
  type EventDraft,
  envelopeJson,
  isUuid,
  normalizeSubjects,
  type PrevLink,
  validateDraft,
} from '../core/envelope.js';
import { ConflictError, LedgerError, UnavailableError, ValidationError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { leafHash, MerkleFrontier, subtreesOfPrefix } from '../core/merkle.js';
import type { Database } from '../db/schema.js';
import { databaseUnavailable, isDatabaseUnavailable } from '../db/unavailable.js';
import { installNodeSha256 } from '../verify/node-sha256.js';
import type { CheckpointSigner } from './signing.js';
import { fetchNodeHashes, isStoredLevel } from './tree-store.js';

// Every hash this process makes (leaves, nodes, request hashes) with node:crypto rather than the portable default.
installNodeSha256();

/** A request to append one event. `decide` sees the batch state left by earlier commands and may refuse. */
export interface Command<S = unknown> {
  /** Client idempotency key (UUID); a retry with the same key gets the first answer and writes nothing. */
  readonly id?: string | undefined;
  /** Hash of what was asked; the same key with a different request is refused. */
  readonly requestHash: Uint8Array;
  /** Decide the event to append, or throw a LedgerError (nothing is written for this command). */
  decide(state: S): EventDraft;
  /** The caller's answer, computed from the batch state right after this command's event was applied. */
  answer?(state: S, event: DecidedEvent): unknown;
  /**
   * The RFC 8785 JSON of the event data `decide` will return, when the command already made it (rawCommand):
   * used only if decide returns this very `data` object, which must not have changed since.
   */
  readonly canonicalData?: { readonly data: object; readonly json: string } | undefined;
  /**
   * Subjects the event will probably name, known before decide (rawCommand: the draft's). Their last entries are
   * read in the batch's first query instead of a query of their own; a subject decide adds is still looked up.
   */
  readonly subjects?: readonly string[] | undefined;
}

/** The domain's hooks into a batch: load state, apply each appended entry, persist projections. */
export interface Domain<S> {
  load(trx: Transaction<Database>, commands: readonly Command<S>[]): Promise<S>;
  apply(state: S, event: DecidedEvent): void;
  persist(trx: Transaction<Database>, state: S, entries: readonly SequencedEntry[]): Promise<void>;
  /**
   * Optional, instead of persist: the projection writes as common table expressions (`name AS (INSERT …)`,
   * names not starting with `ml_`), run in the batch's one insert statement, which saves a round trip and lets
   * a batch be one statement (see the fast path in the Sequencer). The statement's first CTE, `ml_lock`, takes
   * the writers' lock: a CTE that writes should read from it (`… FROM unnest(…) AS u CROSS JOIN ml_lock`) so
   * that it writes nothing before the lock is held. Return undefined to have persist called as usual.
   */
  persistCtes?(state: S, entries: readonly SequencedEntry[]): RawBuilder<unknown>[] | undefined;
}

/** An event decided in this batch, before its bytes exist: enough for the domain to update its batch state. */
export interface DecidedEvent {
  seq: number;
  id: string;
  recorded: string;
  draft: EventDraft;
}

export interface SequencedEntry {
  envelope: Envelope;
  bytes: Uint8Array;
  leafHash: Uint8Array;
}

/** What a caller gets back once its entry is durable (or was already). */
export interface AppendResult {
  seq: number;
  id: string;
  type: string;
  leafHash: string;
  recorded: string;
  /** True when this was a retry of an earlier request: nothing new was written. */
  duplicate: boolean;
  /** The entry as appended (for a duplicate: as first appended). */
  envelope?: Envelope;
  /** What the command's answer() computed (absent for a duplicate). */
  answer?: unknown;
}

export interface CheckpointRecord {
  size: number;
  root: string;
  kid: string;
  jws: string;
}

export interface SequencerOptions {
  origin: string;
  signer: CheckpointSigner;
  /** Make a checkpoint when this many entries are not yet covered by one. */
  checkpointEvery?: number;
  /** …or when the oldest uncovered entry is this old (ms). 0 disables the timer. */
  checkpointIntervalMs?: number;
  /** Most commands per transaction. */
  maxBatch?: number;
  /** How many subject heads (last seq and hash of a subject) to keep in memory. */
  subjectCacheSize?: number;
  /**
   * Try each batch first as one autocommit statement on what this process knows (see the class comment);
   * false runs every batch the guarded way (BEGIN, lock, head query, insert, COMMIT). Default true.
   */
  fastPath?: boolean;
}

/** How the batches ran, for tests and the bench. */
export interface SequencerStats {
  /** Batches written as one statement on the cached head. */
  fastBatches: number;
  /** Batches written the guarded way (BEGIN, lock, head, insert, COMMIT), fallbacks included. */
  guardedBatches: number;
  /** Fast statements that failed (another writer appended, a known idempotency key…) and ran guarded instead. */
  fallbacks: number;
  /**
   * Fast statements that found entries for a subject this process took for new (its head was not in memory),
   * wrote nothing, and ran again with that subject's last entry.
   */
  relinks: number;
}

interface Job<S> {
  command: Command<S>;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
  /** The all-or-nothing group the job belongs to (appendAll): the same object for every job of the group. */
  group?: object;
}

interface CheckpointWaiter {
  resolve(c: CheckpointRecord): void;
  reject(err: unknown): void;
}

// After a relink, this many fast batches that meet unknown subjects look them up first.
const RELINK_COOLDOWN = 16;

// Advisory lock key: "motorled" in ASCII. Advisory locks are per database.
export const LOCK_KEY = 0x6d6f746f726c6564n;

/** The raw domain: no state, commands carry their event. Used by the ledger core, tests and the bench. */
export const rawDomain: Domain<undefined> = {
  load: async () => undefined,
  apply: () => {},
  persist: async () => {},
  persistCtes: () => [],
};

/**
 * A command that appends the given event draft as is.
 * @example await sequencer.append(rawCommand({ type: 'motor.produced', time, actor, subjects: ['motor:7DL-1'], data: {} }))
 */
export function rawCommand<S = unknown>(draft: EventDraft, id?: string): Command<S> {
  const request = { kind: 'raw', ...draft };
  try {
    // The request's canonical JSON contains the data's: keep that part, so the batch does not serialize it again.
    const { json, member } = canonicalJsonWithMember(request, 'data');
    const requestHash = sha256(utf8(json));
    const canonicalData =
      member !== undefined && isObject(request.data)
        ? { data: request.data, json: flatten(member) }
        : undefined;
    return { id, requestHash, decide: () => draft, canonicalData, subjects: draft.subjects };
  } catch {
    // Not canonicalizable: decide refuses it with the path; the hash only has to be stable for a retry.
    return { id, requestHash: requestHashOf(request), decide: () => draft };
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

// The serializer builds its text by concatenation (a tree of string pieces); a text kept for a while is copied
// into one flat string first, which is much smaller for the garbage collector to move (ToNumber flattens).
function flatten(text: string): string {
  void Number(text);
  return text;
}

export class Sequencer<S = undefined> {
  readonly #db: Kysely<Database>;
  readonly #domain: Domain<S>;
  readonly #opts: Required<SequencerOptions>;
  #queue: Job<S>[] = [];
  #checkpointWaiters: CheckpointWaiter[] = [];
  #running = false;
  #closed = false;
  // What this process believes is committed; checked against the database at the start of each batch.
  #frontier: MerkleFrontier | undefined;
  #lastCheckpointSize = -1;
  #uncoveredSince = 0;
  #subjectHeads = new Map<string, PrevLink>();
  // Fast batches left that look unknown subjects up first instead of taking them for new: set after a relink,
  // because subjects missing from memory then are mostly old ones (a cold cache, another writer's motors).
  #lookUpFirst = 0;
  #timer: NodeJS.Timeout | undefined;
  #idle: Promise<void> = Promise.resolve();
  #idleResolve: (() => void) | undefined;
  readonly #stats: SequencerStats = { fastBatches: 0, guardedBatches: 0, fallbacks: 0, relinks: 0 };

  constructor(db: Kysely<Database>, domain: Domain<S>, options: SequencerOptions) {
    this.#db = db;
    this.#domain = domain;
    this.#opts = {
      checkpointEvery: 1000,
      checkpointIntervalMs: 5000,
      maxBatch: 1000,
      subjectCacheSize: 200_000,
      fastPath: true,
      ...options,
    };
    if (this.#opts.checkpointIntervalMs > 0) {
      this.#timer = setInterval(() => this.#onTimer(), Math.min(this.#opts.checkpointIntervalMs, 1000));
      this.#timer.unref();
    }
  }

  /**
   * Told of every batch once it is answered: how many commands and checkpoint requests it took, and how long it
   * ran from its start to its last answer (the metrics' batch size and commit latency).
   */
  onBatch: ((batch: { commands: number; ms: number }) => void) | undefined;

  /** Commands waiting for a batch (the queue depth). */
  get queued(): number {
    return this.#queue.length;
  }

  /** How the batches ran so far (a copy). */
  get stats(): SequencerStats {
    return { ...this.#stats };
  }

  /** Number of entries this process knows to be committed (may lag other processes until its next batch). */
  get knownSize(): number {
    return this.#frontier?.size ?? 0;
  }

  /**
   * Append one event; resolves after its transaction commits.
   * @example const { seq, leafHash } = await sequencer.append(rawCommand(draft));
   */
  append(command: Command<S>): Promise<AppendResult> {
    if (this.#closed)
      return Promise.reject(
        new UnavailableError('SHUTTING_DOWN', 'The ledger is shutting down; retry on another instance.'),
      );
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ command, resolve, reject });
      this.#kick();
    });
  }

  /** Append many events; each settles on its own (one refusal does not fail the others). */
  appendMany(commands: readonly Command<S>[]): Promise<PromiseSettledResult<AppendResult>[]> {
    return Promise.allSettled(commands.map((c) => this.append(c)));
  }

  /**
   * Append many events all or nothing: decided in order in one transaction of their own; if any is refused, none
   * is written, each refused one settles with its refusal and the others with ROLLED_BACK. A retried key settles
   * as a duplicate (it was written before) and refuses nothing.
   * @example const settled = await sequencer.appendAll(commands); // every one fulfilled, or nothing written
   */
  appendAll(commands: readonly Command<S>[]): Promise<PromiseSettledResult<AppendResult>[]> {
    if (this.#closed) return this.appendMany(commands);
    const group = {};
    const settled = Promise.allSettled(
      commands.map(
        (command) =>
          new Promise<AppendResult>((resolve, reject) => {
            this.#queue.push({ command, resolve, reject, group });
          }),
      ),
    );
    this.#kick();
    return settled;
  }

  /** Make a checkpoint of everything committed so far (or return the latest if nothing is new). */
  checkpoint(): Promise<CheckpointRecord> {
    return new Promise<CheckpointRecord>((resolve, reject) => {
      this.#checkpointWaiters.push({ resolve, reject });
      this.#kick();
    });
  }

  /** Stop taking work, finish what is queued, checkpoint the uncovered tail. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#closed) return;
    this.#closed = true;
    await this.#idle;
    if (this.#frontier && this.#frontier.size > this.#lastCheckpointSize) {
      await this.checkpoint().catch(() => {});
    }
    await this.#idle;
  }

  #onTimer(): void {
    const size = this.#frontier?.size ?? 0;
    if (
      size > this.#lastCheckpointSize &&
      this.#uncoveredSince > 0 &&
      Date.now() - this.#uncoveredSince >= this.#opts.checkpointIntervalMs
    ) {
      this.checkpoint().catch(() => {});
    }
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    this.#idle = new Promise((r) => {
      this.#idleResolve = r;
    });
    // Let the callers of this tick enqueue first: they join the same batch.
    setImmediate(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 || this.#checkpointWaiters.length > 0) {
        const jobs = this.#queue.splice(0, this.#batchLength());
        const waiters = this.#queue.length === 0 ? this.#checkpointWaiters.splice(0) : [];
        const started = performance.now();
        if (jobs[0]?.group) await this.#runGroup(jobs, waiters);
        else await this.#runIsolating(jobs, waiters);
        this.onBatch?.({ commands: jobs.length, ms: performance.now() - started });
      }
    } finally {
      this.#running = false;
      this.#idleResolve?.();
    }
  }

  // How many queued jobs the next batch takes: an all-or-nothing group whole and alone, else up to maxBatch
  // jobs before the next group.
  #batchLength(): number {
    const queue = this.#queue;
    const group = queue[0]?.group;
    let n = 1;
    if (group) while (n < queue.length && queue[n]!.group === group) n++;
    else while (n < queue.length && n < this.#opts.maxBatch && !queue[n]!.group) n++;
    return n;
  }

  // An all-or-nothing group, never split: the fast way when it can (it writes all or nothing, and gives way to
  // the guarded one on any refusal of a command with a key, which looks every key up first), else guarded.
  async #runGroup(jobs: Job<S>[], waiters: CheckpointWaiter[]): Promise<void> {
    try {
      if (await this.#runFast(jobs, waiters)) return;
      await this.#runBatch(jobs, waiters);
    } catch (err) {
      for (const j of jobs) j.reject(toLedgerError(err));
      for (const w of waiters) w.reject(toLedgerError(err));
    }
  }

  // Run a batch; if the transaction fails as a whole (not a refusal: those are per command), retry its
  // commands one by one so that only the command that breaks it fails.
  async #runIsolating(jobs: Job<S>[], waiters: CheckpointWaiter[]): Promise<void> {
    try {
      if (await this.#runFast(jobs, waiters)) return;
      await this.#runBatch(jobs, waiters);
    } catch (err) {
      // No database: every command would fail the same way, each after its own connect timeout. Answer all now.
      if (jobs.length <= 1 || isDatabaseUnavailable(err)) {
        for (const j of jobs) j.reject(toLedgerError(err));
        for (const w of waiters) w.reject(toLedgerError(err));
        return;
      }
      for (const job of jobs) {
        try {
          await this.#runBatch([job], []);
        } catch (e) {
          job.reject(toLedgerError(e));
        }
      }
      if (waiters.length > 0) {
        try {
          await this.#runBatch([], waiters);
        } catch (e) {
          for (const w of waiters) w.reject(toLedgerError(e));
        }
      }
    }
  }

  async #runBatch(jobs: Job<S>[], waiters: CheckpointWaiter[]): Promise<void> {
    const settled: Array<() => void> = [];
    let committed: Committed | undefined;
    try {
      // One connection, an explicit transaction: BEGIN and the lock go in one round trip (a simple query without
      // parameters, which both drivers run as several statements), and so can the COMMIT's.
      await this.#db.connection().execute(async (conn) => {
        let open = false;
        try {
          open = true;
          await sql.raw(`BEGIN; SELECT pg_advisory_xact_lock(${LOCK_KEY})`).execute(conn);
          // The domain hooks take a Transaction; this is one connection inside BEGIN … COMMIT, which is what a
          // Transaction is to them (they run queries on it and never begin or commit).
          const done = await this.#inTransaction(
            conn as unknown as Transaction<Database>,
            jobs,
            waiters,
            settled,
            false,
          );
          // The guarded way looks every subject up, so its statement never finds one it took for new.
          if (done instanceof Relink)
            throw new LedgerError('RELINK_GUARDED', 'A guarded batch took a subject for new.');
          committed = done;
          await sql.raw('COMMIT').execute(conn);
          open = false;
        } finally {
          if (open) {
            committed = undefined;
            // If even the rollback fails the connection is broken and the pool drops it; the batch still fails.
            await sql
              .raw('ROLLBACK')
              .execute(conn)
              .catch(() => {});
          }
        }
      });
    } catch (err) {
      // The transaction rolled back: forget what this process believed, re-read it next batch.
      this.#forget();
      throw err;
    }
    this.#stats.guardedBatches++;
    if (committed) this.#adopt(committed);
    for (const s of settled) s();
  }

  // The fast path: when this process knows the committed head (its last batch committed, or read it), the batch
  // is one autocommit statement with no head query: the lock is the statement's first CTE, then the entries at
  // the next seqs, their links, nodes, checkpoint and the domain's CTEs. What it relies on is checked by the
  // database in that statement: if anyone else appended since, seq N already exists and the primary key refuses
  // the whole statement; an idempotency key already used is refused by the unique index on id. Either way
  // nothing is written, nobody is answered, and the batch runs the guarded way (which reads the head and the
  // keys). Batches with nothing to append, checkpoint requests and domains without persistCtes run guarded.
  // Returns false when the batch still has to run.
  async #runFast(jobs: Job<S>[], waiters: CheckpointWaiter[]): Promise<boolean> {
    if (
      !this.#opts.fastPath ||
      this.#frontier === undefined ||
      waiters.length > 0 ||
      jobs.length === 0 ||
      this.#domain.persistCtes === undefined
    ) {
      return false;
    }
    let settled: Array<() => void> = [];
    let committed: Committed | Relink | undefined;
    try {
      // Not a transaction: each statement on the pool is its own, and only the last one writes. A statement that
      // finds entries for subjects it took for new writes nothing; the batch runs again, once, with their heads.
      for (let attempt = 0; attempt < 2; attempt++) {
        settled = [];
        committed = await this.#inTransaction(
          this.#db as unknown as Transaction<Database>,
          jobs,
          waiters,
          settled,
          true,
        );
        if (!(committed instanceof Relink)) break;
        this.#stats.relinks++;
        this.#lookUpFirst = RELINK_COOLDOWN;
        for (const [s, h] of committed.heads) this.#subjectHeads.set(s, h);
      }
    } catch {
      this.#forget();
      this.#stats.fallbacks++;
      return false;
    }
    if (committed === undefined || committed instanceof Relink) return false;
    this.#stats.fastBatches++;
    this.#adopt(committed);
    for (const s of settled) s();
    return true;
  }

  // After a commit: what this process now knows is committed.
  #adopt(c: Committed): void {
    const grew = c.frontier.size > (this.#frontier?.size ?? 0);
    this.#frontier = c.frontier;
    for (const [s, h] of c.heads) this.#subjectHeads.set(s, h);
    this.#trimSubjectCache();
    if (c.checkpointSize !== this.#lastCheckpointSize) {
      this.#lastCheckpointSize = c.checkpointSize;
      this.#uncoveredSince = 0;
    }
    if (grew && this.#uncoveredSince === 0 && c.frontier.size > this.#lastCheckpointSize) {
      this.#uncoveredSince = Date.now();
    }
  }

  // After a failure: forget what this process believed; the next batch re-reads it.
  #forget(): void {
    this.#frontier = undefined;
    this.#subjectHeads.clear();
  }

  // The batch inside its transaction, after the lock: everything but BEGIN and COMMIT. Answers go to `settled`
  // and run only after the commit. `fast`: no transaction and no head query (see #runFast); returns undefined,
  // having written nothing, when the batch cannot go that way, or a Relink, having written nothing, when subjects
  // it took for new have entries (never either when not fast).
  async #inTransaction(
    trx: Transaction<Database>,
    jobs: Job<S>[],
    waiters: CheckpointWaiter[],
    settled: Array<() => void>,
    fast: boolean,
  ): Promise<Committed | Relink | undefined> {
    // Subject heads read from the database in this batch (found or not), then the ones this batch appends.
    const heads = new Map<string, PrevLink>();
    const looked = new Set<string>();
    let head: Head;
    let frontier: MerkleFrontier;
    if (fast) {
      // No query: the head this process committed last (see #runFast).
      const known = this.#frontier;
      if (known === undefined) return undefined;
      head = { size: known.size, checkpoint: null, entries: new Map(), subjects: new Map() };
      frontier = known.clone();
    } else {
      // One query after the lock: the head, the known idempotency keys, and the heads of the subjects the
      // commands announce (most events name the subjects their command already knew).
      const keys = [
        ...new Set(
          jobs.map((j) => j.command.id).filter((id): id is string => id !== undefined && isUuid(id)),
        ),
      ];
      for (const j of jobs) {
        const hint = j.command.subjects;
        if (!Array.isArray(hint)) continue;
        for (const s of hint) if (typeof s === 'string' && !this.#subjectHeads.has(s)) looked.add(s);
      }
      head = await readHead(trx, keys, [...looked]);
      frontier = await this.#loadFrontier(trx, head.size, head.checkpoint);
    }
    const lastCheckpointSize = this.#lastCheckpointSize;
    for (const [s, h] of head.subjects) heads.set(s, h);
    const existing = head.entries;

    // Phase 1, in order: decide each command against the state the earlier ones left.
    const state = await this.#domain.load(
      trx,
      jobs.map((j) => j.command),
    );
    const recorded = new Date().toISOString();
    const accepted: {
      job: Job<S>;
      draft: EventDraft;
      dataJson: string;
      id: string;
      seq: number;
      answer: unknown;
    }[] = [];
    const firstOfKey = new Map<string, { index: number; requestHash: Uint8Array }>();
    const duplicates: { job: Job<S>; of: number }[] = [];
    let refused = 0;
    let nextSeq = frontier.size;
    for (const job of jobs) {
      const { command } = job;
      const id = command.id;
      if (id !== undefined && !isUuid(id)) {
        const err = new ValidationError(
          'INVALID_ID',
          `Request id "${id}" is not a lower-case UUID such as 0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a.`,
        );
        settled.push(() => job.reject(err));
        refused++;
        continue;
      }
      const prior = id ? existing.get(id) : undefined;
      const sibling = id ? firstOfKey.get(id) : undefined;
      if (prior || sibling) {
        if (!bytesEqual(prior ? prior.request_hash : sibling!.requestHash, command.requestHash)) {
          const err = new ConflictError(
            'IDEMPOTENCY_KEY_REUSED',
            `Request id ${id} was already used for a different request; send a new id for a new request.`,
            { id },
          );
          settled.push(() => job.reject(err));
          refused++;
        } else if (prior) {
          const result: AppendResult = {
            seq: prior.seq,
            id: id!,
            type: prior.type,
            leafHash: toBase64(prior.leaf_hash),
            recorded: prior.recorded.toISOString(),
            duplicate: true,
            envelope: JSON.parse(new TextDecoder().decode(prior.body)) as Envelope,
          };
          settled.push(() => job.resolve(result));
        } else {
          duplicates.push({ job, of: sibling!.index });
        }
        continue;
      }
      let draft: EventDraft;
      let dataJson: string;
      try {
        draft = command.decide(state);
        validateDraft(draft);
        const known = command.canonicalData;
        dataJson =
          known !== undefined && known.data === draft.data ? known.json : canonicalJson(draft.data, 'data');
      } catch (err) {
        // A refusal on the fast path may be a retry whose first answer is in the log (its key was not looked
        // up): only the guarded way, which looks keys up first, may refuse a command that has a key.
        if (fast && id !== undefined) return undefined;
        settled.push(() => job.reject(err));
        refused++;
        continue;
      }
      const seq = nextSeq++;
      const entryId = id ?? uuidv7();
      if (id) firstOfKey.set(id, { index: accepted.length, requestHash: command.requestHash });
      const decided = { seq, id: entryId, recorded, draft };
      this.#domain.apply(state, decided);
      accepted.push({ job, draft, dataJson, id: entryId, seq, answer: command.answer?.(state, decided) });
    }

    // An all-or-nothing group with a refusal writes nothing: the others are answered ROLLED_BACK (the batch
    // state they changed is dropped with them: nothing is persisted without entries).
    if (refused > 0 && jobs[0]?.group) {
      const err = new ConflictError(
        'ROLLED_BACK',
        'Not written: another event of the same all-or-nothing request was refused; fix it and send them again.',
      );
      for (const { job } of accepted) settled.push(() => job.reject(err));
      for (const { job } of duplicates) settled.push(() => job.reject(err));
      accepted.length = 0;
      duplicates.length = 0;
    }

    // The fast path writes in one statement, or not at all.
    if (fast && accepted.length === 0) return undefined;

    // Phase 2: prev links, bytes, hashes, Merkle nodes. A subject whose head is neither announced nor in memory
    // is looked up in one query; on the fast path it is taken for new instead (no link), and the insert statement
    // checks that it has no entry, writing nothing and returning its head if it has (a Relink).
    const unknown = new Set<string>();
    for (const a of accepted) {
      for (const s of a.draft.subjects) if (!looked.has(s) && !this.#subjectHeads.has(s)) unknown.add(s);
    }
    let assumedNew: string[] = [];
    if (unknown.size > 0) {
      if (fast && this.#lookUpFirst === 0) assumedNew = [...unknown];
      else {
        if (fast) this.#lookUpFirst--;
        await loadSubjectHeads(trx, [...unknown], heads);
      }
    }
    const entries: SequencedEntry[] = [];
    const nodes: { level: number; idx: number; hash: Uint8Array }[] = [];
    const subjectRows: { subject: string; seq: number }[] = [];
    const requestHashes: Uint8Array[] = [];
    const results: AppendResult[] = [];
    // The entries' bytes go one after another into one buffer, sent to the database as one bytea.
    const bodies = new ByteRun(accepted.length * 1024);
    for (const { job, draft, dataJson, id, seq, answer } of accepted) {
      const subjects = normalizeSubjects(draft.subjects);
      const prev: Record<string, PrevLink> = {};
      for (const s of subjects) {
        const h = heads.get(s) ?? this.#subjectHeads.get(s);
        if (h) prev[s] = h;
      }
      const envelope: Envelope = {
        v: 1,
        seq,
        id,
        type: draft.type,
        time: draft.time,
        recorded,
        actor: { sub: draft.actor.sub, role: draft.actor.role, site: draft.actor.site },
        subjects,
        prev,
        data: draft.data,
      };
      // encodeEnvelope's bytes, encoded by Buffer (faster than the portable TextEncoder) in the batch's buffer.
      const bytes = bodies.writeUtf8(envelopeJson(envelope, dataJson));
      const leaf = leafHash(bytes);
      frontier.append(leaf, (level, index, hash) => {
        if (isStoredLevel(level)) nodes.push({ level, idx: index, hash });
      });
      const link = { seq, hash: toBase64(leaf) };
      for (const s of subjects) {
        heads.set(s, link);
        subjectRows.push({ subject: s, seq });
      }
      entries.push({ envelope, bytes, leafHash: leaf });
      requestHashes.push(job.command.requestHash);
      const result: AppendResult = {
        seq,
        id,
        type: draft.type,
        leafHash: link.hash,
        recorded,
        duplicate: false,
        envelope,
        answer,
      };
      results.push(result);
      settled.push(() => job.resolve(result));
    }
    for (const d of duplicates) {
      const first = results[d.of]!;
      settled.push(() => d.job.resolve({ ...first, duplicate: true, answer: undefined }));
    }

    // Checkpoint when asked, when enough entries are uncovered, or when the timer said so. It is signed before
    // the insert so that a checkpoint of new entries goes in the same statement as they do.
    let checkpointSize = lastCheckpointSize;
    const due = frontier.size - Math.max(lastCheckpointSize, 0) >= this.#opts.checkpointEvery;
    let checkpoint: CheckpointRecord | undefined;
    if ((waiters.length > 0 || due) && frontier.size > 0) {
      const root = frontier.root();
      const jws = await this.#opts.signer.sign({ origin: this.#opts.origin, size: frontier.size, root });
      checkpoint = { size: frontier.size, root: toBase64(root), kid: this.#opts.signer.kid, jws };
    }

    if (entries.length > 0) {
      const ctes = this.#domain.persistCtes?.(state, entries);
      if (fast && ctes === undefined) return undefined;
      const { checkpoint: stored, found } = await insertEntries(trx, {
        entries,
        bodies,
        requestHashes,
        subjects: subjectRows,
        nodes,
        checkpoint,
        ctes: ctes ?? [],
        assumedNew,
      });
      if (found.size > 0) return new Relink(found);
      if (!ctes) await this.#domain.persist(trx, state, entries);
      if (checkpoint) checkpoint = stored ?? (await readCheckpoint(trx, checkpoint.size));
    } else if (checkpoint) {
      checkpoint = await insertCheckpoint(trx, checkpoint);
    }

    if (checkpoint) {
      const record = checkpoint;
      checkpointSize = record.size;
      for (const w of waiters) settled.push(() => w.resolve(record));
    } else if (waiters.length > 0) {
      const err = new LedgerError('EMPTY_LOG', 'The log is empty: there is nothing to checkpoint yet.');
      for (const w of waiters) settled.push(() => w.reject(err));
    }
    return { frontier, heads, checkpointSize };
  }

  // The frontier for the committed log of `size` entries. If another process appended since our last batch (or
  // we never looked), rebuild it from stored nodes: O(log n) hashes, one query.
  async #loadFrontier(
    trx: Transaction<Database>,
    size: number,
    checkpoint: number | null,
  ): Promise<MerkleFrontier> {
    const known = this.#frontier;
    if (known && known.size === size) {
      this.#lastCheckpointSize = Math.max(this.#lastCheckpointSize, checkpoint ?? -1);
      return known.clone();
    }
    this.#subjectHeads.clear();
    this.#lastCheckpointSize = checkpoint ?? -1;
    const hashes = await fetchNodeHashes(trx, subtreesOfPrefix(size));
    return MerkleFrontier.fromSubtrees(size, hashes);
  }

  #trimSubjectCache(): void {
    const excess = this.#subjectHeads.size - this.#opts.subjectCacheSize;
    if (excess <= 0) return;
    // Drop the oldest tenth (Map keeps insertion order); they are re-read from the database when needed.
    let n = excess + Math.floor(this.#opts.subjectCacheSize / 10);
    for (const k of this.#subjectHeads.keys()) {
      if (n-- <= 0) break;
      this.#subjectHeads.delete(k);
    }
  }
}

interface PriorEntry {
  seq: number;
  type: string;
  leaf_hash: Uint8Array;
  recorded: Date;
  request_hash: Uint8Array;
  body: Uint8Array;
}

/** A fast statement that wrote nothing: these subjects, taken for new, have entries (their last ones). */
class Relink {
  readonly heads: Map<string, PrevLink>;
  constructor(heads: Map<string, PrevLink>) {
    this.heads = heads;
  }
}

/** What a committed batch leaves this process knowing. */
interface Committed {
  frontier: MerkleFrontier;
  heads: Map<string, PrevLink>;
  checkpointSize: number;
}

interface Head {
  /** Entries in the committed log. */
  size: number;
  /** Size of the latest checkpoint, or null. */
  checkpoint: number | null;
  /** Entries already appended with the batch's idempotency keys, by key. */
  entries: Map<string, PriorEntry>;
  /** Last entry of each of the asked subjects that has one. */
  subjects: Map<string, PrevLink>;
}

// The statement after the lock (its own statement, so its snapshot sees everything committed while this
// transaction waited for the lock): log size, latest checkpoint, the entries of known idempotency keys and the
// last entry of each given subject.
async function readHead(
  trx: Transaction<Database>,
  keys: readonly string[],
  subjects: readonly string[],
): Promise<Head> {
  const { rows } = await sql<{
    kind: 'head' | 'key' | 'subject';
    key: string | null;
    seq: number;
    checkpoint: number | null;
    type: string | null;
    leaf_hash: Uint8Array | null;
    recorded: Date | null;
    request_hash: Uint8Array | null;
    body: Uint8Array | null;
  }>`
    SELECT 'head'::text AS kind, NULL::text AS key,
           coalesce((SELECT seq + 1 FROM ledger_entry ORDER BY seq DESC LIMIT 1), 0)::bigint AS seq,
           (SELECT size FROM ledger_checkpoint ORDER BY size DESC LIMIT 1) AS checkpoint,
           NULL::text AS type, NULL::bytea AS leaf_hash, NULL::timestamptz AS recorded,
           NULL::bytea AS request_hash, NULL::bytea AS body
    ${
      keys.length > 0
        ? sql`UNION ALL
    SELECT 'key', id::text, seq, NULL, type, leaf_hash, recorded, request_hash, body
    FROM ledger_entry WHERE id = ANY(${keys}::uuid[])`
        : sql``
    }
    ${
      subjects.length > 0
        ? sql`UNION ALL
    SELECT 'subject', l.subject, l.seq, NULL, NULL, l.leaf_hash, NULL, NULL, NULL
    FROM (${lastEntries(subjects)}) l`
        : sql``
    }
  `.execute(trx);
  const head: Head = { size: 0, checkpoint: null, entries: new Map(), subjects: new Map() };
  for (const r of rows) {
    if (r.kind === 'head') {
      head.size = Number(r.seq);
      head.checkpoint = r.checkpoint === null ? null : Number(r.checkpoint);
    } else if (r.kind === 'key') {
      head.entries.set(r.key!, {
        seq: Number(r.seq),
        type: r.type!,
        leaf_hash: r.leaf_hash!,
        recorded: r.recorded!,
        request_hash: r.request_hash!,
        body: r.body!,
      });
    } else {
      head.subjects.set(r.key!, { seq: Number(r.seq), hash: toBase64(r.leaf_hash!) });
    }
  }
  return head;
}

// The last entry (subject, seq, leaf_hash) of each of `subjects` that has one: a query to use as a subquery or
// a CTE (the head query, the lookup below, the fast statement's check of subjects taken for new).
function lastEntries(
  subjects: readonly string[],
): RawBuilder<{ subject: string; seq: number; leaf_hash: Uint8Array }> {
  return sql`SELECT u.subject, l.seq, l.leaf_hash
    FROM unnest(${subjects}::text[]) AS u(subject)
    CROSS JOIN LATERAL (
      SELECT s.seq, e.leaf_hash FROM ledger_subject s JOIN ledger_entry e ON e.seq = s.seq
      WHERE s.subject = u.subject ORDER BY s.seq DESC LIMIT 1
    ) l`;
}

// Fill `heads` with the last (seq, hash) of each of `subjects` that has an entry.
async function loadSubjectHeads(
  trx: Transaction<Database>,
  subjects: readonly string[],
  heads: Map<string, PrevLink>,
): Promise<void> {
  const { rows } = await lastEntries(subjects).execute(trx);
  for (const r of rows) heads.set(r.subject, { seq: Number(r.seq), hash: toBase64(r.leaf_hash) });
}

// Byte strings one after another in one buffer, with their 1-based offsets and lengths (for SQL substring):
// a batch's bodies and hashes travel as one binary bytea each instead of arrays of hex text, half the bytes
// and no hex encoding on either side.
class ByteRun {
  #buf: Buffer;
  #length = 0;
  readonly offsets: number[] = [];
  readonly lengths: number[] = [];

  constructor(capacity = 4096) {
    this.#buf = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  #ensure(more: number): void {
    if (this.#length + more <= this.#buf.length) return;
    // Views handed out earlier keep the old buffer, whose bytes do not change.
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#length + more));
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }

  #record(start: number, n: number): Uint8Array {
    this.offsets.push(start + 1);
    this.lengths.push(n);
    this.#length = start + n;
    return this.#buf.subarray(start, start + n);
  }

  /** Append the UTF-8 of `text`; returns a view of those bytes. */
  writeUtf8(text: string): Uint8Array {
    this.#ensure(text.length * 3);
    const start = this.#length;
    return this.#record(start, this.#buf.write(text, start, 'utf8'));
  }

  /** Append `bytes`; returns a view of the copy. */
  append(bytes: Uint8Array): Uint8Array {
    this.#ensure(bytes.length);
    const start = this.#length;
    this.#buf.set(bytes, start);
    return this.#record(start, bytes.length);
  }

  /** Everything written, as one buffer. */
  get bytes(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }
}

function concat32(hashes: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(hashes.length * 32);
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i]!;
    if (h.length !== 32) throw new LedgerError('BAD_HASH', `A hash of ${h.length} bytes cannot be stored.`);
    out.set(h, i * 32);
  }
  return out;
}

// One statement for the whole batch: entries, subject index, Merkle nodes, the checkpoint when one is due and
// the domain's projection writes. Returns the checkpoint row as inserted (undefined if none or not inserted).
// `assumedNew`: subjects the batch links as new without having looked them up (the fast path); if any has an
// entry, the statement takes no lock, writes nothing, and returns their last entries in `found`.
async function insertEntries(
  trx: Transaction<Database>,
  batch: {
    entries: readonly SequencedEntry[];
    /** The entries' bytes, in order (entries[i].bytes is the i-th). */
    bodies: ByteRun;
    requestHashes: readonly Uint8Array[];
    subjects: readonly { subject: string; seq: number }[];
    nodes: readonly { level: number; idx: number; hash: Uint8Array }[];
    checkpoint: CheckpointRecord | undefined;
    ctes: readonly RawBuilder<unknown>[];
    assumedNew: readonly string[];
  },
): Promise<{ checkpoint: CheckpointRecord | undefined; found: Map<string, PrevLink> }> {
  const { entries, bodies, subjects, nodes, checkpoint, ctes, assumedNew } = batch;
  // Every entry of a batch has the batch's time.
  const recorded = entries[0]!.envelope.recorded;
  if (entries.some((e) => e.envelope.recorded !== recorded)) {
    throw new LedgerError('BATCH_TIME', 'Every entry of a batch must carry the same recorded time.');
  }
  const requests = new ByteRun(batch.requestHashes.length * 32);
  for (const h of batch.requestHashes) requests.append(h);
  // ml_lock takes the writers' lock (again, in a guarded batch; first, in a fast one): every write reads from it,
  // so nothing is written before the lock is held. The primary keys on seq, (level, idx) and (subject, seq) and
  // the unique id are what refuse a fast batch built on a stale head.
  // The check of the subjects taken for new runs on the statement's snapshot, before the lock: enough, because a
  // fast statement only commits if no one else appended since this process's last batch (seq's primary key),
  // and then that snapshot holds every entry there is.
  const check = assumedNew.length > 0;
  const { rows } = await sql<{
    subject: string | null;
    size: number;
    root: Uint8Array;
    kid: string | null;
    jws: string | null;
  }>`
    WITH ${
      check ? sql`ml_found AS MATERIALIZED (${lastEntries(assumedNew)}), ` : sql``
    }ml_lock AS MATERIALIZED (
      SELECT pg_advisory_xact_lock(${sql.raw(String(LOCK_KEY))}) AS locked${
        check ? sql` WHERE NOT EXISTS (SELECT 1 FROM ml_found)` : sql``
      }
    ), ml_entries AS (
      INSERT INTO ledger_entry (seq, id, type, leaf_hash, body, recorded, request_hash)
      SELECT u.seq, u.id, u.type, substring(${concat32(entries.map((e) => e.leafHash))}::bytea FROM (u.n::int - 1) * 32 + 1 FOR 32),
             substring(${bodies.bytes}::bytea FROM u.body_at FOR u.body_len), ${recorded}::timestamptz,
             substring(${requests.bytes}::bytea FROM u.request_at FOR u.request_len)
      FROM unnest(${entries.map((e) => e.envelope.seq)}::bigint[], ${entries.map((e) => e.envelope.id)}::uuid[],
                  ${entries.map((e) => e.envelope.type)}::text[], ${bodies.offsets}::int[], ${bodies.lengths}::int[],
                  ${requests.offsets}::int[], ${requests.lengths}::int[])
        WITH ORDINALITY AS u(seq, id, type, body_at, body_len, request_at, request_len, n)
        CROSS JOIN ml_lock
    ), ml_subjects AS (
      INSERT INTO ledger_subject (subject, seq)
      SELECT u.subject, u.seq FROM unnest(${subjects.map((s) => s.subject)}::text[], ${subjects.map((s) => s.seq)}::bigint[]) AS u(subject, seq)
        CROSS JOIN ml_lock
    ), ml_nodes AS (
      INSERT INTO merkle_node (level, idx, hash)
      SELECT u.level, u.idx, substring(${concat32(nodes.map((n) => n.hash))}::bytea FROM (u.n::int - 1) * 32 + 1 FOR 32)
      FROM unnest(${nodes.map((n) => n.level)}::smallint[], ${nodes.map((n) => n.idx)}::bigint[])
        WITH ORDINALITY AS u(level, idx, n)
        CROSS JOIN ml_lock
    )${ctes.length > 0 ? sql`, ${sql.join(ctes, sql`, `)}` : sql``}${
      checkpoint
        ? sql`, ml_checkpoint AS (
      INSERT INTO ledger_checkpoint (size, root, kid, jws)
      SELECT ${checkpoint.size}::bigint, ${fromBase64(checkpoint.root)}::bytea, ${checkpoint.kid}::text, ${checkpoint.jws}::text
      FROM ml_lock
      ON CONFLICT (size) DO NOTHING
      RETURNING size, root, kid, jws
    )
    SELECT NULL::text AS subject, size, root, kid, jws FROM ml_checkpoint`
        : sql`
    SELECT NULL::text AS subject, 1::bigint AS size, NULL::bytea AS root, NULL::text AS kid, NULL::text AS jws WHERE false`
    }${
      check
        ? sql`
    UNION ALL SELECT subject, seq, leaf_hash, NULL, NULL FROM ml_found`
        : sql``
    }
  `.execute(trx);
  const found = new Map<string, PrevLink>();
  let stored: CheckpointRecord | undefined;
  for (const r of rows) {
    if (r.subject !== null) found.set(r.subject, { seq: Number(r.size), hash: toBase64(r.root) });
    else stored = { size: Number(r.size), root: toBase64(r.root), kid: r.kid!, jws: r.jws! };
  }
  return { checkpoint: stored, found };
}

// A checkpoint with no new entries (asked for, or the timer's): insert it unless one of this size exists, and
// return the one stored, in one statement.
async function insertCheckpoint(trx: Transaction<Database>, c: CheckpointRecord): Promise<CheckpointRecord> {
  const { rows } = await sql<{ size: number; root: Uint8Array; kid: string; jws: string }>`
    WITH ins AS (
      INSERT INTO ledger_checkpoint (size, root, kid, jws)
      VALUES (${c.size}, ${fromBase64(c.root)}, ${c.kid}, ${c.jws})
      ON CONFLICT (size) DO NOTHING
      RETURNING size, root, kid, jws
    )
    SELECT size, root, kid, jws FROM ins
    UNION ALL
    SELECT size, root, kid, jws FROM ledger_checkpoint
    WHERE size = ${c.size} AND NOT EXISTS (SELECT 1 FROM ins)
  `.execute(trx);
  const r = rows[0];
  if (!r)
    throw new LedgerError('CHECKPOINT_MISSING', `The checkpoint of size ${c.size} could not be stored.`);
  return { size: Number(r.size), root: toBase64(r.root), kid: r.kid, jws: r.jws };
}

async function readCheckpoint(trx: Transaction<Database>, size: number): Promise<CheckpointRecord> {
  const row = await trx
    .selectFrom('ledger_checkpoint')
    .select(['size', 'root', 'kid', 'jws'])
    .where('size', '=', size)
    .executeTakeFirstOrThrow();
  return { size: row.size, root: toBase64(row.root), kid: row.kid, jws: row.jws };
}

/** Hash of a request, for idempotency; a request that cannot be canonicalized is refused later by decide. */
export function requestHashOf(request: unknown): Uint8Array {
  try {
    return sha256(utf8(canonicalJson(request)));
  } catch {
    return sha256(utf8(JSON.stringify(request) ?? ''));
  }
}

function toLedgerError(err: unknown): unknown {
  if (err instanceof LedgerError) return err;
  return databaseUnavailable(err);
}
