// The screens' budgets (issue 10), measured in Debian's Chromium against the real `motor-ledger serve` over the
// 10,000-motor demo: `npm run bench:screens`. Not timed tests: a measurement, written to
// bench/results/screens-<embedded|postgres>.json and recorded in docs/PERFORMANCE.md.
//
//   explorer first load   a fresh browser (empty cache) opens /trace: ms from navigation start until the search
//                         box is on screen and usable (the shell and the explorer's chunk loaded and run)
//   motor / vehicle page  from a click on a link inside the explorer until the page shows the motor's timeline /
//                         the vehicle's slots (client-side navigation: what a person does)
//   scan verdict          at the dock, from the Enter of the scanner to the verdict naming that serial on screen
//   intake JavaScript     the JavaScript the dock screen downloads, gzipped (level 9)
//
// Every time is taken inside the page (performance.now, a MutationObserver), so the harness's own round trips are
// not counted. Environment: SCREENS_MOTORS (10,000), SCREENS_DB (embedded | postgres, with BENCH_DATABASE_URL),
// SCREENS_ROUNDS (30 page navigations each), SCREENS_SCANS (120).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createBenchDatabase } from './database.js';
import { type Latency, latencySummary, log } from './stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BUDGETS = {
  explorerFirstLoadMs: 1500,
  motorPageMs: 300,
  vehiclePageMs: 300,
  scanVerdictP95Ms: 150,
  intakeJsGzipKb: 150,
};

function intFromEnv(name: string, def: number): number {
  const raw = process.env[name];
  return raw ? Number(raw.replaceAll('_', '')) : def;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')}: ${out}`)),
    );
  });
}

async function startServe(env: NodeJS.ProcessEnv, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${err}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return child;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`serve not ready: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function token(url: string, role: string, sites: string[]): Promise<string> {
  const res = await fetch(`${url}/v1/dev/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, sites }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function post(url: string, bearer: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

/** `count` motors produced, tested, loaded on trucks of 24 and sent to Dieppe: what the dock will scan. */
async function trucksOnTheRoad(
  url: string,
  count: number,
): Promise<{ serial: string; shipmentId: string }[]> {
  const producer = await token(url, 'producer', ['CLEON']);
  const logistics = await token(url, 'logistics', ['CLEON']);
  const queue: { serial: string; shipmentId: string }[] = [];
  for (let truck = 0; queue.length < count; truck++) {
    const shipmentId = `SHP-BENCH-${String(truck).padStart(3, '0')}`;
    const serials = Array.from({ length: Math.min(24, count - queue.length) }, (_, i) => {
      const n = truck * 24 + i;
      return `${n % 3 === 2 ? '6AM' : '7DL'}-9${String(n).padStart(6, '0')}`;
    });
    for (const serial of serials) {
      await post(url, producer, '/v1/motors', {
        serial,
        motorType: serial.slice(0, 3),
        line: 'L2',
        station: 'ST-40',
        shift: 'A',
        operator: 'OP-7731',
        workOrder: 'WO-BENCH',
        lots: {
          rotor: 'ROT-B-1',
          stator: 'STA-B-1',
          magnets: 'MAG-B-1',
          bearing: 'BRG-B-1',
          inverter: 'INV-B-1',
        },
      });
      await post(url, producer, `/v1/motors/${serial}/tests`, {
        bench: 'EOL-3',
        specVersion: 'SPEC-4.2',
        verdict: 'PASS',
        measurements: { torqueNm: 412.5, backEmfV: 231.2, insulationMOhm: 850 },
      });
    }
    await post(url, logistics, '/v1/shipments', {
      shipmentId,
      asn: `ASN-BENCH-${truck}`,
      to: 'DIEPPE',
      racks: [{ rack: `RK-B${truck}`, serials }],
    });
    await post(url, logistics, `/v1/shipments/${shipmentId}/departure`, {
      carrier: 'GEFCO',
      truck: 'FR-123-AB',
      seal: `SEAL-B${truck}`,
    });
    for (const serial of serials) queue.push({ serial, shipmentId });
  }
  return queue;
}

/** A page signed in as `bearer` (the token where the login page puts it). */
async function signedInPage(browser: Browser, url: string, bearer: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({ baseURL: url, viewport: { width, height: 800 } });
  await context.addInitScript(`localStorage.setItem('motor-ledger.session', ${JSON.stringify(bearer)})`);
  return context.newPage();
}

/**
 * Click a link to `href` inside the page (the router navigates without a reload) and return the ms until
 * `done` (a JavaScript expression) holds, measured in the page.
 */
async function navigateAndTime(page: Page, href: string, done: string): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const a = document.createElement('a');
    a.href = ${JSON.stringify(href)};
    a.textContent = 'go';
    document.querySelector('main').append(a);
    const t0 = performance.now();
    const check = () => { if (${done}) { obs.disconnect(); clearTimeout(timer); resolve(performance.now() - t0); } };
    const obs = new MutationObserver(check);
    obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    const timer = setTimeout(() => { obs.disconnect(); reject(new Error('not shown in 10 s: ' + ${JSON.stringify(href)})); }, 10000);
    a.click();
  })`);
}

interface Result {
  date: string;
  machine: { cpus: number; model: string };
  db: string;
  motors: number;
  explorerFirstLoadMs: Latency;
  motorPageMs: Latency;
  vehiclePageMs: Latency;
  scanVerdictMs: Latency;
  intakeJsGzipKb: number;
  intakeJsFiles: { file: string; bytes: number; gzip: number }[];
  budgets: typeof BUDGETS;
}

async function main(): Promise<void> {
  const motors = intFromEnv('SCREENS_MOTORS', 10_000);
  const rounds = intFromEnv('SCREENS_ROUNDS', 30);
  const scans = intFromEnv('SCREENS_SCANS', 120);
  const dbKind = process.env.SCREENS_DB === 'postgres' ? 'postgres' : 'embedded';
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-bench-screens-'));
  const bdb =
    dbKind === 'postgres'
      ? await createBenchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
      : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...(bdb ? { DATABASE_URL: bdb.url } : {}),
    ...(process.env.WEB_DIR ? { WEB_DIR: process.env.WEB_DIR } : {}),
  };
  log(`screens bench: ${motors.toLocaleString('en')}-motor demo on ${dbKind}`);
  const reportFile = join(dataDir, 'demo.json');
  await run(['demo', '--motors', String(motors), '--report', reportFile], env);
  const demo = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    planted: { defect: { serials: string[] }; failingVins: string[] };
  };
  const server = await startServe(env, url);
  const browser = await chromium.launch({
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
  try {
    const quality = await token(url, 'quality', ['*']);
    const intake = await token(url, 'intake', ['DIEPPE']);

    // Explorer, first load in a fresh context each round (empty cache, as a first visit).
    const firstLoads: number[] = [];
    for (let i = 0; i < Math.min(rounds, 10); i++) {
      const page = await signedInPage(browser, url, quality);
      await page.goto('/trace');
      await page.waitForSelector('[role=search] input:not([disabled])');
      firstLoads.push(await page.evaluate('performance.now()'));
      await page.context().close();
    }
    log(`explorer first load: ${latencySummary(firstLoads).p50.toFixed(0)} ms median`);

    // Motor and vehicle pages, navigated to from inside the explorer.
    const page = await signedInPage(browser, url, quality);
    await page.goto('/trace');
    await page.waitForSelector('[role=search] input');
    const serials = demo.planted.defect.serials.slice(0, rounds);
    const vins = demo.planted.failingVins.slice(0, rounds);
    const motorMs: number[] = [];
    for (const s of serials) {
      motorMs.push(
        await navigateAndTime(
          page,
          `/trace/motors/${s}`,
          `document.querySelector('h1')?.textContent.includes(${JSON.stringify(s)}) && document.querySelectorAll('[data-entry-seq]').length > 0`,
        ),
      );
    }
    const vehicleMs: number[] = [];
    for (const v of vins) {
      vehicleMs.push(
        await navigateAndTime(
          page,
          `/trace/vehicles/${v}`,
          `document.querySelector('h1')?.textContent.includes(${JSON.stringify(v)}) && document.querySelectorAll('[data-slot]').length > 0`,
        ),
      );
    }
    log(
      `motor page p95 ${latencySummary(motorMs).p95.toFixed(0)} ms; vehicle page p95 ${latencySummary(vehicleMs).p95.toFixed(0)} ms`,
    );

    // The dock: JavaScript downloaded, then scans of the motors of the trucks on the road to Dieppe.
    const dock = await signedInPage(browser, url, intake, 400);
    await dock.context().addInitScript(`localStorage.setItem('motor-ledger.dock', 'D3')`);
    const scripts: { file: string; bytes: number; gzip: number }[] = [];
    dock.on('response', async (r) => {
      if (r.request().resourceType() !== 'script') return;
      const body = await r.body();
      scripts.push({
        file: new URL(r.url()).pathname,
        bytes: body.length,
        gzip: gzipSync(body, { level: 9 }).length,
      });
    });
    // Trucks on the road to Dieppe, made through the API as Cléon would (the demo's trucks have all arrived).
    const queue = await trucksOnTheRoad(url, scans);
    const verdictMs: number[] = [];
    let current = '';
    for (const { serial, shipmentId } of queue.slice(0, scans)) {
      if (shipmentId !== current) {
        await dock.goto(`/dock/${shipmentId}`);
        await dock.waitForSelector('input[name=serial]');
        current = shipmentId;
      }
      await dock.fill('input[name=serial]', serial);
      const timing = dock.evaluate(`new Promise((resolve, reject) => {
        let t0 = 0;
        document.addEventListener('keydown', (e) => { if (e.key === 'Enter') t0 = e.timeStamp; }, { capture: true, once: true });
        const done = () => [...document.querySelectorAll('[data-verdict]')].some((el) => el.textContent.includes(${JSON.stringify(serial)}) && el.getAttribute('data-verdict') !== 'PENDING');
        const obs = new MutationObserver(() => { if (t0 && done()) { obs.disconnect(); resolve(performance.now() - t0); } });
        obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        setTimeout(() => { obs.disconnect(); reject(new Error('no verdict in 10 s for ${serial}')); }, 10000);
      })`);
      await dock.press('input[name=serial]', 'Enter');
      verdictMs.push((await timing) as number);
    }
    await new Promise((r) => setTimeout(r, 200));
    const seen = new Map(scripts.map((s) => [s.file, s]));
    const intakeJs = [...seen.values()];
    const intakeKb = intakeJs.reduce((a, s) => a + s.gzip, 0) / 1024;
    log(
      `scan verdict p95 ${latencySummary(verdictMs).p95.toFixed(0)} ms over ${verdictMs.length}; intake JS ${intakeKb.toFixed(1)} KB gzipped`,
    );

    const result: Result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown' },
      db: dbKind,
      motors,
      explorerFirstLoadMs: latencySummary(firstLoads),
      motorPageMs: latencySummary(motorMs),
      vehiclePageMs: latencySummary(vehicleMs),
      scanVerdictMs: latencySummary(verdictMs),
      intakeJsGzipKb: Number(intakeKb.toFixed(1)),
      intakeJsFiles: intakeJs,
      budgets: BUDGETS,
    };
    const out = join(ROOT, `bench/results/screens-${dbKind}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    const row = (name: string, value: number, budget: number, unit: string) =>
      `| ${name} | ${value.toFixed(unit === 'KB' ? 1 : 0)} ${unit} | < ${budget} ${unit} | ${value < budget ? 'met' : 'NOT met'} |`;
    console.log(
      [
        '',
        `| budget (${motors.toLocaleString('en')}-motor demo, ${dbKind}) | measured | target | |`,
        '|---|---|---|---|',
        row(
          'explorer first load (median of fresh loads)',
          result.explorerFirstLoadMs.p50,
          BUDGETS.explorerFirstLoadMs,
          'ms',
        ),
        row('motor page after navigation (p95)', result.motorPageMs.p95, BUDGETS.motorPageMs, 'ms'),
        row('vehicle page after navigation (p95)', result.vehiclePageMs.p95, BUDGETS.vehiclePageMs, 'ms'),
        row('scan verdict on screen (p95)', result.scanVerdictMs.p95, BUDGETS.scanVerdictP95Ms, 'ms'),
        row('JavaScript of the intake screen (gzip)', result.intakeJsGzipKb, BUDGETS.intakeJsGzipKb, 'KB'),
        '',
        `written to ${out}`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await bdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
