// What the browser checks itself, with the same src/core the CLI's `verify-proof` runs: an entry's bytes hash to
// the proved leaf, the inclusion proof leads to a root, that root is the one signed (Ed25519 JWS) in a checkpoint
// under a key of the log's JWKS; and a consistency proof between two signed checkpoints. Nothing the server says
// is taken as true but what these checks establish. Each verdict keeps the steps in plain words, for the badge and
// the Verification page alike.
import {
  CheckpointError,
  CheckpointKeyRing,
  parseCheckpointJws,
  type VerifiedCheckpoint,
} from '../../../src/core/checkpoint.js';
import { fromBase64, toBase64 } from '../../../src/core/encoding.js';
import { LedgerError } from '../../../src/core/errors.js';
import { leafHash, ProofError, rootFromInclusionProof } from '../../../src/core/merkle.js';
import {
  checkConsistencyAnswer,
  checkInclusionAnswer,
  ProofAnswerError,
} from '../../../src/core/proof-answer.js';
import { ApiError, api, apiBytes } from '../api.js';
import { currentSession } from '../session.js';

/** One thing checked, as a person reads it. */
export interface Step {
  name: string;
  /** ok: it holds; bad: it does not (the verdict is red); unchecked: not reached because an earlier check failed. */
  state: 'ok' | 'bad' | 'unchecked';
  /** What was checked, with the values (hashes shortened; `values` has them in full). */
  text: string;
  values?: Record<string, string>;
}

/** A checkpoint as the page shows it once its signature verified. */
export interface CheckpointFacts {
  origin: string;
  size: number;
  root: string;
  kid: string;
}

export type EntryVerdict =
  | {
      status: 'verified';
      seq: number;
      steps: Step[];
      checkpoint: CheckpointFacts;
      /** The entry's stored bytes, when this token may read them (another brand's entry: its leaf hash only). */
      entry?: Uint8Array;
    }
  | {
      status: 'failed';
      seq: number;
      steps: Step[];
      failed: string;
      code: string;
      reason: string;
      entry?: Uint8Array;
    }
  /** No signed checkpoint covers the entry yet: one is signed within seconds. */
  | { status: 'pending'; seq: number; reason: string }
  /** This token's role may not read ledger entries. */
  | { status: 'unavailable'; seq: number; reason: string }
  /** The check could not be made (network, no such entry…): neither verified nor failed. */
  | { status: 'error'; seq: number; error: unknown };

export type ConsistencyVerdict =
  | {
      status: 'verified';
      from: number;
      to: number;
      steps: Step[];
      older: CheckpointFacts;
      newer: CheckpointFacts;
    }
  | {
      status: 'failed';
      from: number;
      to: number;
      steps: Step[];
      failed: string;
      code: string;
      reason: string;
    }
  | { status: 'unavailable'; from: number; to: number; reason: string }
  | { status: 'error'; from: number; to: number; error: unknown };

/** The names of the inclusion steps, in the order a person reads them. */
export const ENTRY_STEP = 'Entry bytes → leaf hash';
export const PROOF_STEP = 'Inclusion proof → root';
export const SIGNATURE_STEP = 'Root signed in a checkpoint (Ed25519)';
/** When a page passes what it shows of the entry: that it is the entry verified. */
export const SHOWN_STEP = 'Shown entry = verified entry';

/** Short names for a red badge: "✗ <name> failed". */
export const SHORT_NAME: Record<string, string> = {
  [ENTRY_STEP]: 'leaf hash',
  [PROOF_STEP]: 'inclusion proof',
  [SIGNATURE_STEP]: 'signature',
  [SHOWN_STEP]: 'shown entry',
  'Older checkpoint signed (Ed25519)': 'older signature',
  'Newer checkpoint signed (Ed25519)': 'newer signature',
  'Consistency proof': 'consistency proof',
};

const NUMBER = new Intl.NumberFormat('en-US');
/** 52000 → "52,000". */
export const n = (v: number): string => NUMBER.format(v);

/** A hash as read on screen: its first 12 base64 characters and an ellipsis. */
export const short = (b64: string): string => (b64.length > 14 ? `${b64.slice(0, 12)}…` : b64);

function facts(cp: VerifiedCheckpoint): CheckpointFacts {
  return { origin: cp.origin, size: cp.size, root: toBase64(cp.root), kid: cp.kid };
}

function roleRefusal(err: unknown): string | undefined {
  return err instanceof ApiError && err.code === 'ROLE_REQUIRED' ? err.problem.detail : undefined;
}

// Verdicts that will not change (verified or failed) are kept for the page's life: a badge re-rendered, or the same
// entry on two pages, is checked once. A role refusal is remembered too, so a timeline asks once.
const settled = new Map<number, EntryVerdict>();
let refusedRole: string | undefined;
// What a token may read differs (another brand's entry is withheld, a role may read nothing): the remembered
// verdicts belong to the token they were reached with, and are forgotten when someone else signs in.
let rememberedFor: string | undefined;

function forgetOnNewToken(): void {
  const token = currentSession()?.token;
  if (token === rememberedFor) return;
  rememberedFor = token;
  settled.clear();
  refusedRole = undefined;
}

// ---- The keys. By default the log's own JWKS (public), fetched once per page and again when a checkpoint names
// a key it lacks (a key rotated in since). An auditor who holds the keys obtained out of band loads them once
// (kept on this device): then only those keys are trusted, as with `verify --trusted-keys`, and a checkpoint
// signed by any other key fails (UNTRUSTED_KEY).
type Jwks = Parameters<typeof CheckpointKeyRing.from>[0];
const TRUSTED = 'motor-ledger.trusted-keys';
let ring: Promise<CheckpointKeyRing> | undefined;

/** The keys this device trusts (loaded by the auditor), or null when it uses the log's own JWKS. */
export function trustedJwks(): Jwks | null {
  const text = localStorage.getItem(TRUSTED);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Jwks;
  } catch {
    return null;
  }
}

/**
 * Trust only these keys from now on (null: back to the log's JWKS). Throws CheckpointError INVALID_JWKS, or
 * NO_USABLE_KEY when it holds no Ed25519 key. Verdicts already reached are forgotten.
 */
export async function setTrustedJwks(jwks: unknown): Promise<string[]> {
  let kids: string[] = [];
  if (jwks === null) localStorage.removeItem(TRUSTED);
  else {
    kids = (await CheckpointKeyRing.from(jwks as Jwks, 'trusted')).kids;
    if (kids.length === 0) {
      throw new CheckpointError(
        'NO_USABLE_KEY',
        'The file holds no Ed25519 public key (kty OKP, crv Ed25519).',
      );
    }
    localStorage.setItem(TRUSTED, JSON.stringify(jwks));
  }
  ring = undefined;
  settled.clear();
  return kids;
}

/** The key ring verdicts are checked against now: the trusted keys, else the log's JWKS. */
export async function currentKeys(): Promise<CheckpointKeyRing> {
  return keysFor([]);
}

async function keysFor(jws: readonly (string | undefined)[]): Promise<CheckpointKeyRing> {
  const trusted = trustedJwks();
  const load = () =>
    trusted !== null
      ? CheckpointKeyRing.from(trusted, 'trusted')
      : api<Jwks>('/.well-known/jwks.json').then((jwks) => CheckpointKeyRing.from(jwks, 'export'));
  ring ??= load().catch((err: unknown) => {
    ring = undefined;
    throw err;
  });
  let keys = await ring;
  if (keys.source === 'trusted') return keys;
  const kids = jws.flatMap((j) => {
    if (j === undefined) return [];
    try {
      return [parseCheckpointJws(j).kid];
    } catch {
      return []; // malformed: the verification names it
    }
  });
  if (kids.some((k) => !keys.has(k))) {
    ring = load();
    keys = await ring;
  }
  return keys;
}

/** Where the key that signed came from, in words. */
function keySource(keys: CheckpointKeyRing): string {
  return keys.source === 'trusted' ? 'one of the keys you trust' : "a key of the log's JWKS";
}

// ---- A few checks at a time: a timeline of 200 entries must not open 400 requests at once.
const LIMIT = 4;
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= LIMIT) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

interface InclusionAnswer {
  leafIdx: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
  root: string;
  checkpoint?: string;
}

/**
 * Verify entry `seq` in this browser: fetch its bytes, its inclusion proof to the newest checkpoint covering it,
 * and the JWKS; check the leaf hash, the proof and the checkpoint's signature with src/core. Never throws.
 * @example const v = await verifyEntry(41233); if (v.status === 'verified') show(v.steps);
 */
export async function verifyEntry(seq: number, opts: { fresh?: boolean } = {}): Promise<EntryVerdict> {
  forgetOnNewToken();
  const known = opts.fresh ? undefined : settled.get(seq);
  if (known) return known;
  if (refusedRole !== undefined) return { status: 'unavailable', seq, reason: refusedRole };
  const verdict = await limited(() => computeEntry(seq));
  if (verdict.status === 'verified' || verdict.status === 'failed') settled.set(seq, verdict);
  return verdict;
}

async function computeEntry(seq: number): Promise<EntryVerdict> {
  let answer: InclusionAnswer;
  let entry: Uint8Array | undefined;
  try {
    const [bytes, proof] = await Promise.all([
      // The bytes as served, hashed as they are: never decoded and re-encoded.
      apiBytes(`/v1/ledger/entries/${seq}`).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'ENTRY_OF_ANOTHER_BRAND') return undefined;
        throw err;
      }),
      api<InclusionAnswer>(`/v1/ledger/proof/inclusion?seq=${seq}`),
    ]);
    answer = proof;
    entry = bytes;
  } catch (err) {
    const refused = roleRefusal(err);
    if (refused !== undefined) {
      refusedRole = refused;
      return { status: 'unavailable', seq, reason: refused };
    }
    return { status: 'error', seq, error: err };
  }
  let checkpoint: string | undefined = isObject(answer) ? answer.checkpoint : undefined;
  try {
    if (isObject(answer) && checkpoint === undefined) {
      // No checkpoint came with the proof: prove the entry against the newest signed checkpoint when that one
      // covers it (an answer that left its checkpoint out must not leave the badge waiting for ever).
      const latest = await api<CheckpointView>('/v1/ledger/checkpoint').catch(() => undefined);
      if (latest === undefined || latest.size <= seq) {
        return {
          status: 'pending',
          seq,
          reason: `Entry #${n(seq)} is newer than the last signed checkpoint; the next one (signed within seconds) will cover it.`,
        };
      }
      answer = await api<InclusionAnswer>(`/v1/ledger/proof/inclusion?seq=${seq}&treeSize=${latest.size}`);
      checkpoint = latest.jws;
    }
    const keys = await keysFor([checkpoint]);
    return checkEntry(seq, answer, entry, keys, checkpoint);
  } catch (err) {
    return { status: 'error', seq, error: err };
  }
}

function isObject(v: unknown): v is InclusionAnswer {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// The steps in the order checkInclusionAnswer checks them (signature, then leaf, then proof): the step that
// failed is bad, those checked before it hold, those after it were not reached.
function stepFailed(err: unknown): string {
  if (err instanceof CheckpointError) return SIGNATURE_STEP;
  if (err instanceof ProofError) return PROOF_STEP;
  if (err instanceof ProofAnswerError) {
    if (err.code === 'LEAF_MISMATCH') return ENTRY_STEP;
    if (err.code === 'MALFORMED_PROOF') return PROOF_STEP;
    return SIGNATURE_STEP; // CHECKPOINT_MISMATCH, NO_CHECKPOINT, WRONG_ORIGIN: the root is not the one signed
  }
  return PROOF_STEP;
}

const CHECK_ORDER = [SIGNATURE_STEP, ENTRY_STEP, PROOF_STEP];

async function checkEntry(
  seq: number,
  answer: InclusionAnswer,
  entry: Uint8Array | undefined,
  keys: CheckpointKeyRing,
  checkpoint: string | undefined,
): Promise<EntryVerdict> {
  let failure: unknown;
  let cp: VerifiedCheckpoint | undefined;
  // The proof must be about the entry asked for: a proof of another entry, however valid, proves nothing here.
  const aboutAnother = isObject(answer) && answer.leafIdx !== seq;
  if (aboutAnother) {
    failure = new ProofAnswerError(
      'LEAF_MISMATCH',
      `The proof is for entry ${String(answer.leafIdx)}, not entry ${seq} as asked.`,
    );
  } else {
    try {
      const verdict = await checkInclusionAnswer(answer, {
        keys,
        ...(checkpoint !== undefined ? { checkpoint } : {}),
        ...(entry !== undefined ? { entry } : {}),
      });
      cp = verdict.checkpoints[0];
    } catch (err) {
      failure = err;
    }
  }
  // What each step computed, for the sentences (the values only; the verdict above is the check).
  const a: Partial<InclusionAnswer> = isObject(answer) ? answer : {};
  const claimed = safe(() => parseCheckpointJws(checkpoint ?? ''));
  const signedRoot = cp ? toBase64(cp.root) : claimed ? toBase64(claimed.body.root) : '';
  const size = cp?.size ?? claimed?.body.size ?? a.treeSize ?? 0;
  const kid = cp?.kid ?? claimed?.kid ?? '';
  const provedLeaf = typeof a.leafHash === 'string' ? a.leafHash : '';
  const leaf = entry !== undefined ? toBase64(leafHash(entry)) : provedLeaf;
  const proofHashes = Array.isArray(a.proof) ? a.proof.length : 0;
  const computedRoot = safe(() =>
    toBase64(
      rootFromInclusionProof(
        answer.leafIdx,
        answer.treeSize,
        fromBase64(answer.leafHash),
        answer.proof.map((h) => fromBase64(h)),
      ),
    ),
  );

  const failed = failure === undefined ? undefined : stepFailed(failure);
  // A proof that is not even well formed is refused before anything else is looked at.
  const malformed =
    aboutAnother || (failure instanceof ProofAnswerError && failure.code === 'MALFORMED_PROOF');
  const stateOf = (step: string): Step['state'] => {
    if (failed === undefined) return 'ok';
    if (malformed) return step === failed ? 'bad' : 'unchecked';
    const i = CHECK_ORDER.indexOf(step);
    const f = CHECK_ORDER.indexOf(failed);
    return i < f ? 'ok' : i === f ? 'bad' : 'unchecked';
  };
  const reason = failure instanceof Error ? failure.message : String(failure);
  const hashes = `${n(proofHashes)} hash${proofHashes === 1 ? '' : 'es'}`;

  const entryStep: Step = {
    name: ENTRY_STEP,
    state: stateOf(ENTRY_STEP),
    text:
      entry === undefined
        ? `Entry #${n(seq)} concerns a brand your token does not cover: its bytes are withheld, only its leaf hash ${short(leaf)} is proved.`
        : stateOf(ENTRY_STEP) === 'bad'
          ? `Entry #${n(seq)} (${n(entry.length)} bytes) hashes to ${short(leaf)}, but the proof is for leaf ${short(provedLeaf)}: ${reason}`
          : `Entry #${n(seq)} (${n(entry.length)} bytes) hashes to ${short(leaf)}, the leaf the proof starts from.`,
    values: { leaf, provedLeaf },
  };
  const proofState = stateOf(PROOF_STEP);
  const proofStep: Step = {
    name: PROOF_STEP,
    state: proofState,
    text:
      proofState === 'bad'
        ? computedRoot
          ? `The proof of ${hashes} leads to root ${short(computedRoot)}, not to ${short(signedRoot)}, the root signed in the checkpoint.`
          : `The proof cannot be followed: ${reason}`
        : `The proof of ${hashes} leads from entry #${n(seq)} to root ${short(computedRoot ?? signedRoot)} of the tree of ${n(a.treeSize ?? 0)} entries.`,
    values: { root: computedRoot ?? '', hashes: String(proofHashes) },
  };
  const sigState = stateOf(SIGNATURE_STEP);
  const sigStep: Step = {
    name: SIGNATURE_STEP,
    state: sigState,
    text:
      sigState === 'bad'
        ? `The checkpoint does not hold: ${reason}`
        : `The root ${short(signedRoot)} is signed by key ${short(kid)} (Ed25519) at size ${n(size)}, ${keySource(keys)}.`,
    values: { root: signedRoot, kid, size: String(size) },
  };
  const steps = [entryStep, proofStep, sigStep];
  const withEntry = entry !== undefined ? { entry } : {};
  if (failure === undefined && cp) {
    return { status: 'verified', seq, steps, checkpoint: facts(cp), ...withEntry };
  }
  return {
    status: 'failed',
    seq,
    steps,
    failed: failed ?? PROOF_STEP,
    code: failure instanceof LedgerError ? failure.code : 'VERIFY_FAILED',
    reason,
    ...withEntry,
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** A signed checkpoint as the API lists it. */
export interface CheckpointView {
  size: number;
  root: string;
  kid: string;
  jws: string;
  created: string;
}

/** The signed checkpoint of exactly `size` entries, or undefined when none was signed at that size. */
export async function checkpointOfSize(size: number): Promise<CheckpointView | undefined> {
  const page = await api<{ checkpoints: CheckpointView[] }>(
    `/v1/ledger/checkpoints?after=${size - 1}&limit=1`,
  );
  const cp = page.checkpoints[0];
  return cp?.size === size ? cp : undefined;
}

export const OLDER_STEP = 'Older checkpoint signed (Ed25519)';
export const NEWER_STEP = 'Newer checkpoint signed (Ed25519)';
export const CONSISTENCY_STEP = 'Consistency proof';

/**
 * Check in this browser that the signed checkpoint of `to` entries extends the one of `from` entries: both
 * signatures against the JWKS, then the consistency proof between their signed roots (src/core). Never throws.
 * @example const v = await verifyConsistency(1000, 8787);
 */
export async function verifyConsistency(
  from: number,
  to: number,
  /** Checkpoints already listed (by size), so they are not fetched again; their signatures are still checked. */
  known: readonly CheckpointView[] = [],
): Promise<ConsistencyVerdict> {
  return limited(() => computeConsistency(from, to, known));
}

async function computeConsistency(
  from: number,
  to: number,
  known: readonly CheckpointView[],
): Promise<ConsistencyVerdict> {
  const [a, b] = from < to ? [from, to] : [to, from];
  const listed = async (size: number) => known.find((c) => c.size === size) ?? checkpointOfSize(size);
  let older: CheckpointView | undefined;
  let newer: CheckpointView | undefined;
  let answer: unknown;
  let keys: CheckpointKeyRing;
  try {
    [older, newer, answer] = await Promise.all([
      listed(a),
      listed(b),
      api<unknown>(`/v1/ledger/proof/consistency?from=${a}&to=${b}`),
    ]);
    const missing = [older ? undefined : a, newer ? undefined : b].filter((s) => s !== undefined);
    if (!older || !newer) {
      return {
        status: 'error',
        from: a,
        to: b,
        error: new Error(
          `No signed checkpoint of size ${missing.map(n).join(' or ')}: pick two sizes from the checkpoint history.`,
        ),
      };
    }
    keys = await keysFor([older.jws, newer.jws]);
  } catch (err) {
    const refused = roleRefusal(err);
    if (refused !== undefined) return { status: 'unavailable', from: a, to: b, reason: refused };
    return { status: 'error', from: a, to: b, error: err };
  }

  let failure: unknown;
  const signature = async (cp: CheckpointView, name: string): Promise<[Step, VerifiedCheckpoint?]> => {
    try {
      const v = await keys.verify(cp.jws);
      return [
        {
          name,
          state: 'ok',
          text: `The checkpoint of ${n(v.size)} entries (root ${short(toBase64(v.root))}) is signed by key ${short(v.kid)} (Ed25519), ${keySource(keys)}.`,
          values: { root: toBase64(v.root), kid: v.kid, size: String(v.size) },
        },
        v,
      ];
    } catch (err) {
      failure ??= err;
      return [
        {
          name,
          state: 'bad',
          text: `The checkpoint of size ${n(cp.size)} does not hold: ${(err as Error).message}`,
        },
      ];
    }
  };
  const [[olderStep, oldCp], [newerStep, newCp]] = await Promise.all([
    signature(older, OLDER_STEP),
    signature(newer, NEWER_STEP),
  ]);
  const proofHashes =
    answer !== null && typeof answer === 'object' && Array.isArray((answer as { proof?: unknown }).proof)
      ? (answer as { proof: unknown[] }).proof.length
      : 0;
  let proofStep: Step;
  if (!oldCp || !newCp) {
    proofStep = {
      name: CONSISTENCY_STEP,
      state: 'unchecked',
      text: 'Not checked: a consistency proof is only worth the checkpoints it joins.',
    };
  } else {
    try {
      await checkConsistencyAnswer(answer, { keys, checkpoints: [older.jws, newer.jws] });
      proofStep = {
        name: CONSISTENCY_STEP,
        state: 'ok',
        text: `The proof of ${n(proofHashes)} hashes shows the tree of ${n(b)} entries (root ${short(toBase64(newCp.root))}) extends the tree of ${n(a)} (root ${short(toBase64(oldCp.root))}): none of the first ${n(a)} entries was changed or removed.`,
      };
    } catch (err) {
      failure = err;
      proofStep = {
        name: CONSISTENCY_STEP,
        state: 'bad',
        text: `The proof of ${n(proofHashes)} hashes does not join the two signed roots: ${(err as Error).message}`,
      };
    }
  }
  const steps = [olderStep, newerStep, proofStep];
  const bad = steps.find((s) => s.state === 'bad');
  if (!bad && oldCp && newCp) {
    return { status: 'verified', from: a, to: b, steps, older: facts(oldCp), newer: facts(newCp) };
  }
  const reason = bad?.text ?? 'Not verified.';
  return {
    status: 'failed',
    from: a,
    to: b,
    steps,
    failed: bad?.name ?? CONSISTENCY_STEP,
    code: failure instanceof LedgerError ? failure.code : 'VERIFY_FAILED',
    reason,
  };
}

/** The sentence a person reads for a verified entry: the three checks in one line. */
export function summary(v: EntryVerdict): string {
  if (v.status !== 'verified' && v.status !== 'failed') return '';
  return v.steps.map((s) => s.text).join(' ');
}

/** A listed checkpoint as this browser found it. */
export type ListedCheck = { state: 'ok' } | { state: 'bad' | 'error'; reason: string };

/**
 * Check one listed checkpoint in this browser: its JWS verifies under the current keys and says the size, root
 * and key the list shows. 'error' when the keys could not be fetched. Never throws.
 */
export async function checkListedCheckpoint(cp: CheckpointView): Promise<ListedCheck> {
  let keys: CheckpointKeyRing;
  try {
    keys = await keysFor([cp.jws]);
  } catch (err) {
    return { state: 'error', reason: err instanceof Error ? err.message : String(err) };
  }
  try {
    const v = await keys.verify(cp.jws);
    if (v.size !== cp.size || toBase64(v.root) !== cp.root || v.kid !== cp.kid) {
      return {
        state: 'bad',
        reason: `The list says size ${n(cp.size)}, root ${short(cp.root)}, key ${short(cp.kid)}; the signed checkpoint says size ${n(v.size)}, root ${short(toBase64(v.root))}, key ${short(v.kid)}.`,
      };
    }
    return { state: 'ok' };
  } catch (err) {
    return { state: 'bad', reason: err instanceof Error ? err.message : String(err) };
  }
}

/** What a page shows of an entry (a timeline row), to hold against the bytes verified for its seq. */
export interface ShownEntry {
  leafHash?: string;
  id?: string;
  type?: string;
  time?: string;
}

/**
 * Add to a verdict the check that what the page shows (leaf hash, id, type, time) is the entry verified: a page
 * showing one entry under another's seq turns the badge red. Returns the verdict unchanged without `shown`.
 */
export function againstShown(v: EntryVerdict, shown: ShownEntry | undefined): EntryVerdict {
  if (shown === undefined || v.status !== 'verified') return v;
  const leaf = v.steps[0]?.values?.leaf ?? '';
  let envelope: Record<string, unknown> = {};
  if (v.entry !== undefined) {
    try {
      envelope = JSON.parse(new TextDecoder().decode(v.entry)) as Record<string, unknown>;
    } catch {
      envelope = {};
    }
  }
  const differ: string[] = [];
  if (shown.leafHash !== undefined && shown.leafHash !== leaf) {
    differ.push(`leaf hash ${short(shown.leafHash)} (verified: ${short(leaf)})`);
  }
  if (v.entry !== undefined) {
    for (const k of ['id', 'type', 'time'] as const) {
      if (shown[k] !== undefined && shown[k] !== envelope[k]) {
        differ.push(`${k} ${shown[k]} (verified: ${String(envelope[k])})`);
      }
    }
  }
  const checked = [
    shown.leafHash !== undefined ? 'leaf hash' : undefined,
    ...(v.entry !== undefined ? (['id', 'type', 'time'] as const).filter((k) => shown[k] !== undefined) : []),
  ].filter((x) => x !== undefined);
  if (checked.length === 0) return v;
  if (differ.length === 0) {
    const step: Step = {
      name: SHOWN_STEP,
      state: 'ok',
      text: `What this page shows of entry #${n(v.seq)} (${checked.join(', ')}) is the entry verified.`,
    };
    return { ...v, steps: [...v.steps, step] };
  }
  const reason = `This page shows entry #${n(v.seq)} with ${differ.join(', ')}.`;
  return {
    status: 'failed',
    seq: v.seq,
    steps: [...v.steps, { name: SHOWN_STEP, state: 'bad', text: reason }],
    failed: SHOWN_STEP,
    code: 'SHOWN_ENTRY_DIFFERS',
    reason,
    ...(v.entry !== undefined ? { entry: v.entry } : {}),
  };
}
