import { CompactSign, exportJWK, generateKeyPair, importJWK } from 'jose';
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

describe('one accepted text per checkpoint', () => {
  it.each([
    [
      'an extension line',
      'motor-ledger.local/cleon-dieppe\n1234\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\nextra\n',
    ],
    [
      'a size with a leading zero',
      'motor-ledger.local/cleon-dieppe\n01234\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n',
    ],
    [
      'a size beyond 2^53',
      'motor-ledger.local/cleon-dieppe\n9999999999999999\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n',
    ],
    [
      'a root with non-zero pad bits',
      'motor-ledger.local/cleon-dieppe\n1234\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQl=\n',
    ],
    ['an origin with a space', 'motor ledger\n1234\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n'],
  ])('refuses a body with %s', (_what, text) => {
    expect(() => parseCheckpoint(text)).toThrow(expect.objectContaining({ code: 'MALFORMED_CHECKPOINT' }));
  });

  it('refuses a header with another member or out of RFC 8785 form, and a re-encoded payload', async () => {
    const signer = await signerFromJwk(await generateSigningJwk());
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const payload = new TextEncoder().encode(formatCheckpoint(body));
    const extra = await new CompactSign(payload)
      .setProtectedHeader({
        alg: 'EdDSA',
        kid: signer.kid,
        typ: 'tlog-checkpoint+jws',
        crit: undefined,
        x: 1,
      } as never)
      .sign(privateKey);
    await expect(verifyCheckpoint(extra, { keys: [signer.publicJwk] })).rejects.toMatchObject({
      code: 'MALFORMED_CHECKPOINT',
    });
    const reordered = await new CompactSign(payload)
      .setProtectedHeader({ typ: 'tlog-checkpoint+jws', kid: signer.kid, alg: 'EdDSA' })
      .sign(privateKey);
    await expect(verifyCheckpoint(reordered, { keys: [signer.publicJwk] })).rejects.toMatchObject({
      code: 'MALFORMED_CHECKPOINT',
    });
    const jws = await signer.sign(body);
    const [h, p, s] = jws.split('.') as [string, string, string];
    // The payload (91 bytes) in 122 characters: the last carries 2 unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(p.at(-1)!);
    const other = `${p.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(other, 'base64url')).toEqual(Buffer.from(p, 'base64url'));
    await expect(verifyCheckpoint(`${h}.${other}.${s}`, { keys: [signer.publicJwk] })).rejects.toMatchObject({
      code: 'MALFORMED_CHECKPOINT',
    });
    await expect(verifyCheckpoint(`${h}.${p}.${s}=`, { keys: [signer.publicJwk] })).rejects.toMatchObject({
      code: 'MALFORMED_CHECKPOINT',
    });
  });

  it('picks the key by recomputed thumbprint: a key claiming the kid is never used, other key types are ignored', async () => {
    const signer = await signerFromJwk(await generateSigningJwk());
    const impostor = await signerFromJwk(await generateSigningJwk());
    const jws = await signer.sign(body);
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const ec = { ...(await exportJWK(publicKey)), kid: signer.kid };
    const keys = [{ ...impostor.publicJwk, kid: signer.kid }, ec, { ...signer.publicJwk, kid: 'whatever' }];
    await expect(verifyCheckpoint(jws, { keys })).resolves.toMatchObject({ kid: signer.kid, size: 1234 });
    // Signed by the impostor under the real kid: its key is not selected, the real one refuses the signature.
    const forged = await new CompactSign(new TextEncoder().encode(formatCheckpoint(body)))
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'tlog-checkpoint+jws' })
      .sign(await importJWK(await generateSigningJwk(), 'EdDSA'));
    await expect(verifyCheckpoint(forged, { keys })).rejects.toMatchObject({
      code: 'BAD_CHECKPOINT_SIGNATURE',
    });
  });
});
