// Every call in the README and the user pages runs as written. The pages start from `motor-ledger demo
// --scenario docs` (src/demo/docs-scenario.ts): the test runs that command once through the CLI into a template
// database, then gives each page a fresh copy of it and a server (in process, on a free port), and runs the
// page's ```sh blocks with bash, in the page's order (then all pages again, one after the other, on one copy): its own token-minting line (`npx motor-ledger …` is the
// CLI from source), then each call, with curl failing on any HTTP error. A block is a call when it runs
// `curl` or `motor-ledger`; blocks that install or start the server (`npm …`) are what the test does itself.
// A sample answer is a ```json or ```text block; the one right after a call must show the verdicts, codes,
// statuses and types the call really answers (JSON), or the lines a CLI really prints, but for its numbers,
// hashes and kids (text).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthFromConfig } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import type { DomainState } from '../../src/core/domain/state.js';
import { loadCatalog } from '../../src/domain/domain.js';
import { buildApp } from '../../src/http/app.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { adminUrl, hasServer } from '../support/db.js';

/** The pages whose calls run, in this order. */
const PAGES = [
  'README.md',
  'docs/intake-operator.md',
  'docs/assembly-station.md',
  'docs/quality-engineer.md',
  'docs/root-cause.md',
  'docs/auditor.md',
];
/** Pages with calls that do not run yet, and why: each moves to PAGES with one line. */
const NOT_YET: Record<string, string> = {};
/** Pages whose calls are not meant for demo data, and why. */
const NOT_FOR_DEMO: Record<string, string> = {
  'docs/PERFORMANCE.md': 'measurement recipes: they start their own server on an empty directory and time it',
};
const SCENARIO = 'npx motor-ledger demo --scenario docs';
/** The address the pages write; each call goes to the test's server instead. */
const PAGE_BASE = 'http://127.0.0.1:3000';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
}

/** The fenced blocks of a Markdown page, in order. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({ line: start + 1, lang: open[1]!, text: body.join('\n') });
  }
  return blocks;
}

const isCall = (b: Block) =>
  b.lang === 'sh' && /\b(curl|motor-ledger)\b/.test(b.text) && !/\bnpm (start|install|test)\b/.test(b.text);

/** The sample answer right after block `i`, if the next block follows with nothing but blank lines between. */
function sampleAfter(markdown: string, blocks: Block[], i: number): Block | undefined {
  const next = blocks[i + 1];
  if (next?.lang !== 'json' && next?.lang !== 'text') return undefined;
  const lines = markdown.split('\n');
  const closing = blocks[i]!.line + blocks[i]!.text.split('\n').length; // 0-based index of the closing fence
  return lines.slice(closing + 1, next.line - 1).every((l) => l.trim() === '') ? next : undefined;
}

/** The "verdict", "code", "status" and "type" values a sample shows, as the server writes them (compact JSON). */
const claims = (sample: string) =>
  [...sample.matchAll(/"(verdict|code|status|type)":\s*("[^"]*"|\d+)/g)].map((m) => `"${m[1]}":${m[2]}`);

/** A line of CLI output as a sample can show it: hashes, kids and tokens as `…`, numbers as `N` (they vary). */
const outputLine = (line: string) =>
  line
    .trim()
    .replace(/[A-Za-z0-9+/_-]{40,}={0,2}/g, '…')
    .replace(/\d+/g, 'N');

// Run in every block: `npx motor-ledger` is the CLI from source (dist may be stale), curl goes to the test's
// server and fails on HTTP errors, and the variables earlier blocks set (TOKEN) are read back.
const PRELUDE = `set -euo pipefail
npx() { if [ "$1" = motor-ledger ]; then shift; node --import "$ML_TSX" "$ML_ROOT/src/cli/main.ts" "$@"; else command npx "$@"; fi; }
curl() {
  local a=() x from='${PAGE_BASE}'
  for x in "$@"; do
    # curl refuses -f beside --fail-with-body: a page's own -f (alone or in -sf) gives way to it.
    if [ "$x" = --fail ]; then continue; fi
    if [[ "$x" =~ ^-[a-zA-Z]+$ ]]; then x="\${x//f/}"; if [ "$x" = - ]; then continue; fi; fi
    a+=("\${x//"$from"/$ML_BASE}")
  done
  command curl --fail-with-body -sS "\${a[@]}"
}
if [ -f "$ML_STATE" ]; then . "$ML_STATE"; fi
`;

interface PageServer {
  base: string;
  databaseUrl: string;
  close(): Promise<void>;
}

let template: string;
let dataDir: string;

const dbUrl = (name: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// A fresh copy of the scenario and a server over it, as `npm start` would run it (dev-mode tokens, the dev key
// under the DATA_DIR the CLI minted with).
async function startPageServer(): Promise<PageServer> {
  const name = `ml_docs_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const config = loadConfig({
    DATABASE_URL: dbUrl(name),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  let ledger: Ledger<DomainState> | undefined;
  let app: FastifyInstance | undefined;
  const close = async () => {
    await app?.close();
    await ledger?.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    ledger = await openLedger({ config });
    const auth = await createAuthFromConfig(config);
    app = await buildApp({ ledger, catalog: loadCatalog(), config, verifier: auth.verifier });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('the server has no port');
    return { base: `http://127.0.0.1:${address.port}`, databaseUrl: config.DATABASE_URL!, close };
  } catch (err) {
    await close();
    throw err;
  }
}

// Run the page's calls in order, each block in its own bash, against `server`.
async function runPage(page: string, server: PageServer): Promise<void> {
  const markdown = readFileSync(join(ROOT, page), 'utf8');
  const blocks = fencedBlocks(markdown);
  const calls = blocks.flatMap((b, i) => (isCall(b) ? [i] : []));
  expect(calls.length, `${page} has no calls`).toBeGreaterThan(0);
  expect(markdown, `${page} says what to run first`).toContain(SCENARIO);
  const work = mkdtempSync(join(tmpdir(), 'ml-docs-page-'));
  // The CLI from source resolves tsx from the working directory in its worker threads (verify).
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  const state = join(work, '.state');
  const assigned = new Set<string>();
  for (const i of calls) {
    const block = blocks[i]!;
    for (const m of block.text.matchAll(/^([A-Za-z_]\w*)=/gm)) assigned.add(m[1]!);
    const save = assigned.size > 0 ? `\ndeclare -p ${[...assigned].join(' ')} > "$ML_STATE"\n` : '\n';
    const where = `${page}:${block.line}`;
    const result = await run('bash', ['-c', `${PRELUDE}${block.text}${save}`], {
      cwd: work,
      env: {
        ...process.env,
        ML_BASE: server.base,
        ML_ROOT: ROOT,
        ML_TSX: TSX,
        ML_STATE: state,
        DATABASE_URL: server.databaseUrl,
        DATA_DIR: dataDir,
      },
      timeout: 30_000,
    }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
      expect.fail(
        `${where}: the block failed (exit ${err.code}):\n${block.text}\n--- stdout\n${err.stdout}\n--- stderr\n${err.stderr}`,
      );
    });
    const sample = sampleAfter(markdown, blocks, i);
    if (!sample) continue;
    if (sample.lang === 'text') {
      const printed = new Set(result.stdout.split('\n').map(outputLine));
      for (const line of sample.text.split('\n').filter((l) => l.trim() !== ''))
        expect(
          printed.has(outputLine(line)),
          `${where}: the sample output shows "${line}"; the call printed:\n${result.stdout}`,
        ).toBe(true);
      continue;
    }
    const answer = result.stdout.replace(/\s+/g, '');
    for (const claim of claims(sample.text))
      expect(answer, `${where}: the sample answer shows ${claim}`).toContain(claim.replace(/\s+/g, ''));
  }
}

describe.skipIf(!hasServer)('the calls in the docs run as written on `demo --scenario docs`', () => {
  beforeAll(async () => {
    template = `ml_docs_scenario_${randomBytes(5).toString('hex')}`;
    dataDir = mkdtempSync(join(tmpdir(), 'ml-docs-'));
    await admin(`CREATE DATABASE ${template}`);
    const [cmd, ...args] = SCENARIO.replace('npx motor-ledger', `node --import ${TSX} src/cli/main.ts`).split(
      ' ',
    );
    await run(cmd!, args, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: dbUrl(template), DATA_DIR: dataDir },
      timeout: 110_000,
    });
  }, 120_000);

  afterAll(async () => {
    if (template) await admin(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  });

  it('a scenario is a fixed starting point: --scenario docs refuses --motors, --seed, --start and --force', async () => {
    const err = await run(
      process.execPath,
      ['--import', TSX, 'src/cli/main.ts', 'demo', '--scenario', 'docs', '--motors', '500'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: dbUrl(template), DATA_DIR: dataDir },
      },
    ).catch((e: { code?: number; stderr?: string }) => e);
    expect(err).toMatchObject({ code: 2, stderr: expect.stringContaining('drop --motors') });
  });

  it('runs every page with calls: README.md and docs/*.md', () => {
    const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter(
      (page) => page.endsWith('.md') && fencedBlocks(readFileSync(join(ROOT, page), 'utf8')).some(isCall),
    );
    expect(pages.filter((page) => !(page in NOT_YET) && !(page in NOT_FOR_DEMO)).sort()).toEqual(
      [...PAGES].sort(),
    );
  });

  it.each(PAGES)(
    '%s, on a fresh scenario',
    async (page) => {
      const server = await startPageServer();
      try {
        await runPage(page, server);
      } finally {
        await server.close();
      }
    },
    60_000,
  );

  // The pages act on things of their own, so a reader who goes through them all on one ledger gets as far.
  it('all of them, one after the other, on one ledger', async () => {
    const server = await startPageServer();
    try {
      for (const page of PAGES) await runPage(page, server);
    } finally {
      await server.close();
    }
  }, 90_000);
});
