// The checkpoint signing key: loaded from SIGNING_KEY_FILE (a private Ed25519 JWK), or made once in dev mode
// and kept beside the data. Its public half is registered in signing_key, which only grows: the JWKS keeps
// every key that ever signed, so old checkpoints still verify after rotation.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import {
  CHECKPOINT_ALG,
  CHECKPOINT_TYP,
  type CheckpointBody,
  checkpointPayload,
} from '../core/checkpoint.js';
import { LedgerError } from '../core/errors.js';
import type { Database } from '../db/schema.js';

export interface CheckpointSigner {
  readonly kid: string;
  readonly publicJwk: JWK;
  /** Sign a checkpoint body; returns the compact JWS. */
  sign(body: CheckpointBody): Promise<string>;
}

/** Make a signer from a private Ed25519 JWK. */
export async function signerFromJwk(privateJwk: JWK): Promise<CheckpointSigner> {
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || !privateJwk.d) {
    throw new LedgerError(
      'INVALID_SIGNING_KEY',
      'The signing key must be a private Ed25519 JWK (kty OKP, crv Ed25519, with d).',
    );
  }
  const { d: _d, ...publicPart } = privateJwk;
  const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: publicPart.x };
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const key = await importJWK(privateJwk, CHECKPOINT_ALG);
  return {
    kid,
    publicJwk: { ...publicJwk, kid, alg: CHECKPOINT_ALG, use: 'sig' },
    sign: (body) =>
      new CompactSign(checkpointPayload(body))
        .setProtectedHeader({ alg: CHECKPOINT_ALG, kid, typ: CHECKPOINT_TYP })
        .sign(key),
  };
}

/** Generate a fresh private Ed25519 JWK. */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(CHECKPOINT_ALG, { crv: 'Ed25519', extractable: true });
  return exportJWK(privateKey);
}

/**
 * Load the signing key from `file`; when it does not exist and `createIfMissing`, make one and save it (mode 0600).
 * @example const signer = await loadSigningKey('./.motor-ledger/signing-key.jwk', { createIfMissing: true });
 */
export async function loadSigningKey(
  file: string,
  { createIfMissing }: { createIfMissing: boolean },
): Promise<{ signer: CheckpointSigner; created: boolean }> {
  if (!existsSync(file)) {
    if (!createIfMissing) {
      throw new LedgerError(
        'SIGNING_KEY_MISSING',
        `SIGNING_KEY_FILE ${file} does not exist. Create one with "motor-ledger keygen ${file}".`,
      );
    }
    const jwk = await generateSigningJwk();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600 });
    return { signer: await signerFromJwk(jwk), created: true };
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (err) {
    throw new LedgerError(
      'INVALID_SIGNING_KEY',
      `SIGNING_KEY_FILE ${file} is not a JSON JWK: ${(err as Error).message}`,
    );
  }
  return { signer: await signerFromJwk(jwk), created: false };
}

/** Record the signer's public key (idempotent); the table is append-only, so retired keys stay published. */
export async function registerSigningKey(db: Kysely<Database>, signer: CheckpointSigner): Promise<void> {
  await db
    .insertInto('signing_key')
    .values({ kid: signer.kid, public_jwk: JSON.stringify(signer.publicJwk) })
    .onConflict((oc) => oc.column('kid').doNothing())
    .execute();
}

/** Every public key that has signed or may sign checkpoints, oldest first. */
export async function readJwks(db: Kysely<Database>): Promise<{ keys: JWK[] }> {
  const rows = await db
    .selectFrom('signing_key')
    .select(['public_jwk'])
    .orderBy('created')
    .orderBy('kid')
    .execute();
  return { keys: rows.map((r) => r.public_jwk as JWK) };
}
