// The embedded database is opened by one process at a time: a second opener of the same DATA_DIR (another
// server, demo, export, verify --db) stops at once naming the holder, and writes nothing; a lock left by a
// process that died frees itself.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { DataDirLockedError } from '../../src/db/data-dir-lock.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { logSize } from '../../src/ledger/reader.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { newSerial, produceBody } from '../support/plant.js';

const run = promisify(execFile);
const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ml-lock-'));
  dirs.push(d);
  return d;
};
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const cliArgs = (...args: string[]) => ['--import', 'tsx', 'src/cli/main.ts', ...args];
const envFor = (dataDir: string) => ({
  ...process.env,
  DATABASE_URL: '',
  DATA_DIR: dataDir,
  CHECKPOINT_INTERVAL_MS: '0',
  PORT: '0',
  LOG_LEVEL: 'info',
});

describe('one process at a time on an embedded DATA_DIR', () => {
  it('refuses a second opener in this process, naming the holder, and lets it in once the first closes', async () => {
    const dataDir = freshDir();
    const config = loadConfig({ DATA_DIR: dataDir, CHECKPOINT_INTERVAL_MS: '0' });
    const first = await openLedger({ config });
    await first.sequencer.append(rawCommand(aMotorEvent().forSerial(serial(1)).build()));

    const second = openDatabase({ dataDir, command: 'export' });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      message: expect.stringContaining(`pid ${process.pid}`),
    });

    await first.close();
    const again = await openDatabase({ dataDir });
    expect(await logSize(again.db)).toBe(1);
    await again.close();
  });

  it('stops `demo` beside a running server at once, names the server and its address, and the server keeps its log', async () => {
    const dataDir = freshDir();
    const metricsPort = await freePort();
    const server = spawn(process.execPath, cliArgs('serve'), {
      env: { ...envFor(dataDir), METRICS_PORT: String(metricsPort) },
      stdio: 'pipe',
    });
    children.push(server);
    let out = '';
    const address = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (listening?.[1] && out.includes('OpenAPI at')) resolve(listening[1]);
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      server.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
    });
    expect((await fetch(`${address}/readyz`)).status).toBe(200);
    // The start-up says everything as JSON log lines (the dev-mode warnings included), nothing as plain text;
    // the metrics port answers without a token (docs/operations.md).
    const lines = out.split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AUTH DEV MODE/)]),
    );
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('motor_ledger_log_entries');

    const started = Date.now();
    const demo = await run(process.execPath, cliArgs('demo', '--motors', '500'), {
      env: envFor(dataDir),
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/DATA_DIR_LOCKED/);
    expect(demo.stderr).toContain(`pid ${server.pid}`);
    expect(demo.stderr).toContain(address);
    expect(Date.now() - started).toBeLessThan(8000); // at once, not after waiting for a stale lock

    const ready = await fetch(`${address}/readyz`);
    expect(ready.status).toBe(200);

    // What needs no database file of its own works beside the server: a token, and an export through its API.
    const cli = (...args: string[]) =>
      run(process.execPath, cliArgs(...args), { env: envFor(dataDir) }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const token = (await cli('token', '--role', 'producer', '--site', 'CLEON')).stdout.trim();
    const produced = await fetch(`${address}/v1/motors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(produceBody(newSerial())),
    });
    expect(produced.status).toBe(201);
    const auditDir = join(dataDir, 'audit');
    const exported = await cli('export', '--out', auditDir);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/Exported 1 entries and 1 checkpoints .* through the API of the serve/);
    const verified = await cli('verify', auditDir);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  });

  it('takes over the lock of a process that was killed', async () => {
    const dataDir = freshDir();
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/db/connect.ts').then(async (m) => { await m.openDatabase({ dataDir: ${JSON.stringify(dataDir)} }); console.log('held'); setInterval(() => {}, 1000); })`,
      ],
      { stdio: 'pipe' },
    );
    children.push(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    // The dead holder's lock goes stale (10 s without a refresh) and is taken over: no manual cleanup.
    const handle = await openDatabase({ dataDir });
    expect(handle.lock).toBeDefined();
    await handle.close();
  }, 40_000);
});
