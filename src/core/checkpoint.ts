// Checkpoints (BRIEF §3): the C2SP tlog-checkpoint body `<origin>\n<size>\n<base64 root>\n`, signed as a
// compact JWS (EdDSA over Ed25519, kid = RFC 7638 thumbprint, typ tlog-checkpoint+jws) whose payload is the body.
import { type CompactVerifyResult, compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { fromBase64, toBase64, utf8Decode, utf8Encode } from './encoding.js';
import { LedgerError } from './errors.js';

export const CHECKPOINT_TYP = 'tlog-checkpoint+jws';
export const CHECKPOINT_ALG = 'EdDSA';

export interface CheckpointBody {
  origin: string;
  size: number;
  root: Uint8Array;
}

export interface VerifiedCheckpoint extends CheckpointBody {
  kid: string;
  jws: string;
}

/** A checkpoint that cannot be parsed or whose signature does not verify. */
export class CheckpointError extends LedgerError {}

/**
 * Format the checkpoint body that is signed.
 * @example formatCheckpoint({ origin: 'cleon-dieppe.example/ledger', size: 3, root })
 */
export function formatCheckpoint(body: CheckpointBody): string {
  if (!isValidOrigin(body.origin))
    throw new CheckpointError('INVALID_ORIGIN', `Origin "${body.origin}" is not valid.`);
  return `${body.origin}\n${body.size}\n${toBase64(body.root)}\n`;
}

/** Is this a usable checkpoint origin (one non-empty line of printable ASCII, no spaces)? */
export function isValidOrigin(origin: string): boolean {
  return /^[\x21-\x7e]{1,255}$/.test(origin);
}

/** Parse a checkpoint body; extension lines after the root are allowed by C2SP and ignored here. */
export function parseCheckpoint(text: string): CheckpointBody {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      'Checkpoint body must be origin, size and root lines, each ending in a newline.',
    );
  }
  const [origin = '', sizeText = '', rootText = ''] = lines;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      `Checkpoint size "${sizeText}" is not a decimal integer.`,
    );
  }
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint root is not base64.');
  }
  if (root.length !== 32)
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint root is not 32 bytes.');
  return { origin, size: Number(sizeText), root };
}

/** Verify a checkpoint JWS against a JWKS; returns the parsed body and the kid that signed it. */
export async function verifyCheckpoint(jws: string, jwks: JSONWebKeySet): Promise<VerifiedCheckpoint> {
  return verifyCheckpointWith(jws, createLocalJWKSet(jwks));
}

/** Same as verifyCheckpoint, with a key set built once (createLocalJWKSet) for many checkpoints. */
export async function verifyCheckpointWith(
  jws: string,
  keys: ReturnType<typeof createLocalJWKSet>,
): Promise<VerifiedCheckpoint> {
  let result: CompactVerifyResult;
  try {
    result = await compactVerify(jws, keys, { algorithms: [CHECKPOINT_ALG] });
  } catch (err) {
    const reason =
      (err as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY'
        ? 'it was signed by a key that is not in the JWKS'
        : `its signature does not verify (${(err as Error).message})`;
    throw new CheckpointError('BAD_CHECKPOINT_SIGNATURE', `Checkpoint refused: ${reason}.`);
  }
  const { protectedHeader } = result;
  if (protectedHeader.typ !== CHECKPOINT_TYP) {
    throw new CheckpointError(
      'BAD_CHECKPOINT_SIGNATURE',
      `Checkpoint JWS typ is "${protectedHeader.typ}", expected ${CHECKPOINT_TYP}.`,
    );
  }
  const body = parseCheckpoint(utf8Decode(result.payload));
  return { ...body, kid: protectedHeader.kid ?? '', jws };
}

/** The body bytes a signer signs. */
export function checkpointPayload(body: CheckpointBody): Uint8Array {
  return utf8Encode(formatCheckpoint(body));
}
