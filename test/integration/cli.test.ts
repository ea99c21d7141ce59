// The motor-ledger command as an auditor and an operator use it, on the embedded default: data survives a
// restart, `export` writes the three files, `verify` passes them and names the seq once they are tampered with.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { logSize } from '../../src/ledger/reader.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { cliRunner } from '../support/cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ml-cli-'));
const env = { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, CHECKPOINT_INTERVAL_MS: '0' };
const cli = cliRunner(env);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('embedded default (PGlite under DATA_DIR)', () => {
  it('keeps entries across a restart and they still verify', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, CHECKPOINT_INTERVAL_MS: '0' });
    const first = await openLedger({ config });
    for (let i = 0; i < 30; i++)
      await first.sequencer.append(
        rawCommand(
          aMotorEvent()
            .forSerial(serial(i % 4))
            .build(),
        ),
      );
    const kid = first.signer.kid;
    await first.close(); // signs a checkpoint of the tail on the way out

    const second = await openLedger({ config });
    expect(second.signer.kid).toBe(kid); // the dev key was kept beside the data
    expect(await logSize(second.handle.db)).toBe(30);
    const r = await second.sequencer.append(rawCommand(aMotorEvent().forSerial(serial(1)).build()));
    expect(r.seq).toBe(30);
    expect(r.envelope?.prev['motor:7DL-000001']?.seq).toBe(29);
    await second.close();
  });

  it('exports and verifies offline, then names the seq of a tampered entry and exits 1', async () => {
    const out = join(dataDir, 'export');
    const exported = await cli('export', '--out', out);
    expect(exported.stdout).toMatch(/Exported 31 entries/);
    const ok = await cli('verify', out);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: 31 entries, \d+ signed checkpoints verified/);
    // Only the export's own keys: the verdict says so loudly. Keys given out of band anchor it.
    expect(ok.stdout).toMatch(/WARNING: NOT ANCHORED/);
    const kept = join(dataDir, 'kept.json'); // as GET /v1/ledger/checkpoint answers
    const [jws] = readFileSync(join(out, 'checkpoints.jws'), 'utf8').trim().split('\n').slice(-1);
    writeFileSync(kept, JSON.stringify({ size: 31, jws }));
    const anchored = await cli(
      'verify',
      out,
      '--trusted-keys',
      join(out, 'jwks.json'),
      '--known-checkpoints',
      kept,
    );
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toMatch(/Signatures: by your trusted keys/);
    expect(anchored.stdout).toMatch(/Consistent with 1 checkpoint you kept/);
    expect(anchored.stdout).not.toMatch(/NOT ANCHORED/);

    const file = join(out, 'entries.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[9] = lines[9]!.replace('"shift":"A"', '"shift":"B"');
    writeFileSync(file, lines.join('\n'));
    const bad = await cli('verify', out);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/FAILED at seq 9 \[LEAF_HASH_MISMATCH\]/);
  }, 60_000);

  it('says in one line, exit 2, that there is no export where it was asked to look', async () => {
    const res = await cli('verify', join(dataDir, 'nonexistent'));
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/No export at .*nonexistent.*entries\.ndjson/);
    expect(res.stderr).not.toMatch(/ENOENT|at .*\.js:\d+/);
    const noKeys = await cli(
      'verify',
      join(dataDir, 'export'),
      '--trusted-keys',
      join(dataDir, 'missing.json'),
    );
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('verifies the live embedded database', async () => {
    const res = await cli('verify', '--db');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^OK: 31 entries/);
  }, 60_000);
});

describe('motor-ledger demo on the embedded default', () => {
  const demoDir = mkdtempSync(join(tmpdir(), 'ml-demo-'));
  const demoEnv = { ...process.env, DATABASE_URL: '', DATA_DIR: demoDir, CHECKPOINT_INTERVAL_MS: '0' };
  const demo = cliRunner(demoEnv);
  afterAll(() => rmSync(demoDir, { recursive: true, force: true }));

  it('generates a plant, says what it planted, refuses to run twice on the same log, and the log verifies', async () => {
    const first = await demo('demo', '--motors', '500', '--report', join(demoDir, 'report.json'));
    expect(first.code).toBe(0);
    const report = JSON.parse(readFileSync(join(demoDir, 'report.json'), 'utf8'));
    expect(first.stdout).toContain(report.planted.defect.lot);
    const again = await demo('demo', '--motors', '500');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/LOG_NOT_EMPTY/);
    const verified = await demo('verify', '--db');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`^OK: ${report.events} entries`));
  }, 120_000);
});
