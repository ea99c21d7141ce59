// Checkpoints (BRIEF §3): the C2SP tlog-checkpoint body `<origin>\n<size>\n<base64 root>\n`, signed as a
// compact JWS (EdDSA over Ed25519, kid = RFC 7638 thumbprint, typ tlog-checkpoint+jws) whose payload is the body.
// Parsing is strict on purpose: every checkpoint has exactly one accepted text, so two texts never carry the same
// signed claim (docs/log-format.md, "Checkpoints").
import {
  base64url,
  calculateJwkThumbprint,
  compactVerify,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { canonicalJson } from './canonical.js';
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

/**
 * Parse a checkpoint body: exactly the three lines formatCheckpoint writes. C2SP allows extension lines after the
 * root; this log's checkpoints never carry any, so a body with one is refused (nothing unsigned-in-meaning rides
 * along with a signature).
 * @example const { origin, size, root } = parseCheckpoint('cleon-dieppe\n3\n<base64>\n');
 */
export function parseCheckpoint(text: string): CheckpointBody {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      'Checkpoint body must be origin, size and root lines, each ending in a newline.',
    );
  }
  if (lines.length > 4) {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      'Checkpoint body has extension lines after the root; this log signs exactly origin, size and root.',
    );
  }
  const [origin = '', sizeText = '', rootText = ''] = lines;
  if (!isValidOrigin(origin)) {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      'Checkpoint origin must be 1 to 255 printable ASCII characters without spaces.',
    );
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      `Checkpoint size "${sizeText}" is not a decimal integer without leading zeros below 2^53.`,
    );
  }
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint root is not standard padded base64.');
  }
  if (root.length !== 32)
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint root is not 32 bytes.');
  return { origin, size: Number(sizeText), root };
}

/** The parts of a compact JWS, each in its only accepted base64url text (RFC 7515 §2: no padding). */
interface JwsParts {
  header: Record<string, unknown>;
  payload: Uint8Array;
}

// base64url without padding has exactly one text per byte string once the unused low bits of the last character
// are zero and nothing but the URL alphabet appears: decode, encode again, and compare.
function decodeSegment(segment: string, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(segment);
  } catch {
    throw new CheckpointError('MALFORMED_CHECKPOINT', `Checkpoint JWS ${what} is not base64url.`);
  }
  if (base64url.encode(bytes) !== segment) {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      `Checkpoint JWS ${what} is not in its canonical base64url form (unpadded, unused bits zero): the same bytes re-encoded are refused.`,
    );
  }
  return bytes;
}

/**
 * Split and check a checkpoint JWS without its signature: three canonical base64url segments, a protected header
 * that is exactly `{"alg":"EdDSA","kid":…,"typ":"tlog-checkpoint+jws"}` in RFC 8785 form, a parseable body.
 * Throws CheckpointError MALFORMED_CHECKPOINT. Use it to name a checkpoint (by its claimed size) before it verifies.
 */
export function parseCheckpointJws(jws: string): JwsParts & { body: CheckpointBody; kid: string } {
  const segments = jws.split('.');
  if (segments.length !== 3) {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      'A checkpoint is a compact JWS: three dot-separated parts.',
    );
  }
  const [h = '', p = '', s = ''] = segments;
  const headerBytes = decodeSegment(h, 'header');
  const payload = decodeSegment(p, 'payload');
  const signature = decodeSegment(s, 'signature');
  let header: unknown;
  let headerText: string;
  try {
    headerText = utf8Decode(headerBytes);
    header = JSON.parse(headerText);
  } catch {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint JWS header is not UTF-8 JSON.');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint JWS header is not a JSON object.');
  }
  const hdr = header as Record<string, unknown>;
  const names = Object.keys(hdr).sort().join(',');
  if (names !== 'alg,kid,typ' || typeof hdr.kid !== 'string' || hdr.kid === '') {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      `Checkpoint JWS header must have exactly alg, kid and typ (found ${names || 'nothing'}).`,
    );
  }
  // A header naming another algorithm or type cannot carry this log's signature (alg none, a JWT…).
  if (hdr.alg !== CHECKPOINT_ALG || hdr.typ !== CHECKPOINT_TYP) {
    throw new CheckpointError(
      'BAD_CHECKPOINT_SIGNATURE',
      `Checkpoint JWS header must say alg ${CHECKPOINT_ALG} and typ ${CHECKPOINT_TYP} (found alg ${String(hdr.alg)}, typ ${String(hdr.typ)}).`,
    );
  }
  // Exactly the RFC 8785 text: no duplicate member names, no whitespace, no escapes a writer would not make.
  if (canonicalJson(hdr) !== headerText) {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint JWS header is not in RFC 8785 form.');
  }
  if (signature.length !== 64) {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint signature is not 64 bytes (Ed25519).');
  }
  let bodyText: string;
  try {
    bodyText = utf8Decode(payload);
  } catch {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'Checkpoint body is not UTF-8.');
  }
  return { header: hdr, payload, body: parseCheckpoint(bodyText), kid: hdr.kid };
}

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

/** Where a key ring's keys came from, as the verdict names it. */
export type KeySource = 'export' | 'trusted';

/**
 * Ed25519 public keys indexed by their RFC 7638 SHA-256 thumbprint: a checkpoint's kid names exactly one key.
 * A JWK's own `kid` member is not used to select it (the thumbprint is recomputed), so a second key that claims
 * the same kid can never be picked for it; keys that are not Ed25519 are ignored.
 * @example const ring = await CheckpointKeyRing.from(jwks, 'trusted'); const cp = await ring.verify(jws);
 */
export class CheckpointKeyRing {
  readonly source: KeySource;
  readonly #keys: Map<string, VerifyKey>;

  private constructor(source: KeySource, keys: Map<string, VerifyKey>) {
    this.source = source;
    this.#keys = keys;
  }

  /** Build the ring from a JWKS (`{keys: [...]}`); throws CheckpointError INVALID_JWKS if it is not one. */
  static async from(jwks: JSONWebKeySet, source: KeySource): Promise<CheckpointKeyRing> {
    if (jwks === null || typeof jwks !== 'object' || !Array.isArray(jwks.keys)) {
      throw new CheckpointError('INVALID_JWKS', 'A JWKS must be a JSON object with a "keys" array.');
    }
    const keys = new Map<string, VerifyKey>();
    for (const jwk of jwks.keys as JWK[]) {
      if (jwk === null || typeof jwk !== 'object') continue;
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (jwk.alg !== undefined && jwk.alg !== CHECKPOINT_ALG && jwk.alg !== 'Ed25519') continue;
      const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
      let key: VerifyKey;
      try {
        key = await importJWK(publicJwk, CHECKPOINT_ALG);
      } catch {
        continue; // not a valid Ed25519 point: it can verify nothing
      }
      keys.set(await calculateJwkThumbprint(publicJwk, 'sha256'), key);
    }
    return new CheckpointKeyRing(source, keys);
  }

  /** The thumbprints of the usable keys. */
  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  has(kid: string): boolean {
    return this.#keys.has(kid);
  }

  /**
   * Verify a checkpoint JWS: its strict form (parseCheckpointJws), then its Ed25519 signature under the key whose
   * thumbprint is its kid. Throws CheckpointError: MALFORMED_CHECKPOINT, UNTRUSTED_KEY (a trusted ring lacks the
   * kid), BAD_CHECKPOINT_SIGNATURE (the export's JWKS lacks it, or the signature does not verify).
   */
  async verify(jws: string): Promise<VerifiedCheckpoint> {
    const parts = parseCheckpointJws(jws);
    const key = this.#keys.get(parts.kid);
    if (!key) {
      throw this.source === 'trusted'
        ? new CheckpointError(
            'UNTRUSTED_KEY',
            `Checkpoint of size ${parts.body.size} is signed by key ${parts.kid}, which is not one of the trusted keys.`,
          )
        : new CheckpointError(
            'BAD_CHECKPOINT_SIGNATURE',
            `Checkpoint of size ${parts.body.size} is signed by key ${parts.kid}, which is not in the JWKS.`,
          );
    }
    try {
      await compactVerify(jws, key, { algorithms: [CHECKPOINT_ALG] });
    } catch (err) {
      throw new CheckpointError(
        'BAD_CHECKPOINT_SIGNATURE',
        `Checkpoint of size ${parts.body.size}: its signature does not verify under key ${parts.kid} (${(err as Error).message}).`,
      );
    }
    return { ...parts.body, kid: parts.kid, jws };
  }
}

/**
 * Verify a checkpoint JWS against a JWKS (the key is picked by recomputed thumbprint); returns the parsed body and
 * the kid that signed it.
 */
export async function verifyCheckpoint(
  jws: string,
  jwks: JSONWebKeySet,
  source: KeySource = 'export',
): Promise<VerifiedCheckpoint> {
  return (await CheckpointKeyRing.from(jwks, source)).verify(jws);
}

/** The body bytes a signer signs. */
export function checkpointPayload(body: CheckpointBody): Uint8Array {
  return utf8Encode(formatCheckpoint(body));
}
