// `motor-ledger token`: mint a bearer token with the dev key under DATA_DIR (dev mode only). The token alone
// goes to stdout, so `TOKEN=$(motor-ledger token --role producer --site CLEON)` works; a one-line warning
// goes to stderr. With AUTH_JWKS_URL or AUTH_JWKS_FILE set it refuses (exit 2): tokens then come from the
// identity provider, and a dev token would not verify anyway.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isRole, ROLES, type Role } from '../auth/principal.js';
import { DEFAULT_TOKEN_TTL_SECONDS, loadOrCreateDevAuthKey, mintToken } from '../auth/tokens.js';
import { loadConfig } from '../config.js';

interface TokenOptions {
  role: string[];
  site: string[];
  brand?: string[];
  sub?: string;
  ttl: number;
}

const MAX_TTL_SECONDS = 366 * 86_400;

function parseTtl(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TTL_SECONDS) {
    throw new InvalidArgumentError(`must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}.`);
  }
  return Number(raw);
}

/**
 * Add the `token` command to the program.
 * @example registerTokenCommand(program); // motor-ledger token --role producer --site CLEON
 */
export function registerTokenCommand(program: Command): Command {
  return program
    .command('token')
    .description('Print a dev bearer token signed with the local dev key (dev mode only: no AUTH_JWKS_*)')
    .addOption(
      new Option('--role <role...>', `role(s) the token grants: ${ROLES.join(', ')}`).makeOptionMandatory(),
    )
    .option('--site <site...>', 'site code(s) the token is valid for, e.g. CLEON DIEPPE; * for all', [])
    .option(
      '--brand <brand...>',
      'brand(s) whose vehicles the token may see, e.g. Alpine (default: * = all, it is a dev token)',
    )
    .option('--sub <sub>', 'subject (default dev-<first role>)')
    .option('--ttl <seconds>', 'lifetime in seconds', parseTtl, DEFAULT_TOKEN_TTL_SECONDS)
    .action(async function (this: Command, opts: TokenOptions) {
      const bad = opts.role.find((r) => !isRole(r));
      if (bad !== undefined) {
        this.error(`error: "${bad}" is not a role; roles are ${ROLES.join(', ')}.`, {
          exitCode: 2,
          code: 'motor-ledger.invalidRole',
        });
      }
      const config = loadConfig();
      if (config.AUTH_JWKS_URL !== undefined || config.AUTH_JWKS_FILE !== undefined) {
        this.error(
          'error: AUTH_JWKS_URL or AUTH_JWKS_FILE is set, so tokens come from your identity provider; ' +
            '"motor-ledger token" only mints dev tokens (unset both to use dev mode).',
          { exitCode: 2, code: 'motor-ledger.notDevMode' },
        );
      }
      if (opts.ttl > config.TOKEN_MAX_LIFETIME_S) {
        this.error(
          `error: --ttl ${opts.ttl} is longer than the ${config.TOKEN_MAX_LIFETIME_S} s a server accepts ` +
            '(TOKEN_MAX_LIFETIME_S); mint a shorter token.',
          { exitCode: 2, code: 'motor-ledger.ttlTooLong' },
        );
      }
      const roles = opts.role as Role[];
      const dataDir = config.DATA_DIR ?? './.motor-ledger';
      const key = await loadOrCreateDevAuthKey(dataDir);
      const token = await mintToken(key.privateJwk, {
        sub: opts.sub ?? `dev-${roles[0]}`,
        roles,
        sites: opts.site,
        brands: opts.brand ?? ['*'],
        ttlSeconds: opts.ttl,
        issuer: config.AUTH_ISSUER ?? 'motor-ledger-dev',
        audience: config.AUTH_AUDIENCE ?? 'motor-ledger',
      });
      const until = new Date(Date.now() + opts.ttl * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      process.stderr.write(
        `motor-ledger: DEV TOKEN signed with ${key.created ? 'a NEW ' : 'the '}dev key in ${dataDir} ` +
          `(kid ${key.jwks.keys[0]?.kid}), valid until ${until}; only a server in dev mode accepts it.\n`,
      );
      process.stdout.write(`${token}\n`);
    });
}
