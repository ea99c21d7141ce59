// The screens as a person meets them: the real `motor-ledger serve` (the compiled CLI, as `npm start` runs
// it) on the embedded default or on a fresh PostgreSQL database, filled by `motor-ledger demo --scenario docs`,
// and Debian's Chromium driven by playwright-core. `npm test` builds first (pretest), so dist/ is current.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { createTestDatabase, hasServer, type TestDatabase } from '../../support/db.js';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Which database the server runs on. */
export type ServerDb = 'embedded' | 'postgres';

/** The databases this run can test the screens on (PostgreSQL only when the run has a server). */
export const SERVER_DBS: ServerDb[] = hasServer ? ['embedded', 'postgres'] : ['embedded'];

/** The part of `demo --report` the screens' tests use: what the demo planted. */
export interface DemoReport {
  planted: {
    defect: { component: string; lot: string; line: string; serials: string[] };
    failingVins: string[];
    noiseVins: string[];
    fieldReports: string[];
    /** The flow anomalies (reconciliation at endTime). */
    neverArrived: { serial: string; shipmentId: string };
    unexpectedScan: { serial: string; shipmentId: string; onShipmentId: string };
    incompleteVin: string;
    asnMismatch: { shipmentId: string; missing: string[] };
  };
  endTime: string;
}

export interface RunningServer {
  url: string;
  db: ServerDb;
  dataDir: string;
  /** What `demo --report` wrote: the planted lot, the failing VINs… */
  demo: DemoReport;
  /** A bearer token from the dev login endpoint (what the login page does). */
  token(role: string, sites: string[], sub?: string): Promise<string>;
  /** Call the API as `token`; throws on a status other than `expect` (default 2xx). */
  call<T = Record<string, unknown>>(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T>;
  /** Everything the server printed (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`motor-ledger ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/**
 * Start `motor-ledger serve` over the docs scenario (2,000-motor demo plant plus the docs' trucks and cars).
 * @example const server = await startServer('embedded');
 */
export interface StartOptions {
  /** More configuration for serve (e.g. an identity provider). */
  env?: Record<string, string>;
  /** Fill the ledger with the docs scenario first (default true). */
  demo?: boolean;
  /** Listen on this port (default: a free one). */
  port?: number;
}

export async function startServer(db: ServerDb, options: StartOptions = {}): Promise<RunningServer> {
  if (
    !existsSync(CLI) ||
    !existsSync(join(process.env.E2E_WEB_DIR ?? join(ROOT, 'dist/web'), 'index.html'))
  ) {
    throw new Error('dist/ is not built: run "npm run build" (npm test does it first).');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-e2e-'));
  let tdb: TestDatabase | undefined;
  if (db === 'postgres') {
    tdb = await createTestDatabase();
    await tdb.handle.close();
  }
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CHECKPOINT_INTERVAL_MS: '200',
    // A build of the screens elsewhere than dist/web (several people building at once).
    ...(process.env.E2E_WEB_DIR ? { WEB_DIR: process.env.E2E_WEB_DIR } : {}),
    ...(tdb?.url ? { DATABASE_URL: tdb.url } : {}),
    ...options.env,
  };
  const reportFile = join(dataDir, 'demo-report.json');
  let demo = {} as DemoReport;
  if (options.demo !== false) {
    await run(['demo', '--scenario', 'docs', '--report', reportFile], env);
    demo = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  }

  let output = '';
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`serve did not become ready in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const call = async <T>(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };

  return {
    url,
    db,
    dataDir,
    demo,
    token: async (role, sites, sub) => {
      const res = await fetch(`${url}/v1/dev/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role, sites, ...(sub ? { sub } : {}) }),
      });
      if (!res.ok) throw new Error(`dev token: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    call,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await tdb?.drop();
    },
  };
}

/** Debian's Chromium, headless, with the flags this machine needs. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context signed in as `role` at `sites` (the token is put where the login page puts it).
 * @example const ctx = await signedInContext(browser, server, 'intake', ['DIEPPE'], { width: 360, height: 740 });
 */
export async function signedInContext(
  browser: Browser,
  server: RunningServer,
  role: string,
  sites: string[],
  viewport = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  const token = await server.token(role, sites);
  const context = await browser.newContext({ baseURL: server.url, viewport });
  await context.addInitScript((t: string) => {
    if (!localStorage.getItem('motor-ledger.session')) localStorage.setItem('motor-ledger.session', t);
  }, token);
  return context;
}
