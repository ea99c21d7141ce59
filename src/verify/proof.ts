// `motor-ledger verify-proof`: read a proof answer, the checkpoints and the trusted keys from files and check the
// proof with src/core/proof-answer.ts. Returns the verdict a person reads.
import { readFileSync } from 'node:fs';
import { CheckpointKeyRing } from '../core/checkpoint.js';
import { checkConsistencyAnswer, checkInclusionAnswer, type ProofVerdict } from '../core/proof-answer.js';
import { InputFileError, readCheckpointFile, readInput, readJwksFile } from './anchors.js';

function readBytes(file: string): Uint8Array {
  readInput(file, 'entry'); // names the file in the error if it cannot be read
  return new Uint8Array(readFileSync(file));
}

function readProof(file: string): unknown {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readInput(file, 'proof');
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(
      'INPUT_NOT_READABLE',
      `Cannot read the proof from stdin: ${(err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputFileError('INPUT_NOT_READABLE', `The proof ${file} is not JSON.`);
  }
}

/**
 * Check the proof in `proofFile` (an inclusion or a consistency answer) against the checkpoints in `opts.checkpoint`
 * files and the JWKS in `opts.trustedKeys`; returns a one-paragraph verdict, throws on failure.
 * @example await verifyProofFiles('proof.json', { trustedKeys: 'keys.json', checkpoint: ['cp.jws'] })
 */
export async function verifyProofFiles(
  proofFile: string,
  opts: { trustedKeys: string; checkpoint?: string[]; entry?: string; origin?: string },
): Promise<string> {
  const answer = readProof(proofFile);
  const keys = await CheckpointKeyRing.from(readJwksFile(opts.trustedKeys, 'trusted keys'), 'trusted');
  const checkpoints = (opts.checkpoint ?? []).flatMap((f) => readCheckpointFile(f));
  const origin = opts.origin !== undefined ? { origin: opts.origin } : {};
  let verdict: ProofVerdict;
  if (answer !== null && typeof answer === 'object' && 'size1' in answer) {
    verdict = await checkConsistencyAnswer(answer, { keys, checkpoints, ...origin });
  } else {
    if (checkpoints.length > 1) {
      throw new InputFileError('INPUT_NOT_READABLE', 'An inclusion proof is checked against one checkpoint.');
    }
    const entry = opts.entry === undefined ? {} : { entry: readBytes(opts.entry) };
    verdict = await checkInclusionAnswer(answer, {
      keys,
      ...(checkpoints[0] !== undefined ? { checkpoint: checkpoints[0] } : {}),
      ...entry,
      ...origin,
    });
  }
  const [first, second] = verdict.checkpoints;
  if (verdict.kind === 'inclusion') {
    return `OK: entry ${verdict.leafIdx} is in the log "${first!.origin}" of ${first!.size} entries, as signed by trusted key ${first!.kid}.`;
  }
  return `OK: the log "${second!.origin}" of ${second!.size} entries (key ${second!.kid}) extends its tree of ${first!.size} entries (key ${first!.kid}): nothing before entry ${first!.size} was changed.`;
}
