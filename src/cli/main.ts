#!/usr/bin/env node
// The motor-ledger command: serve, migrate, export, verify, keygen. Configuration comes from the environment
// (src/config.ts); exit codes: 0 ok, 1 verification failed or refused, 2 usage or configuration error.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { LedgerError } from '../core/errors.js';
import { VerificationError } from '../core/verifier.js';
import { generateSigningJwk, signerFromJwk } from '../ledger/signing.js';
import type { VerifyVerdict } from '../verify/anchors.js';
import { progress } from './progress.js';

// Heavy modules (HTTP server, PGlite, the domain) load only in the commands that use them, so `verify` of a
// large export stays within its memory budget.
const load = {
  app: () => import('../http/app.js'),
  auth: () => import('../auth/tokens.js'),
  db: () => import('../db/connect.js'),
  domain: () => import('../domain/domain.js'),
  rebuild: () => import('../domain/rebuild.js'),
  ledger: () => import('../ledger/ledger.js'),
  exporter: () => import('../verify/export.js'),
  verify: () => import('../verify/verify.js'),
  anchors: () => import('../verify/anchors.js'),
  proof: () => import('../verify/proof.js'),
};

import { addEpcisExportOptions, type EpcisExportOptions, exportEpcisCommand } from './epcis-export.js';
import { registerTokenCommand } from './token.js';

const program = new Command()
  .name('motor-ledger')
  .description('Append-only, hash-chained traceability ledger for electric motors (Cléon → Dieppe).')
  .showHelpAfterError();

program
  .command('serve')
  .description('Run the HTTP server (embedded PGlite under DATA_DIR unless DATABASE_URL is set)')
  .action(async () => {
    const config = loadConfig();
    // The HTTP layer loads while the database opens.
    const modules = Promise.all([load.auth(), load.domain(), load.app()]);
    modules.catch(() => {}); // awaited below; a failure to open the ledger must not leave it unhandled
    const { openLedger } = await load.ledger();
    const ledger = await openLedger({ config });
    const [{ createAuthFromConfig }, { loadCatalog }, { buildApp }] = await modules;
    const auth = await createAuthFromConfig(config);
    const catalog = loadCatalog(config.CATALOG_FILE);
    const app = await buildApp({
      ledger,
      catalog,
      config,
      verifier: auth.verifier,
      mintDevToken: auth.mint,
      logger: { level: config.LOG_LEVEL ?? 'info' },
    });
    // Start-up says what it must in the log's JSON, as every later line (an operator's collector reads it).
    if (ledger.devKeyCreated) {
      app.log.warn(
        { kid: ledger.signer.kid },
        'A NEW DEV SIGNING KEY was created. Set SIGNING_KEY_FILE in production.',
      );
    }
    if (auth.devMode) {
      app.log.warn(
        { kid: auth.devKid, dataDir: config.DATA_DIR },
        'AUTH DEV MODE: tokens are verified with a local key. Mint one with "motor-ledger token --role intake --site DIEPPE". Set AUTH_JWKS_URL or AUTH_JWKS_FILE in production.',
      );
    }
    const { serveMetrics } = await import('../http/observe.js');
    const metricsServer =
      config.METRICS_PORT > 0
        ? await serveMetrics(app.metrics, config.METRICS_PORT, config.METRICS_HOST ?? '127.0.0.1')
        : undefined;
    if (metricsServer)
      app.log.info(
        { port: config.METRICS_PORT, host: config.METRICS_HOST },
        'metrics served without a token',
      );
    const shutdown = async (signal: string) => {
      app.log.info({ signal }, 'shutting down: finishing queued writes and checkpointing');
      metricsServer?.close();
      await app.close();
      await ledger.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    const address = await app.listen({ port: config.PORT, host: config.HOST ?? '127.0.0.1' });
    // A second process on this DATA_DIR is told where to reach this one.
    ledger.handle.lock?.announce({ url: address });
    app.log.info(
      `motor-ledger on ${ledger.handle.location}; OpenAPI at http://${config.HOST}:${config.PORT}/docs`,
    );
  });

program
  .command('migrate')
  .description('Apply pending database migrations')
  .action(async () => {
    const config = loadConfig();
    const { openDatabase, migrateToLatest } = await load.db();
    const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
    try {
      const applied = await migrateToLatest(handle.db);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
    } finally {
      await handle.close();
    }
  });

const exportCommand: Command = program
  .command('export')
  .description(
    'Write entries.ndjson, checkpoints.jws and jwks.json for an auditor (or an EPCIS document: --epcis)',
  )
  .option('-o, --out <dir>', 'output directory (required without --epcis)')
  .option('--no-checkpoint', 'do not sign a checkpoint of the tail first')
  .action(async (opts: { out?: string; checkpoint: boolean } & EpcisExportOptions) => {
    if (opts.epcis !== undefined) return exportEpcisCommand({ ...opts, epcis: opts.epcis });
    if (opts.out === undefined)
      return exportCommand.error("error: required option '-o, --out <dir>' not specified");
    const config = loadConfig();
    const { openLedger } = await load.ledger();
    let ledger: Awaited<ReturnType<typeof openLedger>>;
    try {
      ledger = await openLedger({ config });
    } catch (err) {
      // A dev-mode server holds the embedded directory: export through its API instead of refusing.
      const holder = (err as { holder?: { url?: string; command?: string; pid?: number } }).holder;
      const devMode = config.AUTH_JWKS_URL === undefined && config.AUTH_JWKS_FILE === undefined;
      if ((err as { code?: string }).code !== 'DATA_DIR_LOCKED' || !holder?.url || !devMode) throw err;
      const { loadOrCreateDevAuthKey, mintToken } = await load.auth();
      const key = await loadOrCreateDevAuthKey(config.DATA_DIR ?? './.motor-ledger');
      const token = await mintToken(key.privateJwk, {
        sub: 'motor-ledger-export',
        roles: ['auditor'],
        sites: [],
        brands: ['*'],
        ttlSeconds: 600,
        issuer: config.AUTH_ISSUER ?? 'motor-ledger-dev',
        audience: config.AUTH_AUDIENCE ?? 'motor-ledger',
      });
      const { exportOverHttp } = await load.exporter();
      const counts = await exportOverHttp(holder.url, token, opts.out);
      console.log(
        `Exported ${counts.entries} entries and ${counts.checkpoints} checkpoints to ${opts.out} through the API of ` +
          `the ${holder.command} (pid ${holder.pid}) that holds ${config.DATA_DIR} (${holder.url}).`,
      );
      return;
    }
    try {
      const { exportLedger, signTailCheckpoint } = await load.exporter();
      if (opts.checkpoint) await signTailCheckpoint(ledger.sequencer);
      const bar = progress('export');
      const counts = await exportLedger(ledger.handle.db, opts.out, (n) => bar.update(n, undefined));
      bar.stop();
      console.log(`Exported ${counts.entries} entries and ${counts.checkpoints} checkpoints to ${opts.out}`);
    } finally {
      await ledger.close();
    }
  });

addEpcisExportOptions(exportCommand);

program
  .command('verify')
  .description(
    'Verify an export offline (default) or a live database (--db), naming the first bad seq or checkpoint',
  )
  .argument('[dir]', 'export directory with entries.ndjson, checkpoints.jws, jwks.json')
  .option('--entries <file>', 'entries NDJSON')
  .option('--checkpoints <file>', 'checkpoints, one JWS per line')
  .option('--jwks <file>', "the export's JWKS (not used with --trusted-keys)")
  .option(
    '--trusted-keys <file>',
    'JWKS you obtained out of band: every checkpoint must be signed by one of its keys',
  )
  .option(
    '--known-checkpoints <file>',
    'checkpoints you kept from before (JWS lines, or JSON of /v1/ledger/checkpoint): the log must still contain each',
  )
  .option('--origin <origin>', 'the log origin to expect (default: that of the known checkpoints)')
  .option('--db', 'verify the live database given by DATABASE_URL (or the embedded one)')
  .option('--strict', 'require each entry to be exactly its RFC 8785 form (the default)')
  .addOption(
    new Option(
      '--no-strict',
      'skip the check that each entry is exactly its RFC 8785 form (and so the refusal of duplicate member names)',
    ),
  )
  .action(
    async (
      dir: string | undefined,
      opts: {
        entries?: string;
        checkpoints?: string;
        jwks?: string;
        trustedKeys?: string;
        knownCheckpoints?: string;
        origin?: string;
        db?: boolean;
        strict?: boolean;
      },
    ) => {
      const { readCheckpointFile, readJwksFile } = await load.anchors();
      const anchors = {
        ...(opts.trustedKeys ? { trustedKeys: readJwksFile(opts.trustedKeys, 'trusted keys') } : {}),
        ...(opts.knownCheckpoints
          ? { knownCheckpoints: readCheckpointFile(opts.knownCheckpoints, 'known checkpoints') }
          : {}),
        ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
      };
      const base = dir ?? '.';
      const files = {
        entries: opts.entries ?? join(base, 'entries.ndjson'),
        checkpoints: opts.checkpoints ?? join(base, 'checkpoints.jws'),
        jwks: opts.jwks ?? join(base, 'jwks.json'),
      };
      if (!opts.db && !existsSync(files.entries)) {
        throw new LedgerError(
          'INPUT_NOT_READABLE',
          `No export at ${files.entries} (expected entries.ndjson, checkpoints.jws and jwks.json, as written by "motor-ledger export").`,
        );
      }
      // An export's progress is in bytes of its entries file (its entry count is unknown until the end).
      const bar = opts.db ? progress('verify') : progress('verify', 'MiB');
      const onProgress = opts.db
        ? (done: number, total: number | undefined) => bar.update(done, total)
        : (done: number, total: number | undefined) =>
            bar.update(mib(done), total === undefined ? undefined : mib(total));
      try {
        let verdict: VerifyVerdict;
        if (opts.db) {
          const config = loadConfig();
          const { openDatabase } = await load.db();
          const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
          try {
            const { verifyDatabase } = await load.verify();
            verdict = await verifyDatabase(handle.db, {
              onProgress,
              strictCanonical: opts.strict ?? true,
              ...anchors,
            });
          } finally {
            await handle.close();
          }
        } else {
          const { verifyExport } = await load.verify();
          verdict = await verifyExport(files, {
            onProgress,
            strictCanonical: opts.strict ?? true,
            ...anchors,
          });
        }
        bar.stop();
        console.log(describeVerdict(verdict, opts.db ? 'database' : 'export'));
      } catch (err) {
        bar.stop();
        if (err instanceof VerificationError) {
          console.error(`FAILED at ${err.where} [${err.code}]: ${err.message}`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
    },
  );

function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

// The verdict: what was verified, and what it is anchored to. Relying on the log's own keys is said loudly: anyone
// who rewrote the log could have re-signed it with a key of their own.
function describeVerdict(v: VerifyVerdict, source: 'export' | 'database'): string {
  const lines = [
    `OK: ${v.entries} entries, ${v.checkpointsVerified} signed checkpoints verified, root ${v.root}` +
      (v.uncovered > 0 ? `; ${v.uncovered} entries after the last checkpoint are not yet signed` : ''),
  ];
  if (v.entries > 0 && v.lastCheckpointSize === 0) {
    lines.push(
      'WARNING: NO SIGNATURE covers any entry: the log has no checkpoint. Its content is unattested.',
    );
  }
  const signers = v.trust.signers.join(', ') || 'none';
  if (v.trust.keys === 'trusted') {
    lines.push(`Signatures: by your trusted keys (${signers}).`);
  } else {
    lines.push(
      `WARNING: NOT ANCHORED. Signatures were checked only against the ${source === 'export' ? "export's own jwks.json" : "database's own signing_key table"} (${signers}): ` +
        'whoever rewrote the log could have re-signed it with a key of their own. Pass --trusted-keys <JWKS obtained out of band>.',
    );
  }
  if (v.trust.knownCheckpoints > 0) {
    const n = v.trust.knownCheckpoints;
    lines.push(`Consistent with ${n} checkpoint${n === 1 ? '' : 's'} you kept.`);
  } else {
    lines.push(
      'No known checkpoints given: pass --known-checkpoints <file> with checkpoints you kept, so that a rewritten history cannot pass.',
    );
  }
  if (v.origin !== undefined) lines.push(`Origin: ${v.origin}`);
  return lines.join('\n');
}

program
  .command('verify-proof')
  .description(
    'Check one inclusion or consistency proof (the JSON of /v1/ledger/proof/…) against signed checkpoints and your trusted keys',
  )
  .argument('<proof>', 'the proof answer as JSON (a file, or - for stdin)')
  .requiredOption('--trusted-keys <file>', 'JWKS you obtained out of band')
  .option(
    '--checkpoint <file>',
    "a file of signed checkpoints (one JWS per line, or the JSON of /v1/ledger/checkpoint); repeatable. Inclusion: the one of treeSize (default: the proof's own); consistency: those of size1 and size2",
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .option(
    '--entry <file>',
    "inclusion: the entry's exact bytes (GET /v1/ledger/entries/{seq}); must hash to leafHash",
  )
  .option('--origin <origin>', 'the log origin to expect')
  .action(
    async (
      proofFile: string,
      opts: { trustedKeys: string; checkpoint?: string[]; entry?: string; origin?: string },
    ) => {
      const { verifyProofFiles } = await load.proof();
      try {
        const verdict = await verifyProofFiles(proofFile, opts);
        console.log(verdict);
      } catch (err) {
        if (err instanceof LedgerError && err.code !== 'INPUT_NOT_READABLE') {
          console.error(`FAILED [${err.code}]: ${err.message}`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
    },
  );

program
  .command('rebuild')
  .description(
    'Replay the log into fresh projection tables and compare them with the live ones (--swap replaces them)',
  )
  .option('--swap', 'replace the live projections with the rebuilt ones (under the writers’ lock)')
  .action(async (opts: { swap?: boolean }) => {
    const config = loadConfig();
    const { openDatabase, migrateToLatest } = await load.db();
    const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
    const bar = progress('rebuild');
    try {
      await migrateToLatest(handle.db);
      const { rebuildProjections } = await load.rebuild();
      const report = await rebuildProjections(handle.db, {
        swap: opts.swap,
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      const diff = Object.values(report.differences).reduce((a, b) => a + b, 0);
      const rows = Object.entries(report.rows)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      console.log(`Replayed ${report.entries} entries into ${rows}.`);
      if (diff === 0) console.log('The live projections equal the replay, row for row.');
      else {
        console.log(
          `${diff} rows differ: ${JSON.stringify(report.differences)}.${opts.swap ? ' The live projections were replaced.' : ' Run with --swap to replace them.'}`,
        );
        if (!opts.swap) process.exitCode = 1;
      }
    } finally {
      bar.stop();
      await handle.close();
    }
  });

program
  .command('keygen')
  .description('Write a new private Ed25519 JWK for SIGNING_KEY_FILE and print its kid')
  .argument('<file>', 'where to write the private key (mode 0600)')
  .action(async (file: string) => {
    const jwk = await generateSigningJwk();
    writeFileSync(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
    console.log(`kid ${(await signerFromJwk(jwk)).kid} written to ${file}`);
  });

registerTokenCommand(program);

// `demo` pulls in the generator (half a second to load): register it only when it is asked for, or for help.
const asked = process.argv[2];
if (asked === undefined || asked === 'demo' || asked === 'help' || asked.startsWith('-')) {
  const { registerDemoCommand } = await import('./demo.js');
  registerDemoCommand(program);
}

program.parseAsync().catch((err: unknown) => {
  if (err instanceof LedgerError) {
    console.error(`motor-ledger: [${err.code}] ${err.message}`);
    process.exitCode = 2;
  } else {
    console.error(err);
    process.exitCode = 2;
  }
});
