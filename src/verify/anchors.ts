// What a verdict is anchored to: the keys checkpoints are verified with (the auditor's trusted keys, or else the
// export's own JWKS, which proves nothing against someone who rewrote the log and re-signed it), and the
// checkpoints the auditor kept from before, which the log must still contain. Shared by verifyExport and
// verifyDatabase.
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { CheckpointError, CheckpointKeyRing } from '../core/checkpoint.js';
import { bytesEqual } from '../core/encoding.js';
import { LedgerError } from '../core/errors.js';
import { type AnchorCheckpoint, VerificationError, type VerifySummary } from '../core/verifier.js';

/** What the auditor already trusts (docs/auditor.md). */
export interface TrustAnchors {
  /** Keys obtained out of band: every checkpoint must be signed by one of them; the export's JWKS is not used. */
  trustedKeys?: JSONWebKeySet;
  /** Checkpoint JWSs kept from before (any order): the log must contain each, with the same root at its size. */
  knownCheckpoints?: readonly string[];
  /** The origin to expect. Default: the known checkpoints', else the log's smallest checkpoint's. */
  origin?: string;
}

/** How the verdict is anchored, for the verdict to say. */
export interface TrustReport {
  /** 'trusted': the auditor's keys; 'export': only the JWKS that came with the log (no anchor at all). */
  keys: 'trusted' | 'export';
  /** The kids that signed the log's checkpoints. */
  signers: string[];
  /** Checkpoints the auditor kept that the log matched. */
  knownCheckpoints: number;
}

export type VerifyVerdict = VerifySummary & { trust: TrustReport };

/** The verdict: what LogVerifier found, and what it is anchored to. */
export function verdictOf(
  summary: VerifySummary & { knownCheckpointsVerified: number },
  anchored: { keys: TrustReport['keys']; signers: string[] },
): VerifyVerdict {
  return {
    ...summary,
    trust: {
      keys: anchored.keys,
      signers: anchored.signers,
      knownCheckpoints: summary.knownCheckpointsVerified,
    },
  };
}

/** A file the verifier needs and cannot read: a usage error (exit 2), not a verification failure. */
export class InputFileError extends LedgerError {}

/** Read a file as UTF-8, or throw InputFileError naming it and what it should be. */
export function readInput(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new InputFileError('INPUT_NOT_READABLE', `Cannot read ${what} ${file}: ${reason}.`, { file });
  }
}

/** Read a JWKS file. */
export function readJwksFile(file: string, what = 'JWKS'): JSONWebKeySet {
  const text = readInput(file, what);
  try {
    return JSON.parse(text) as JSONWebKeySet;
  } catch {
    throw new InputFileError('INPUT_NOT_READABLE', `${what} ${file} is not JSON.`, { file });
  }
}

/** The non-empty lines of a checkpoints file (one compact JWS per line). */
export function readCheckpointLines(file: string, what = 'checkpoints file'): string[] {
  return readInput(file, what)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

// The size a checkpoint claims, read leniently (to name a checkpoint refused for its form or signature).
function claimedSize(jws: string): number | undefined {
  const body = Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8');
  const size = body.split('\n')[1];
  return size !== undefined && /^[0-9]{1,15}$/.test(size) ? Number(size) : undefined;
}

/**
 * The checkpoints in a file: JWS lines, or the JSON the API answers for one checkpoint (`{…, jws}`) or a page of
 * them (`{checkpoints: [{…, jws}]}`).
 */
export function readCheckpointFile(file: string, what = 'checkpoint file'): string[] {
  const text = readInput(file, what).trim();
  if (!text.startsWith('{')) return readCheckpointLines(file, what);
  try {
    const json = JSON.parse(text) as { jws?: unknown; checkpoints?: { jws?: unknown }[] };
    const list = json.checkpoints ?? [json];
    return list.map((c) => c.jws).filter((j): j is string => typeof j === 'string');
  } catch {
    throw new InputFileError('INPUT_NOT_READABLE', `${what} ${file} is neither JWS lines nor JSON.`);
  }
}

/**
 * Verify the log's checkpoints and the auditor's known ones: signatures under the trusted keys when given (else
 * the log's own JWKS), and the log's lines in strictly increasing size order, as the writer writes them. Returns
 * the checkpoints for LogVerifier and the trust report (without knownCheckpoints, which LogVerifier counts).
 */
export async function anchorCheckpoints(
  logJwses: readonly string[],
  logJwks: JSONWebKeySet | undefined,
  anchors: TrustAnchors,
): Promise<{ checkpoints: AnchorCheckpoint[]; keys: TrustReport['keys']; signers: string[] }> {
  const trusted = anchors.trustedKeys !== undefined;
  let ring: CheckpointKeyRing;
  try {
    ring = await CheckpointKeyRing.from(
      trusted ? anchors.trustedKeys! : (logJwks ?? { keys: [] }),
      trusted ? 'trusted' : 'export',
    );
  } catch (err) {
    if (err instanceof CheckpointError) throw new InputFileError(err.code, err.message);
    throw err;
  }
  const out: AnchorCheckpoint[] = [];
  const verifyAll = async (jwses: readonly string[], known: boolean) => {
    for (let i = 0; i < jwses.length; i++) {
      try {
        out.push({ ...(await ring.verify(jwses[i]!)), ...(known ? { known: true } : {}) });
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw err;
        const size = claimedSize(jwses[i]!);
        const which = known ? 'Known checkpoint' : 'Checkpoint';
        throw new VerificationError(
          err.code,
          size === undefined ? { line: i + 1 } : { checkpointSize: size },
          `${which} on line ${i + 1}: ${err.message}`,
        );
      }
    }
  };
  await verifyAll(logJwses, false);
  const logged = out.slice();
  await verifyAll(anchors.knownCheckpoints ?? [], true);
  for (let i = 1; i < logged.length; i++) {
    const a = logged[i - 1]!;
    const b = logged[i]!;
    // Same size, different roots is a fork: LogVerifier names it INCONSISTENT_CHECKPOINTS.
    if (a.size > b.size || (a.size === b.size && bytesEqual(a.root, b.root))) {
      throw new VerificationError(
        'MALFORMED_CHECKPOINT',
        { checkpointSize: b.size },
        `Checkpoint on line ${i + 1} (size ${b.size}) does not come after line ${i} (size ${a.size}): checkpoints are listed once each, in increasing size.`,
      );
    }
  }
  return {
    checkpoints: out,
    keys: trusted ? 'trusted' : 'export',
    signers: [...new Set(logged.map((c) => c.kid))],
  };
}
