// The log verifier (BRIEF §3), fed one entry at a time so it runs in constant memory over any size of log
// (plus 24 bytes per distinct subject for the prev links). It checks every leaf, every per-subject prev link,
// every signed checkpoint's root, origin and signature, and stops at the first problem, naming the seq.
// The same code runs offline on an export, against a live database, and in a browser.
import { isCanonicalText } from './canonical.js';
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
  /**
   * Also check that every entry is exactly its RFC 8785 form (default false). The leaf hashes, the links and
   * the signed roots already bind every byte; this adds that the writer serialized each entry canonically.
   */
  strictCanonical?: boolean;
}

interface Parsed {
  v?: unknown;
  seq?: unknown;
  subjects?: unknown;
  prev?: unknown;
}

/** A prev link as inspectEntry found it: the linked seq and the decoded 32-byte leaf hash. */
export interface InspectedLink {
  seq: number;
  hash: Uint8Array;
}

/** What inspectEntry returns for an entry that passes every check not depending on earlier entries. */
export interface InspectedEntry {
  subjects: string[];
  /** The link for each subject, in the same order; undefined where the entry links no earlier entry. */
  links: (InspectedLink | undefined)[];
}

/**
 * The checks of LogVerifier.add that depend only on the entry and its position: JSON, version, seq, the
 * RFC 8785 form when `strict`, sorted distinct subjects, well-formed prev links naming only subjects. Returns
 * the subjects and links, or undefined if any check fails (LogVerifier.add on the same bytes then names the
 * problem exactly). Stateless, so it can run on another thread; see LogVerifier.addInspected.
 */
export function inspectEntry(text: string, seq: number, strict: boolean): InspectedEntry | undefined {
  let e: Parsed;
  try {
    e = JSON.parse(text) as Parsed;
  } catch {
    return undefined;
  }
  if (e === null || typeof e !== 'object' || e.v !== 1 || e.seq !== seq) return undefined;
  if (strict && !isCanonicalText(e, text)) return undefined;
  const subjects = e.subjects;
  const prev = e.prev;
  if (
    !Array.isArray(subjects) ||
    subjects.length === 0 ||
    prev === null ||
    typeof prev !== 'object' ||
    Array.isArray(prev)
  ) {
    return undefined;
  }
  const links = prev as Record<string, { seq?: unknown; hash?: unknown } | null | undefined>;
  for (const key of Object.keys(links)) if (!subjects.includes(key)) return undefined;
  const out: (InspectedLink | undefined)[] = [];
  for (let i = 0; i < subjects.length; i++) {
    const s = subjects[i];
    if (typeof s !== 'string' || (i > 0 && !(subjects[i - 1] < s))) return undefined;
    const link = links[s];
    if (link === undefined) {
      out.push(undefined);
      continue;
    }
    if (link === null || typeof link.seq !== 'number' || typeof link.hash !== 'string') return undefined;
    let hash: Uint8Array;
    try {
      hash = fromBase64(link.hash);
    } catch {
      return undefined;
    }
    if (hash.length !== 32) return undefined;
    out.push({ seq: link.seq, hash });
  }
  return { subjects: subjects as string[], links: out };
}

/** Words per subject in the packed form addInspected reads: fingerprint (3), has a link (1), link hash prefix (2). */
export const INSPECTED_WORDS = 6;

export class LogVerifier {
  readonly #frontier = new MerkleFrontier();
  readonly #heads = new SubjectHeads();
  readonly #checkpoints: VerifiedCheckpoint[];
  readonly #strict: boolean;
  readonly #prefix = new Uint32Array(2);
  #nextCheckpoint = 0;
  #lastGoodCheckpoint = 0;

  constructor(options: VerifierOptions) {
    this.#strict = options.strictCanonical ?? false;
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

  /**
   * Add the next entry from what inspectEntry found on another thread, packed: for subject j of the entry,
   * `words[(from + j) * 6 …]` holds its fingerprint (subjectFingerprint), 1 if it has a link, and the link's hash
   * prefix (hashPrefix), and `linkSeqs[from + j]` the linked seq. Returns false, changing nothing, if a link does
   * not match this log; the caller must then call add() with the entry's bytes, which throws the exact error.
   * Throws (as add does) if a checkpoint's root does not match.
   */
  addInspected(
    leaf: Uint8Array,
    words: Uint32Array,
    linkSeqs: Float64Array,
    from: number,
    count: number,
  ): boolean {
    const heads = this.#heads;
    const prefix = this.#prefix;
    for (let j = from; j < from + count; j++) {
      const w = j * INSPECTED_WORDS;
      const expected = heads.getByFingerprint(words[w]!, words[w + 1]!, words[w + 2]!, prefix);
      const linked = words[w + 3] === 1;
      if (expected === -1) {
        if (linked) return false;
      } else if (
        !linked ||
        linkSeqs[j] !== expected ||
        words[w + 4] !== prefix[0] ||
        words[w + 5] !== prefix[1]
      ) {
        return false;
      }
    }
    const seq = this.#frontier.size;
    const [p0, p1] = hashPrefix(leaf);
    for (let j = from; j < from + count; j++) {
      const w = j * INSPECTED_WORDS;
      heads.setByFingerprint(words[w]!, words[w + 1]!, words[w + 2]!, seq, p0, p1);
    }
    this.#frontier.append(leaf);
    this.#checkCheckpoint();
    return true;
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
    const links = prev as Record<string, { seq?: unknown; hash?: unknown } | null | undefined>;
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
            `Entry ${seq} says ${s} had an earlier entry (seq ${String(link?.seq)}), but no earlier entry names ${s}: an entry was removed.`,
          );
        }
      } else {
        if (link == null || typeof link.seq !== 'number' || typeof link.hash !== 'string') {
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
