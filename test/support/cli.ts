// The motor-ledger command run from source as a child process, the way a person runs it: its exit code and what
// it printed, whether it succeeded or not.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A runner of `motor-ledger …` with this environment (env may be a function, read at each call).
 * @example const cli = cliRunner({ ...process.env, DATA_DIR: dir }); const { code, stdout } = await cli('verify', out);
 */
export function cliRunner(env: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv)) {
  return (...args: string[]): Promise<CliResult> =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: typeof env === 'function' ? env() : env,
      cwd: process.cwd(),
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: CliResult) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
}
