// Child process of workload 4: `node dist/bench/verify-child.js <dir> [mode]` verifies the export in <dir> and
// prints one JSON line with the entries, the elapsed time of the verification (without Node's start-up) and
// this process's peak RSS (process.resourceUsage().maxRSS, KB). Run in its own process so the RSS is the
// verifier's alone.
//
// Modes: verify (default) runs verifyExport as `motor-ledger verify` does (worker threads, with the RFC 8785
// form check, strict by default since issue 9); verify-no-strict skips it (the CLI's --no-strict); verify-1thread is verify on one thread
// (workers 0); floor reads and splits the same file and only computes each leaf hash on one thread, the least
// a verifier must do there (a reference, not a target). VERIFY_WORKERS overrides the number of workers.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { toBase64 } from '../src/core/encoding.js';
import { leafHash, MerkleFrontier } from '../src/core/merkle.js';
import { verifyExport } from '../src/verify/verify.js';

export interface ChildReport {
  mode: string;
  entries: number;
  elapsedMs: number;
  maxRssKb: number;
  root: string;
  checkpointsVerified?: number;
}

async function floor(file: string): Promise<{ entries: number; root: string }> {
  const tree = new MerkleFrontier();
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      tree.append(leafHash(buf.subarray(start, nl)));
      start = nl + 1;
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
  }
  if (carry && carry.length > 0) tree.append(leafHash(carry));
  return { entries: tree.size, root: toBase64(tree.root()) };
}

async function main(): Promise<void> {
  const [dir, mode = 'verify'] = process.argv.slice(2);
  if (!dir)
    throw new Error('usage: verify-child <export dir> [verify|verify-no-strict|verify-1thread|floor]');
  const entries = join(dir, 'entries.ndjson');
  const t0 = performance.now();
  let report: ChildReport;
  if (mode === 'floor') {
    const r = await floor(entries);
    report = { mode, ...r, elapsedMs: performance.now() - t0, maxRssKb: 0 };
  } else if (mode === 'verify' || mode === 'verify-no-strict' || mode === 'verify-1thread') {
    const workers = process.env.VERIFY_WORKERS;
    const s = await verifyExport(
      {
        entries,
        checkpoints: join(dir, 'checkpoints.jws'),
        jwks: join(dir, 'jwks.json'),
      },
      {
        strictCanonical: mode !== 'verify-no-strict',
        ...(mode === 'verify-1thread' ? { workers: 0 } : workers ? { workers: Number(workers) } : {}),
      },
    );
    report = {
      mode,
      entries: s.entries,
      root: s.root,
      checkpointsVerified: s.checkpointsVerified,
      elapsedMs: performance.now() - t0,
      maxRssKb: 0,
    };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  report.maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`verify-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
