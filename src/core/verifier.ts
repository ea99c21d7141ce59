// The log verifier (BRIEF §3), fed one entry at a time so it runs in constant memory over any size of log
// (plus 24 bytes per distinct subject for the prev links). It checks every entry against the rules of
// docs/log-format.md (the same rules the writer follows), every leaf, every per-subject prev link, every signed
// checkpoint's root and origin, and stops at the first problem, naming the entry (by seq) or the checkpoint (by
// size). The same code runs offline on an export, against a live database, and in a browser.
import type { VerifiedCheckpoint } from './checkpoint.js';
import { bytesEqual, toBase64, utf8Decode } from './encoding.js';
import { checkEntry, type InspectedEntry, malformed, parseEntry, VerificationError } from './entry-rules.js';
import { EMPTY_ROOT, leafHash, MerkleFrontier } from './merkle.js';
import { hashPrefix, SubjectHeads } from './subject-heads.js';

export {
  type InspectedEntry,
  type InspectedLink,
  inspectEntry,
  VerificationError,
} from './entry-rules.js';

export interface VerifySummary {
  entries: number;
  root: string;
  /** The origin every checkpoint was checked against. */
  origin: string | undefined;
  /** Distinct checkpoints of the export (or database) whose root matched. */
  checkpointsVerified: number;
  /** Distinct checkpoints the auditor kept from before (VerifierOptions.checkpoints with `known`) that matched. */
  knownCheckpointsVerified: number;
  lastCheckpointSize: number;
  /** Entries after the last checkpoint: their bytes and links check out, but no signature covers them yet. */
  uncovered: number;
}

/** A checkpoint whose signature was verified; `known` marks one the auditor kept from before. */
export type AnchorCheckpoint = VerifiedCheckpoint & { known?: boolean };

export interface VerifierOptions {
  /** Checkpoints whose signatures were already verified (CheckpointKeyRing.verify); any order. */
  checkpoints: readonly AnchorCheckpoint[];
  /**
   * Refuse checkpoints of another log. Default: the origin of the known checkpoints if any, else of the
   * smallest checkpoint.
   */
  origin?: string;
  /**
   * Also check that every entry is exactly its RFC 8785 form (default true). This is the only check a non-strict
   * run skips: it is what refuses duplicate member names, numbers beyond IEEE doubles, escaped lone surrogates and
   * any other text the writer does not produce (JSON.parse alone cannot see them).
   */
  strictCanonical?: boolean;
}

/** Words per subject in the packed form addInspected reads: fingerprint (3), has a link (1), link hash prefix (2). */
export const INSPECTED_WORDS = 6;

export class LogVerifier {
  readonly #frontier = new MerkleFrontier();
  readonly #heads = new SubjectHeads();
  readonly #checkpoints: Anchor[];
  readonly #strict: boolean;
  readonly #origin: string | undefined;
  readonly #prefix = new Uint32Array(2);
  #nextCheckpoint = 0;
  #lastGoodCheckpoint = 0;
  #verifiedExport = 0;
  #verifiedKnown = 0;
  // After a line that names a later seq than its position: the position, the seq it named, and lines read since.
  // The rest of the log is only scanned for the missing seq, to tell a moved entry from a missing one.
  #gap: { seq: number; found: number; lines: number } | undefined;
  // A link whose hash is not that of the entry it names, when nothing yet says which of the two changed: settled
  // by the next evidence (another link to the same entry, the next checkpoint), else the named entry is blamed.
  #doubt: { at: number; linked: number; subject: string } | undefined;

  constructor(options: VerifierOptions) {
    this.#strict = options.strictCanonical ?? true;
    const sorted = [...options.checkpoints].sort((a, b) => a.size - b.size);
    const origin = options.origin ?? (sorted.find((c) => c.known) ?? sorted[0])?.origin;
    this.#origin = origin;
    for (let i = 0; i < sorted.length; i++) {
      const c = sorted[i]!;
      if (c.origin !== origin) {
        throw new VerificationError(
          'WRONG_ORIGIN',
          { checkpointSize: c.size },
          `${describe(c)} is for log "${c.origin}", not "${origin}".`,
        );
      }
      const prev = sorted[i - 1];
      if (prev && prev.size === c.size && !bytesEqual(prev.root, c.root)) {
        throw new VerificationError(
          'INCONSISTENT_CHECKPOINTS',
          { checkpointSize: c.size },
          `${describe(prev)} and ${describe(c).toLowerCase()} have different roots: the log was forked or rewritten.`,
        );
      }
      if (c.size === 0 && !bytesEqual(c.root, EMPTY_ROOT)) {
        throw new VerificationError(
          'ROOT_MISMATCH',
          { checkpointSize: 0 },
          `${describe(c)} does not sign the empty tree's root (SHA-256 of nothing).`,
        );
      }
    }
    // One per size (same root, checked above), remembering whether the export, the auditor or both hold it.
    const bySize = new Map<number, Anchor>();
    for (const c of sorted) {
      if (c.size === 0) continue;
      const a = bySize.get(c.size) ?? { size: c.size, root: c.root, known: false, exported: false };
      if (c.known) a.known = true;
      else a.exported = true;
      bySize.set(c.size, a);
    }
    this.#checkpoints = [...bySize.values()];
  }

  /** Entries checked so far (the size of the tree built). */
  get size(): number {
    return this.#frontier.size;
  }

  /** Lines taken so far, including those only scanned after a gap. */
  get position(): number {
    return this.#frontier.size + (this.#gap?.lines ?? 0);
  }

  /**
   * Check the next entry (its exact bytes, without the newline). `storedLeafHash`, when the source keeps one
   * (the database), must match too. Returns the parsed entry (undefined while the rest of the log is only scanned
   * for an entry found missing from its place).
   */
  add(bytes: Uint8Array, storedLeafHash?: Uint8Array): Record<string, unknown> | undefined {
    if (this.#gap) {
      this.#scanGap(bytes);
      return undefined;
    }
    try {
      return this.#add(bytes, storedLeafHash);
    } catch (err) {
      throw this.firstFault(err);
    }
  }

  /**
   * The error to report for `err` found now: a link still in doubt came earlier, so its verdict goes first.
   * Sources with checks of their own (the database's columns and nodes) pass their errors through it too.
   */
  firstFault(err: unknown): unknown {
    const doubt = this.#doubt;
    if (!doubt || !(err instanceof VerificationError)) return err;
    this.#doubt = undefined;
    return entryAltered(doubt);
  }

  #add(bytes: Uint8Array, storedLeafHash: Uint8Array | undefined): Record<string, unknown> | undefined {
    const seq = this.#frontier.size;
    const leaf = leafHash(bytes);
    if (storedLeafHash && !bytesEqual(storedLeafHash, leaf)) {
      throw new VerificationError(
        'LEAF_HASH_MISMATCH',
        { seq },
        `Entry ${seq}: its bytes hash to ${toBase64(leaf)} but the stored leaf hash is ${toBase64(storedLeafHash)}; the entry was altered.`,
      );
    }
    let text: string;
    try {
      text = utf8Decode(bytes);
    } catch {
      throw malformed(seq, 'not UTF-8 JSON.');
    }
    const e = parseEntry(text, seq);
    const found = e.seq;
    if (found !== seq && typeof found === 'number') {
      if (found > seq) {
        // Entry `seq` is missing or was moved later: the rest of the log tells which (finish or #scanGap).
        if (this.#doubt) throw entryAltered(this.#doubt);
        this.#gap = { seq, found, lines: 1 };
        return undefined;
      }
      throw new VerificationError(
        'REORDERED_ENTRY',
        { seq },
        `The line at position ${seq} is entry ${found}, which came earlier: entries are duplicated or out of order.`,
      );
    }
    const entry = checkEntry(e, text, seq, this.#strict);
    this.#checkLinks(seq, entry, leaf);
    this.#frontier.append(leaf);
    this.#checkCheckpoint();
    return e;
  }

  #scanGap(bytes: Uint8Array): void {
    const gap = this.#gap!;
    let found: unknown;
    try {
      found = (JSON.parse(utf8Decode(bytes)) as { seq?: unknown } | null)?.seq;
    } catch {
      found = undefined; // a line that is not JSON cannot be the missing entry
    }
    if (found === gap.seq) {
      throw new VerificationError(
        'REORDERED_ENTRY',
        { seq: gap.seq },
        `Entry ${gap.seq} is at position ${gap.seq + gap.lines}, and the line at position ${gap.seq} is entry ${gap.found}: entries were moved.`,
      );
    }
    gap.lines++;
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
    if (this.#gap || this.#doubt) return false; // add() weighs every link while one is in doubt
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

  #checkLinks(seq: number, entry: InspectedEntry, leaf: Uint8Array): void {
    const { subjects, links } = entry;
    for (let i = 0; i < subjects.length; i++) {
      const s = subjects[i]!;
      const link = links[i];
      const expected = this.#heads.get(s);
      if (!expected) {
        if (link) {
          throw new VerificationError(
            'BROKEN_PREV_LINK',
            { seq },
            `Entry ${seq} says ${s} had an earlier entry (seq ${link.seq}), but no earlier entry names ${s}: an entry was removed, or this link was altered.`,
          );
        }
      } else if (!link) {
        throw new VerificationError(
          'BROKEN_PREV_LINK',
          { seq },
          `Entry ${seq} does not link the previous entry of ${s} (seq ${expected.seq}): an entry was inserted, or this link was removed.`,
        );
      } else if (link.seq !== expected.seq) {
        throw new VerificationError(
          'BROKEN_PREV_LINK',
          { seq },
          `Entry ${seq} links seq ${link.seq} as the previous entry of ${s}, but in this log it is seq ${expected.seq}: an entry of ${s} was removed, inserted or moved, or this link was altered.`,
        );
      } else {
        const [a, b] = hashPrefix(link.hash);
        const matches = a === expected.hashPrefix[0] && b === expected.hashPrefix[1];
        const doubt = this.#doubt;
        if (doubt && expected.seq === doubt.linked) {
          // A second link to the entry in doubt, from another of its subjects, settles it.
          this.#doubt = undefined;
          throw matches
            ? linkAltered(doubt, `entry ${seq} links it (${s}) with its present hash`)
            : entryAltered(doubt);
        }
        if (!matches) {
          // The link and the entry it names disagree. A verified checkpoint covering the named entry attests its
          // bytes, so the link is what changed; without one, judgement waits for more evidence (#doubt).
          if (expected.seq < this.#lastGoodCheckpoint) {
            throw linkAltered(
              { at: seq, linked: expected.seq, subject: s },
              `it is covered by the verified checkpoint of size ${this.#lastGoodCheckpoint}`,
            );
          }
          if (doubt) throw entryAltered(doubt);
          this.#doubt = { at: seq, linked: expected.seq, subject: s };
        }
      }
    }
    for (const s of subjects) this.#heads.set(s, seq, leaf);
  }

  #checkCheckpoint(): void {
    const cp = this.#checkpoints[this.#nextCheckpoint];
    if (!cp || cp.size !== this.#frontier.size) return;
    const root = this.#frontier.root();
    const doubt = this.#doubt;
    if (doubt && bytesEqual(root, cp.root)) {
      // Both entries are as signed: the link was wrong when it was signed.
      this.#doubt = undefined;
      throw linkAltered(doubt, `the checkpoint of size ${cp.size} signs both entries as they are`);
    }
    if (!bytesEqual(root, cp.root)) {
      throw new VerificationError(
        'ROOT_MISMATCH',
        { checkpointSize: cp.size },
        `The first ${cp.size} entries hash to root ${toBase64(root)}, but ${describe(cp).toLowerCase()} says ${toBase64(cp.root)}: an entry from seq ${this.#lastGoodCheckpoint} to ${cp.size - 1} was altered, added or removed.`,
      );
    }
    this.#lastGoodCheckpoint = cp.size;
    this.#nextCheckpoint++;
    if (cp.known) this.#verifiedKnown++;
    if (cp.exported) this.#verifiedExport++;
  }

  /** Finish: every checkpoint must have been reached. Returns the summary. */
  finish(): VerifySummary {
    if (this.#doubt) throw entryAltered(this.#doubt);
    const gap = this.#gap;
    if (gap) {
      throw new VerificationError(
        'MISSING_ENTRY',
        { seq: gap.seq },
        `Entry ${gap.seq} is missing: the line in its place is entry ${gap.found}, and no later line is entry ${gap.seq}.`,
      );
    }
    const pending = this.#checkpoints[this.#nextCheckpoint];
    if (pending) {
      throw new VerificationError(
        'MISSING_ENTRY',
        { seq: this.#frontier.size, checkpointSize: pending.size },
        `${describe(pending)} covers ${pending.size} entries but only ${this.#frontier.size} are present: entries from seq ${this.#frontier.size} are missing.`,
      );
    }
    return {
      entries: this.#frontier.size,
      root: toBase64(this.#frontier.root()),
      origin: this.#origin,
      checkpointsVerified: this.#verifiedExport,
      knownCheckpointsVerified: this.#verifiedKnown,
      lastCheckpointSize: this.#lastGoodCheckpoint,
      uncovered: this.#frontier.size - this.#lastGoodCheckpoint,
    };
  }
}

// A checkpoint size to reach, its root, and who holds it: the export (or database), the auditor, or both.
interface Anchor {
  size: number;
  root: Uint8Array;
  known: boolean;
  exported: boolean;
}

function describe(c: { size: number; known?: boolean }): string {
  return c.known ? `The checkpoint of size ${c.size} you kept` : `The checkpoint of size ${c.size}`;
}

type Doubt = { at: number; linked: number; subject: string };

function linkAltered(d: Doubt, because: string): VerificationError {
  return new VerificationError(
    'BROKEN_PREV_LINK',
    { seq: d.at },
    `Entry ${d.at} records a hash for entry ${d.linked} (${d.subject}) that is not its hash; entry ${d.linked} is intact (${because}), so entry ${d.at}'s link was altered.`,
  );
}

function entryAltered(d: Doubt): VerificationError {
  return new VerificationError(
    'LEAF_HASH_MISMATCH',
    { seq: d.linked },
    `Entry ${d.linked} (${d.subject}) no longer hashes to what entry ${d.at} recorded for it, and nothing attests its bytes (no verified checkpoint covers it, no other entry links it with its present hash): entry ${d.linked} was altered.`,
  );
}
