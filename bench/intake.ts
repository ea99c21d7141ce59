// Intake over HTTP: `node dist/bench/intake.js` (after `npm run build`). Starts the real server
// (bench/intake-server.ts: openLedger, buildApp, dev-mode auth) on a fresh database with motors already on
// departed trucks to Dieppe, then drives POST /v1/intake/scans with autocannon over INTAKE_CONNECTIONS (64)
// connections, each request scanning a motor no other request scans. It counts ACCEPTED verdicts and reports
// accepted scans/s and latency percentiles; then stops the server and checks that the log holds exactly one
// motor.received per ACCEPTED answer (same serials), one intake.rejected per REJECTED one, and that
// verifyDatabase passes. Results go to bench/results/intake.json.
//
// The run is measured by count, not by time (autocannon `amount`), so that no request is cut off in flight and
// the books balance exactly: a warm-up of INTAKE_WARMUP scans gives the rate, and the measured run is sized to
// last about INTAKE_SECONDS (12). Environment: BENCH_DATABASE_URL (admin URL), INTAKE_MOTORS (80,000),
// INTAKE_SHIPMENT_SIZE (50), INTAKE_CONNECTIONS, INTAKE_SECONDS, INTAKE_WARMUP (3,000).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connect.js';
import { verifyDatabase } from '../src/verify/verify.js';
import { createBenchDatabase } from './database.js';
import { intakeSerial, intakeShipment } from './intake-plan.js';
import { log } from './stats.js';

const SERVER = fileURLToPath(new URL('./intake-server.js', import.meta.url));

interface ServerInfo {
  port: number;
  token: string;
  setupMs: number;
  entries: number;
  shipments: number;
}

interface Tally {
  accepted: Set<string>;
  rejected: Map<string, number>;
  statuses: Map<number, number>;
}

function intFromEnv(name: string, def: number): number {
  const raw = process.env[name];
  return raw ? Number(raw.replaceAll('_', '')) : def;
}

async function load(
  info: ServerInfo,
  connections: number,
  first: number,
  amount: number,
  tally: Tally,
): Promise<autocannon.Result & { elapsedS: number }> {
  let next = first;
  const t0 = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${info.port}`,
    connections,
    amount,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/v1/intake/scans',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
        setupRequest: (req) => {
          const i = next++;
          return {
            ...req,
            body: JSON.stringify({
              serial: intakeSerial(i),
              shipmentId: intakeShipment(i, info.shipments),
              dock: `D${(i % 6) + 1}`,
              scanner: `HH-${String(i % connections).padStart(2, '0')}`,
            }),
          };
        },
        onResponse: (status, body) => {
          tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
          if (status !== 200) return;
          const v = JSON.parse(body) as { verdict: string; code: string; motor: { serial: string } | null };
          if (v.verdict === 'ACCEPTED' && v.motor) tally.accepted.add(v.motor.serial);
          else tally.rejected.set(v.code, (tally.rejected.get(v.code) ?? 0) + 1);
        },
      },
    ],
  });
  // autocannon's own `duration` is rounded to whole seconds; the rate uses the measured wall time.
  return { ...result, elapsedS: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const motors = intFromEnv('INTAKE_MOTORS', 80_000);
  const connections = intFromEnv('INTAKE_CONNECTIONS', 64);
  const seconds = intFromEnv('INTAKE_SECONDS', 12);
  const warmup = intFromEnv('INTAKE_WARMUP', 3_000);
  const bdb = await createBenchDatabase(adminUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-intake-'));
  log(`database ${bdb.name}; recording ${motors} motors on departed trucks`);
  // INTAKE_SERVER_NODE_ARGS: node options for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.INTAKE_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, SERVER], {
    env: {
      ...process.env,
      INTAKE_DB_URL: bdb.url,
      INTAKE_DATA_DIR: dataDir,
      INTAKE_MOTORS: String(motors),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const info = await new Promise<ServerInfo>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl !== -1) resolve(JSON.parse(out.slice(0, nl)) as ServerInfo);
      });
      child.on('exit', (code) => reject(new Error(`intake-server exited with ${code} before listening`)));
    });
    log(
      `server on port ${info.port}: ${info.entries} entries recorded in ${(info.setupMs / 1000).toFixed(1)} s ` +
        `(${info.shipments} trucks)`,
    );

    const tally: Tally = { accepted: new Set(), rejected: new Map(), statuses: new Map() };
    const w = await load(info, connections, 0, warmup, tally);
    const rate = w.requests.total / w.elapsedS;
    // The warm-up runs on a cold JIT and underrates the server about twice: size the run for twice its rate,
    // and for the target rate at least.
    const amount = Math.min(motors - warmup, Math.max(2_000 * seconds, Math.round(2 * rate * seconds)));
    log(`warm-up: ${w.requests.total} scans at ${rate.toFixed(0)}/s; measured run: ${amount} scans`);
    const before = tally.accepted.size;
    const rejectedBefore = [...tally.rejected.values()].reduce((a, b) => a + b, 0);
    const r = await load(info, connections, warmup, amount, tally);
    const accepted = tally.accepted.size - before;
    const rejected = [...tally.rejected.values()].reduce((a, b) => a + b, 0) - rejectedBefore;
    const acceptedRate = accepted / r.elapsedS;
    log(
      `measured: ${accepted} ACCEPTED, ${rejected} REJECTED, ${r.non2xx} non-2xx, ${r.errors} errors, ` +
        `${r.timeouts} timeouts in ${r.elapsedS.toFixed(2)} s = ${acceptedRate.toFixed(0)} accepted/s; ` +
        `latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms`,
    );

    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`intake-server exited with ${code}`);

    // The books: every ACCEPTED answer is a motor.received in the log and nothing else is.
    const handle = await openDatabase({ url: bdb.url });
    let check: Record<string, unknown>;
    try {
      const { rows } = await sql<{ type: string; serial: string }>`
        SELECT type, convert_from(body, 'UTF8')::jsonb->'data'->>'serial' AS serial
        FROM ledger_entry WHERE type IN ('motor.received', 'intake.rejected')
      `.execute(handle.db);
      const received = new Set(rows.filter((x) => x.type === 'motor.received').map((x) => x.serial));
      const rejectedInLog = rows.filter((x) => x.type === 'intake.rejected').length;
      const missing = [...tally.accepted].filter((s) => !received.has(s));
      const extra = [...received].filter((s) => !tally.accepted.has(s));
      const totalRejected = [...tally.rejected.values()].reduce((a, b) => a + b, 0);
      const t0 = performance.now();
      const summary = await verifyDatabase(handle.db);
      check = {
        acceptedAnswers: tally.accepted.size,
        receivedInLog: received.size,
        acceptedMissingFromLog: missing.length,
        receivedWithoutAcceptedAnswer: extra.length,
        rejectedAnswers: totalRejected,
        rejectedInLog,
        verify: { ...summary, ms: Math.round(performance.now() - t0) },
      };
      log(`check: ${JSON.stringify(check)}`);
      if (missing.length > 0 || extra.length > 0 || rejectedInLog !== totalRejected) {
        throw new Error(`The log does not match the answers: ${JSON.stringify(check)}`);
      }
    } finally {
      await handle.close();
    }

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
      server: bdb.server,
      options: { motors, connections, seconds, warmup, shipmentSize: intFromEnv('INTAKE_SHIPMENT_SIZE', 50) },
      setup: { entries: info.entries, ms: info.setupMs },
      warmup: { scans: w.requests.total, rate },
      run: {
        scans: r.requests.total,
        durationS: r.elapsedS,
        accepted,
        rejected,
        rejectedCodes: Object.fromEntries(tally.rejected),
        statuses: Object.fromEntries(tally.statuses),
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        acceptedPerSecond: acceptedRate,
        latencyMs: {
          p50: r.latency.p50,
          p90: r.latency.p90,
          p99: r.latency.p99,
          max: r.latency.max,
          mean: r.latency.average,
        },
      },
      check,
      target: {
        acceptedPerSecond: 2000,
        p99Ms: 50,
        met: acceptedRate >= 2000 && r.latency.p99 < 50 && r.errors === 0 && r.non2xx === 0,
      },
    };
    const file = process.env.INTAKE_RESULTS_FILE || 'bench/results/intake.json';
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      `| Intake scans over HTTP, ${connections} connections, ${r.requests.total} scans in ${r.elapsedS.toFixed(1)} s | ` +
        `${acceptedRate.toFixed(0)} accepted/s (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms) | ` +
        `≥ 2,000/s, p99 < 50 ms | ${results.target.met ? 'met' : '**NOT met**'} |\n`,
    );
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    await bdb.drop().catch((err: unknown) => log(`could not drop ${bdb.name}: ${String(err)}`));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `intake bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
