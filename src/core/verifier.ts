// The log verifier (BRIEF §3), fed one entry at a time so it runs in constant memory over any size of log
// (plus 24 bytes per distinct subject for the prev links). It checks every leaf, every per-subject prev link,
// every signed checkpoint's root, origin and signature, and stops at the first problem, naming the seq.
// The same code runs offline on an export, against a live database, and in a browser.
import { canonicalJson } from './canonical.js';
import type { VerifiedCheckpoint } from './checkpoint.js';
import { bytesEqual, fromBase64, toBase64, utf8Decode } from './encoding.js';
import { LedgerError } from './errors.js';
import { leafHash, MerkleFrontier } from './merkle.js';
import { hashPrefix, SubjectHeads } from './subject-heads.js';

/** Why verification stopped. `seq` is the first entry found bad (or the checkpoint size for root problems). */
export class VerificationError extends LedgerError {
  readonly seq: number;
  constructor(code: string, seq: number, message: string) {
    super(code, message, { seq });
    this.seq = seq;
  }
}

export interface VerifySummary {
  entries: number;
  root: string;
  checkpointsVerified: number;
  lastCheckpointSize: number;
  /** Entries after the last checkpoint: their bytes and links check out, but no signature covers them yet. */
  uncovered: number;
}

export interface VerifierOptions {
  /** Checkpoints whose signatures were already verified (verifyCheckpoint); any order. */
  checkpoints: readonly VerifiedCheckpoint[];
  /** Refuse checkpoints of another log. Default: the origin of the first checkpoint. */
  origin?: string;
  /** Check that every entry is exactly its RFC 8785 form (default true). */
  strictCanonical?: boolean;
}

interface Parsed {
  v?: unknown;
  seq?: unknown;
  subjects?: unknown;
  prev?: unknown;
}

function isCanonicalText(parsed: unknown, text: string): boolean {
  try {
    return canonicalJson(parsed) === text;
  } catch {
    return false; // e.g. "-0", which parses but has no canonical form
  }
}

export class LogVerifier {
  readonly #frontier = new MerkleFrontier();
  readonly #heads = new SubjectHeads();
  readonly #checkpoints: VerifiedCheckpoint[];
  readonly #strict: boolean;
  #nextCheckpoint = 0;
  #lastGoodCheckpoint = 0;

  constructor(options: VerifierOptions) {
    this.#strict = options.strictCanonical ?? true;
    const sorted = [...options.checkpoints].sort((a, b) => a.size - b.size);
    const origin = options.origin ?? sorted[0]?.origin;
    for (let i = 0; i < sorted.length; i++) {
      const c = sorted[i]!;
      if (c.origin !== origin) {
        throw new VerificationError(
          'WRONG_ORIGIN',
          c.size,
          `Checkpoint of size ${c.size} is for log "${c.origin}", not "${origin}".`,
        );
      }
      const prev = sorted[i - 1];
      if (prev && prev.size === c.size && !bytesEqual(prev.root, c.root)) {
        throw new VerificationError(
          'INCONSISTENT_CHECKPOINTS',
          c.size,
          `Two signed checkpoints of size ${c.size} have different roots: the log was forked or rewritten.`,
        );
      }
    }
    this.#checkpoints = sorted.filter((c, i) => c.size > 0 && sorted[i - 1]?.size !== c.size);
  }

  /** Entries checked so far. */
  get size(): number {
    return this.#frontier.size;
  }

  /**
   * Check the next entry (its exact bytes, without the newline). `storedLeafHash`, when the source keeps one
   * (the database), must match too.
   */
  add(bytes: Uint8Array, storedLeafHash?: Uint8Array): void {
    const seq = this.#frontier.size;
    const leaf = leafHash(bytes);
    if (storedLeafHash && !bytesEqual(storedLeafHash, leaf)) {
      throw new VerificationError(
        'LEAF_HASH_MISMATCH',
        seq,
        `Entry ${seq}: its bytes hash to ${toBase64(leaf)} but the stored leaf hash is ${toBase64(storedLeafHash)}; the entry was altered.`,
      );
    }
    let text: string;
    let e: Parsed;
    try {
      text = utf8Decode(bytes);
      e = JSON.parse(text) as Parsed;
    } catch {
      throw new VerificationError('MALFORMED_ENTRY', seq, `Entry ${seq} is not UTF-8 JSON.`);
    }
    if (e === null || typeof e !== 'object' || e.v !== 1) {
      throw new VerificationError('MALFORMED_ENTRY', seq, `Entry ${seq} is not a version 1 envelope.`);
    }
    if (e.seq !== seq) {
      const found = typeof e.seq === 'number' ? e.seq : NaN;
      if (found > seq) {
        throw new VerificationError(
          'MISSING_ENTRY',
          seq,
          `Entry ${seq} is missing or out of order: the entry in its place says seq ${found}.`,
        );
      }
      throw new VerificationError(
        'REORDERED_ENTRY',
        seq,
        `Entry at position ${seq} says seq ${String(e.seq)}: entries are duplicated or out of order.`,
      );
    }
    if (this.#strict && !isCanonicalText(e, text)) {
      throw new VerificationError('NOT_CANONICAL', seq, `Entry ${seq} is not in RFC 8785 canonical form.`);
    }
    this.#checkLinks(seq, e, leaf);
    this.#frontier.append(leaf);
    this.#checkCheckpoint();
  }

  #checkLinks(seq: number, e: Parsed, leaf: Uint8Array): void {
    const subjects = e.subjects;
    const prev = e.prev;
    if (
      !Array.isArray(subjects) ||
      subjects.length === 0 ||
      prev === null ||
      typeof prev !== 'object' ||
      Array.isArray(prev)
    ) {
      throw new VerificationError('MALFORMED_ENTRY', seq, `Entry ${seq} lacks subjects or prev.`);
    }
    const links = prev as Record<string, { seq?: unknown; hash?: unknown }>;
    for (const key of Object.keys(links)) {
      if (!subjects.includes(key)) {
        throw new VerificationError(
          'BROKEN_PREV_LINK',
          seq,
          `Entry ${seq} links a previous entry of ${key}, which is not one of its subjects.`,
        );
      }
    }
    for (let i = 0; i < subjects.length; i++) {
      const s = subjects[i];
      if (typeof s !== 'string' || (i > 0 && !(subjects[i - 1] < s))) {
        throw new VerificationError(
          'MALFORMED_ENTRY',
          seq,
          `Entry ${seq}: subjects must be distinct strings in sorted order.`,
        );
      }
      const expected = this.#heads.get(s);
      const link = links[s];
      if (!expected) {
        if (link !== undefined) {
          throw new VerificationError(
            'BROKEN_PREV_LINK',
            seq,
            `Entry ${seq} says ${s} had an earlier entry (seq ${String(link.seq)}), but no earlier entry names ${s}: an entry was removed.`,
          );
        }
      } else {
        if (link === undefined || typeof link.seq !== 'number' || typeof link.hash !== 'string') {
          throw new VerificationError(
            'BROKEN_PREV_LINK',
            seq,
            `Entry ${seq} does not link the previous entry of ${s} (seq ${expected.seq}): the chain of ${s} is broken.`,
          );
        }
        if (link.seq !== expected.seq) {
          throw new VerificationError(
            'BROKEN_PREV_LINK',
            seq,
            `Entry ${seq} links seq ${link.seq} as the previous entry of ${s}, but in this log it is seq ${expected.seq}: an entry of ${s} was removed, inserted or moved.`,
          );
        }
        let linked: Uint8Array;
        try {
          linked = fromBase64(link.hash);
        } catch {
          throw new VerificationError(
            'BROKEN_PREV_LINK',
            seq,
            `Entry ${seq}: the prev hash for ${s} is not base64.`,
          );
        }
        const [a, b] = hashPrefix(linked);
        if (linked.length !== 32 || a !== expected.hashPrefix[0] || b !== expected.hashPrefix[1]) {
          throw new VerificationError(
            'LEAF_HASH_MISMATCH',
            expected.seq,
            `Entry ${expected.seq} (${s}) no longer hashes to what entry ${seq} recorded for it: entry ${expected.seq} was altered.`,
          );
        }
      }
      this.#heads.set(s, seq, leaf);
    }
  }

  #checkCheckpoint(): void {
    const cp = this.#checkpoints[this.#nextCheckpoint];
    if (!cp || cp.size !== this.#frontier.size) return;
    const root = this.#frontier.root();
    if (!bytesEqual(root, cp.root)) {
      throw new VerificationError(
        'ROOT_MISMATCH',
        this.#lastGoodCheckpoint,
        `The first ${cp.size} entries hash to root ${toBase64(root)}, but the checkpoint signed for size ${cp.size} says ${toBase64(cp.root)}: an entry from seq ${this.#lastGoodCheckpoint} to ${cp.size - 1} was altered, added or removed.`,
      );
    }
    this.#lastGoodCheckpoint = cp.size;
    this.#nextCheckpoint++;
  }

  /** Finish: every checkpoint must have been reached. Returns the summary. */
  finish(): VerifySummary {
    const pending = this.#checkpoints[this.#nextCheckpoint];
    if (pending) {
      throw new VerificationError(
        'MISSING_ENTRY',
        this.#frontier.size,
        `A checkpoint is signed for ${pending.size} entries but only ${this.#frontier.size} are present: entries from seq ${this.#frontier.size} are missing.`,
      );
    }
    return {
      entries: this.#frontier.size,
      root: toBase64(this.#frontier.root()),
      checkpointsVerified: this.#nextCheckpoint,
      lastCheckpointSize: this.#lastGoodCheckpoint,
      uncovered: this.#frontier.size - this.#lastGoodCheckpoint,
    };
  }
}
