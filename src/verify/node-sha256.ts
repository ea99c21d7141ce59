// SHA-256 from node:crypto (OpenSSL) for src/core's injectable hash (src/core/hash.ts): the Node entry points
// (the sequencer, the verifiers, the verify workers, hence the server and the CLI) install it on import.
import * as crypto from 'node:crypto';
import { type Sha256, useSha256 } from '../core/hash.js';

const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;

/** SHA-256 of the concatenation of `parts` with node:crypto; returns a plain Uint8Array view of the digest. */
export const nodeSha256: Sha256 =
  typeof oneShot === 'function'
    ? (...parts) => {
        // crypto.hash (Node >= 20.12) is one call; concatenating a leaf's prefix byte costs less than a Hash object.
        const d = oneShot('sha256', parts.length === 1 ? parts[0]! : Buffer.concat(parts), 'buffer');
        return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      }
    : (...parts) => {
        const h = crypto.createHash('sha256');
        for (const p of parts) h.update(p);
        const d = h.digest();
        return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      };

/** Make every hash of src/core in this process use node:crypto. Idempotent. */
export function installNodeSha256(): void {
  useSha256(nodeSha256);
}
