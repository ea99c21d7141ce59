// One process at a time on an embedded data directory. PGlite is a single-process database: two processes on
// one directory each believe they own the log, answer the same seqs for different events, and one's
// acknowledged writes vanish (or the directory is left unreadable). The lock is proper-lockfile's: an atomic
// mkdir of DATA_DIR/.lock whose mtime the holder refreshes, so a lock left by a crashed process goes stale and is
// taken over after STALE_MS, whatever its pid (pids repeat across container restarts). Beside it, holder.json
// says who holds it (pid, host, command, when, the server's address), so the second opener can name the holder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { LedgerError } from '../core/errors.js';

/** After this long without a refresh, a holder is taken for dead and its lock is taken over. */
const STALE_MS = 10_000;

/** Who holds a data directory, as written in DATA_DIR/.lock-holder.json. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The command that opened it: serve, demo, export, verify --db… */
  command: string;
  since: string;
  /** The HTTP address, when the holder is a server that listens. */
  url?: string | undefined;
}

/** A held lock: `announce` lets a server add its address once it listens. */
export interface DataDirLock {
  announce(update: Partial<LockHolder>): void;
  release(): Promise<void>;
}

/** The lock is held by another live process. Exit code 2, like other configuration errors. */
export class DataDirLockedError extends LedgerError {
  readonly holder: LockHolder | undefined;
  constructor(dataDir: string, holder: LockHolder | undefined) {
    const who = holder
      ? `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.since}${holder.url ? `, serving ${holder.url}` : ''})`
      : 'another process';
    super(
      'DATA_DIR_LOCKED',
      `The embedded database at ${dataDir} is in use by ${who}. It is a single-process database: stop that ` +
        `process first${holder?.url ? `, or work through its API at ${holder.url}` : ''}, or point DATA_DIR ` +
        'elsewhere. If that process is gone, the lock frees itself within 10 seconds.',
      { dataDir, ...(holder ? { holder } : {}) },
    );
    this.holder = holder;
  }
}

const holderFile = (dataDir: string) => join(dataDir, '.lock-holder.json');

/**
 * Take the data directory for this process, or throw DataDirLockedError naming the live holder. A lock whose
 * holder died is taken over once stale (at most STALE_MS of waiting).
 * @example const lock = await lockDataDir('./.motor-ledger', 'serve');
 */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const lockfilePath = join(dataDir, '.lock');
  let release: () => Promise<void>;
  const started = Date.now();
  for (;;) {
    try {
      release = await lockfile.lock(dataDir, {
        lockfilePath,
        stale: STALE_MS,
        realpath: false,
        // A refresh missed under load must not kill a server: the next opener would see a stale lock only after
        // STALE_MS, and this process goes on; say so on stderr.
        onCompromised: (err) => {
          process.stderr.write(`motor-ledger: the lock on ${dataDir} was compromised: ${err.message}\n`);
        },
      });
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ELOCKED') throw err;
      const holder = readHolder(dataDir);
      // A live holder on this host: refuse at once. A dead one (or one on another host): wait for staleness.
      if (
        (holder && holder.host === hostname() && isAlive(holder.pid)) ||
        Date.now() - started > STALE_MS * 1.5
      )
        throw new DataDirLockedError(dataDir, holder);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  let current: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
  const write = () => writeFileSync(holderFile(dataDir), `${JSON.stringify(current)}\n`);
  write();
  return {
    announce(update) {
      current = { ...current, ...update };
      write();
    },
    async release() {
      await release();
    },
  };
}

function readHolder(dataDir: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(holderFile(dataDir), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}
