// Checking one proof the API served (GET /v1/ledger/proof/inclusion or /consistency) against signed checkpoints
// and the auditor's keys: the proof's own roots are never trusted, only a checkpoint's signed root. Pure and
// portable: `motor-ledger verify-proof` and a browser run the same code.
import type { CheckpointKeyRing, VerifiedCheckpoint } from './checkpoint.js';
import { bytesEqual, fromBase64 } from './encoding.js';
import { LedgerError } from './errors.js';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.js';

/** A proof answer that does not hold: `code` says why (docs/auditor.md, "Spot checks"). */
export class ProofAnswerError extends LedgerError {}

export interface ProofVerdict {
  kind: 'inclusion' | 'consistency';
  /** The checkpoints the proof was checked against, smallest first. */
  checkpoints: VerifiedCheckpoint[];
  /** Inclusion: the entry proved. */
  leafIdx?: number;
}

function fail(code: string, message: string): never {
  throw new ProofAnswerError(code, message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// The members used must be there; others (a later version of the API may add some) are ignored: nothing in an
// answer is trusted but what is checked against a signed checkpoint.
function members(v: Record<string, unknown>, required: string[]): void {
  for (const k of required) if (!(k in v)) fail('MALFORMED_PROOF', `The proof has no "${k}".`);
}

function size(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    fail('MALFORMED_PROOF', `"${name}" must be an integer ≥ ${min}.`);
  }
  return v;
}

function hash(v: unknown, name: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = typeof v === 'string' ? fromBase64(v) : undefined;
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== 32)
    fail('MALFORMED_PROOF', `"${name}" must be a 32-byte hash in standard padded base64.`);
  return bytes;
}

function hashes(v: unknown): Uint8Array[] {
  if (!Array.isArray(v)) fail('MALFORMED_PROOF', '"proof" must be an array of base64 hashes.');
  return v.map((h, i) => hash(h, `proof[${i}]`));
}

async function signed(
  jws: string,
  keys: CheckpointKeyRing,
  origin: string | undefined,
): Promise<VerifiedCheckpoint> {
  const cp = await keys.verify(jws);
  if (origin !== undefined && cp.origin !== origin) {
    fail('WRONG_ORIGIN', `The checkpoint of size ${cp.size} is for log "${cp.origin}", not "${origin}".`);
  }
  return cp;
}

/**
 * Check an inclusion proof answer `{leafIdx, treeSize, leafHash, proof[], root, checkpoint?}` against a signed
 * checkpoint of size treeSize (`checkpoint`, else the answer's own `checkpoint`), verified with `keys`. With
 * `entry`, its bytes must hash to leafHash and say seq leafIdx. Throws ProofAnswerError, CheckpointError or
 * ProofError.
 * @example await checkInclusionAnswer(await res.json(), { keys: ring, entry: bytes })
 */
export async function checkInclusionAnswer(
  answer: unknown,
  opts: { keys: CheckpointKeyRing; checkpoint?: string; origin?: string; entry?: Uint8Array },
): Promise<ProofVerdict> {
  if (!isObject(answer)) fail('MALFORMED_PROOF', 'The proof is not a JSON object.');
  members(answer, ['leafIdx', 'treeSize', 'leafHash', 'proof', 'root']);
  const leafIdx = size(answer.leafIdx, 'leafIdx', 0);
  const treeSize = size(answer.treeSize, 'treeSize', 1);
  const leaf = hash(answer.leafHash, 'leafHash');
  const root = hash(answer.root, 'root');
  const proof = hashes(answer.proof);
  if (answer.checkpoint !== undefined && typeof answer.checkpoint !== 'string') {
    fail('MALFORMED_PROOF', '"checkpoint" must be a compact JWS string.');
  }
  const jws = opts.checkpoint ?? (answer.checkpoint as string | undefined);
  if (jws === undefined) {
    fail(
      'NO_CHECKPOINT',
      `No signed checkpoint of size ${treeSize} to check the proof against: pass one (a proof's own root proves nothing).`,
    );
  }
  const cp = await signed(jws, opts.keys, opts.origin);
  if (cp.size !== treeSize) {
    fail(
      'CHECKPOINT_MISMATCH',
      `The proof is for a tree of ${treeSize} entries but the checkpoint is of size ${cp.size}: ask for treeSize=${cp.size}.`,
    );
  }
  if (!bytesEqual(root, cp.root)) {
    fail(
      'CHECKPOINT_MISMATCH',
      `The proof's root is not the root signed in the checkpoint of size ${cp.size}.`,
    );
  }
  if (opts.entry) {
    if (!bytesEqual(leafHash(opts.entry), leaf)) {
      fail(
        'LEAF_MISMATCH',
        `The entry's bytes do not hash to the proof's leafHash: it is not entry ${leafIdx} as proved.`,
      );
    }
    let seq: unknown;
    try {
      seq = (JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(opts.entry)) as { seq?: unknown })
        .seq;
    } catch {
      seq = undefined;
    }
    if (seq !== leafIdx)
      fail('LEAF_MISMATCH', `The entry says seq ${String(seq)}, the proof is for entry ${leafIdx}.`);
  }
  verifyInclusion(leafIdx, treeSize, leaf, proof, cp.root);
  return { kind: 'inclusion', checkpoints: [cp], leafIdx };
}

/**
 * Check a consistency proof answer `{size1, size2, root1, root2, proof[]}` against two signed checkpoints (of
 * size1 and size2, in any order), verified with `keys`. size1 = size2 is refused: RFC 9162 §2.1.4.2 fails an
 * empty proof; compare the two checkpoints' roots instead. Throws ProofAnswerError, CheckpointError or ProofError.
 */
export async function checkConsistencyAnswer(
  answer: unknown,
  opts: { keys: CheckpointKeyRing; checkpoints: readonly string[]; origin?: string },
): Promise<ProofVerdict> {
  if (!isObject(answer)) fail('MALFORMED_PROOF', 'The proof is not a JSON object.');
  members(answer, ['size1', 'size2', 'root1', 'root2', 'proof']);
  const size1 = size(answer.size1, 'size1', 1);
  const size2 = size(answer.size2, 'size2', 1);
  const root1 = hash(answer.root1, 'root1');
  const root2 = hash(answer.root2, 'root2');
  const proof = hashes(answer.proof);
  if (size1 >= size2) {
    fail(
      'EMPTY_PROOF',
      size1 === size2
        ? `size1 = size2 = ${size1}: RFC 9162 §2.1.4.2 refuses an empty consistency proof; compare the two checkpoints' roots instead.`
        : `size1 ${size1} is larger than size2 ${size2}.`,
    );
  }
  const cps: VerifiedCheckpoint[] = [];
  for (const jws of opts.checkpoints) cps.push(await signed(jws, opts.keys, opts.origin));
  const old = cps.find((c) => c.size === size1);
  const now = cps.find((c) => c.size === size2);
  if (!old || !now) {
    fail(
      'NO_CHECKPOINT',
      `A consistency proof is checked against two signed checkpoints, of sizes ${size1} and ${size2}; got sizes ${cps.map((c) => c.size).join(', ') || 'none'}.`,
    );
  }
  if (old.origin !== now.origin) {
    fail('WRONG_ORIGIN', `The checkpoints are of two logs, "${old.origin}" and "${now.origin}".`);
  }
  if (!bytesEqual(root1, old.root) || !bytesEqual(root2, now.root)) {
    fail('CHECKPOINT_MISMATCH', "The proof's roots are not the roots signed in the two checkpoints.");
  }
  verifyConsistency(size1, size2, proof, old.root, now.root);
  return { kind: 'consistency', checkpoints: [old, now] };
}
