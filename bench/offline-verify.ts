// Workload 4: export the ledger as the CLI does (src/verify/export.ts: entries.ndjson, checkpoints.jws,
// jwks.json), then verify the export in a child process per run (rate and peak RSS of the verifier alone),
// interleaved with the floor (read, split and hash only) as the reference.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ledger } from '../src/ledger/ledger.js';
import { exportLedger } from '../src/verify/export.js';
import { log, median, nowMs } from './stats.js';
import type { ChildReport } from './verify-child.js';

export interface VerifyRound {
  verify: ChildReport & { wallMs: number; rate: number };
  floor: ChildReport & { wallMs: number; rate: number };
  /** Without the RFC 8785 form check (the CLI's --no-strict): not the target's mode, reported beside it. */
  noStrict?: ChildReport & { wallMs: number; rate: number };
}

export interface OfflineVerifyResult {
  entries: number;
  checkpoints: number;
  exportBytes: number;
  exportMs: number;
  exportRate: number;
  rounds: VerifyRound[];
  /** Median entries/s of verifyExport (elapsed inside the child, without Node's start-up). */
  verifyRate: number;
  floorRate: number;
  /** Highest peak RSS of any verify run, KB. */
  verifyPeakRssKb: number;
  floorPeakRssKb: number;
  /** Median entries/s and highest peak RSS with --no-strict (no RFC 8785 form check). */
  noStrictRate?: number;
  noStrictPeakRssKb?: number;
}

const CHILD = fileURLToPath(new URL('./verify-child.js', import.meta.url));

/** Run the verify child; `nodeArgs` lets an investigation add e.g. --cpu-prof. */
export function runChild(
  dir: string,
  mode: 'verify' | 'verify-no-strict' | 'verify-1thread' | 'floor',
  nodeArgs: string[] = [],
): Promise<ChildReport & { wallMs: number; rate: number }> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn(process.execPath, [...nodeArgs, CHILD, dir, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = nowMs() - t0;
      if (code !== 0) {
        reject(new Error(`verify-child ${mode} exited with ${code}`));
        return;
      }
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as ChildReport;
        resolve({ ...r, wallMs, rate: (r.entries / r.elapsedMs) * 1000 });
      } catch {
        reject(new Error(`verify-child ${mode} printed no report: ${out.slice(0, 500)}`));
      }
    });
  });
}

export async function offlineVerify(
  ledger: Ledger<undefined>,
  rounds: number,
  expect: { size: number; root: string },
): Promise<OfflineVerifyResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ml-bench-export-'));
  try {
    log(`exporting ${expect.size.toLocaleString('en-US')} entries to ${dir}`);
    const t0 = nowMs();
    const counts = await exportLedger(ledger.handle.db, dir);
    const exportMs = nowMs() - t0;
    if (counts.entries !== expect.size)
      throw new Error(`Exported ${counts.entries} entries, the log holds ${expect.size}.`);
    const exportBytes = (await stat(join(dir, 'entries.ndjson'))).size;
    log(
      `exported ${counts.entries} entries (${(exportBytes / 2 ** 20).toFixed(0)} MiB) in ${(exportMs / 1000).toFixed(1)} s`,
    );

    const out: VerifyRound[] = [];
    for (let r = 0; r < rounds; r++) {
      let verify: VerifyRound['verify'];
      let floor: VerifyRound['floor'];
      if (r % 2 === 0) {
        verify = await runChild(dir, 'verify');
        floor = await runChild(dir, 'floor');
      } else {
        floor = await runChild(dir, 'floor');
        verify = await runChild(dir, 'verify');
      }
      const noStrict = await runChild(dir, 'verify-no-strict');
      for (const c of [verify, floor, noStrict]) {
        if (c.entries !== expect.size || c.root !== expect.root) {
          throw new Error(
            `${c.mode} saw ${c.entries} entries with root ${c.root}; expected ${expect.size} and ${expect.root}.`,
          );
        }
      }
      out.push({ verify, floor, noStrict });
      log(
        `verify round ${r + 1}/${rounds}: ${verify.rate.toFixed(0)} entries/s, peak RSS ${(verify.maxRssKb / 1024).toFixed(0)} MB ` +
          `(floor ${floor.rate.toFixed(0)} entries/s, ${(floor.maxRssKb / 1024).toFixed(0)} MB; ` +
          `--no-strict ${noStrict.rate.toFixed(0)} entries/s, ${(noStrict.maxRssKb / 1024).toFixed(0)} MB)`,
      );
    }
    return {
      entries: counts.entries,
      checkpoints: counts.checkpoints,
      exportBytes,
      exportMs,
      exportRate: (counts.entries / exportMs) * 1000,
      rounds: out,
      verifyRate: median(out.map((r) => r.verify.rate)),
      floorRate: median(out.map((r) => r.floor.rate)),
      verifyPeakRssKb: Math.max(...out.map((r) => r.verify.maxRssKb)),
      floorPeakRssKb: Math.max(...out.map((r) => r.floor.maxRssKb)),
      noStrictRate: median(out.map((r) => r.noStrict!.rate)),
      noStrictPeakRssKb: Math.max(...out.map((r) => r.noStrict!.maxRssKb)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
