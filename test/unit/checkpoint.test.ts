import { CompactSign, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint, verifyCheckpoint } from '../../src/core/checkpoint.js';
import { generateSigningJwk, signerFromJwk } from '../../src/ledger/signing.js';

const root = new Uint8Array(32).fill(9);
const body = { origin: 'motor-ledger.local/cleon-dieppe', size: 1234, root };

describe('checkpoint body (C2SP tlog-checkpoint)', () => {
  it('is origin, size and base64 root, each line ending in a newline', () => {
    expect(formatCheckpoint(body)).toBe(
      'motor-ledger.local/cleon-dieppe\n1234\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n',
    );
    expect(parseCheckpoint(formatCheckpoint(body))).toEqual(body);
  });

  it.each(['x\n12\n', 'x\n012\nCQ==\n', 'x\n12\nnot-base64\n', 'x\n12\nCQkJ\n'])(
    'refuses malformed body %j',
    (text) => {
      expect(() => parseCheckpoint(text)).toThrow(/Checkpoint/);
    },
  );
});

describe('signed checkpoints', () => {
  it('verify with EdDSA, typ tlog-checkpoint+jws and kid = RFC 7638 thumbprint', async () => {
    const signer = await signerFromJwk(await generateSigningJwk());
    const jws = await signer.sign(body);
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'EdDSA', kid: signer.kid, typ: 'tlog-checkpoint+jws' });
    await expect(verifyCheckpoint(jws, { keys: [signer.publicJwk] })).resolves.toMatchObject({
      size: 1234,
      kid: signer.kid,
    });
  });

  it('refuses another key, alg none and a wrong typ', async () => {
    const signer = await signerFromJwk(await generateSigningJwk());
    const other = await signerFromJwk(await generateSigningJwk());
    const jws = await signer.sign(body);
    await expect(
      verifyCheckpoint(jws, { keys: [{ ...other.publicJwk, kid: signer.kid }] }),
    ).rejects.toMatchObject({
      code: 'BAD_CHECKPOINT_SIGNATURE',
    });
    const [, payload] = jws.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: signer.kid, typ: 'tlog-checkpoint+jws' })).toString('base64url')}.${payload}.`;
    await expect(verifyCheckpoint(none, { keys: [signer.publicJwk] })).rejects.toMatchObject({
      code: 'BAD_CHECKPOINT_SIGNATURE',
    });
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const wrongTyp = await new CompactSign(new TextEncoder().encode(formatCheckpoint(body)))
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'JWT' })
      .sign(privateKey);
    await expect(verifyCheckpoint(wrongTyp, { keys: [signer.publicJwk] })).rejects.toMatchObject({
      code: 'BAD_CHECKPOINT_SIGNATURE',
    });
  });
});
