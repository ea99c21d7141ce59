// What a request may carry, decided once for every route: how each part is validated, and the exactness rule
// every validated value passes before a handler sees it.
//
// Bodies are validated as sent, never changed: no type coercion (Ajv's would store `true` as 1, `null` as 0,
// ["PASS"] as "PASS" in an entry that is then hashed), no defaults filled in. Path and query parameters arrive
// as text and are converted to the schema's types, then held to the same rule.
//
// The rule (one walk over the value, for every part): every string and member name is well-formed Unicode
// without U+0000 (neither has an exact canonical form or fits a PostgreSQL text value); every number is finite,
// not -0, and an integer only within ±(2^53 − 1), because JSON.parse has already rounded a larger one
// (9007199254740993 arrives as 9007199254740992) and 1e400 arrives as Infinity. A value that breaks it is a
// 400 naming the field, like any schema failure.
import AjvCompiler from '@fastify/ajv-compiler';

type RouteDefinition = AjvCompiler.RouteDefinition;
type ValidatorFactory = AjvCompiler.ValidatorFactory;
type ErrorObject = AjvCompiler.ErrorObject;

/** Ajv options for bodies: validated exactly as sent. */
const BODY_OPTIONS = {
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  allErrors: false,
  strictNumbers: true,
} as const;

/** Ajv options for path, query and headers: text converted to the schema's types (`?limit=10` → 10). */
const TEXT_OPTIONS = {
  coerceTypes: 'array',
  useDefaults: true,
  removeAdditional: false,
  allErrors: false,
  strictNumbers: true,
} as const;

const LARGEST = Number.MAX_SAFE_INTEGER;

// String#isWellFormed (ES2024, Node 20) is not in the TypeScript lib this project targets.
const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Why a value breaks the exactness rule, or undefined when it does not. */
export function inexactReason(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (!isWellFormed(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
    if (value.includes('\u0000')) return 'must not contain the character U+0000';
    return undefined;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'must be a finite number (this one is beyond the range of a double)';
    if (Object.is(value, -0)) return 'must not be -0 (it would be stored as 0): send 0';
    if (Number.isInteger(value) && Math.abs(value) > LARGEST) {
      return `must be an integer between -${LARGEST} and ${LARGEST} (2^53 − 1): a larger one cannot be stored exactly; send it as a string`;
    }
  }
  return undefined;
}

const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The first place (a JSON pointer) where a parsed request part breaks the exactness rule, and why; undefined
 * when every value keeps. Iterative, so a deeply nested body cannot exhaust the stack.
 * @example findInexact({ reason: 'a\u0000b' }) // { path: '/reason', reason: 'must not contain the character U+0000' }
 */
export function findInexact(root: unknown): { path: string; reason: string } | undefined {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (value === null || typeof value !== 'object') {
      const reason = inexactReason(value);
      if (reason) return { path, reason };
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}/${i}`]);
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const at = `${path}/${pointer(key)}`;
      const reason = inexactReason(key);
      if (reason) return { path: at, reason: `has a member name that ${reason}` };
      stack.push([(value as Record<string, unknown>)[key], at]);
    }
  }
  return undefined;
}

function inexactError(path: string, reason: string): ErrorObject {
  return { keyword: 'exact', instancePath: path, schemaPath: '#', params: {}, message: reason };
}

type Validate = ((data: unknown, ctx?: unknown) => unknown) & {
  errors?: ErrorObject[] | null;
  schemaEnv?: unknown;
};

/** A validator that also holds the value to the exactness rule: before Ajv for a body, after it otherwise. */
function exact(validate: Validate, isBody: boolean): Validate {
  const run: Validate = (data, ctx) => {
    run.errors = null;
    const before = isBody ? findInexact(data) : undefined;
    if (before) {
      run.errors = [inexactError(before.path, before.reason)];
      return false;
    }
    if (!validate(data, ctx)) {
      run.errors = validate.errors ?? null;
      return false;
    }
    const after = isBody ? undefined : findInexact(data);
    if (after) {
      run.errors = [inexactError(after.path, after.reason)];
      return false;
    }
    return true;
  };
  // Fastify passes the parent object only to validators with a schemaEnv, which lets Ajv convert a root value.
  run.schemaEnv = validate.schemaEnv;
  return run;
}

/**
 * Fastify's `schemaController.compilersFactory.buildValidator`: two pools of Ajv instances (bodies exact,
 * text parts converted), chosen per HTTP part, every validator wrapped with the exactness rule.
 */
export const buildValidator: ValidatorFactory = (externalSchemas, options) => {
  const pool = AjvCompiler();
  const plugins = options?.plugins ? { plugins: options.plugins } : {};
  const forBody = pool(externalSchemas, { ...plugins, customOptions: { ...BODY_OPTIONS } });
  const forText = pool(externalSchemas, { ...plugins, customOptions: { ...TEXT_OPTIONS } });
  return (route: RouteDefinition) => {
    const isBody = route.httpPart === 'body';
    return exact((isBody ? forBody : forText)(route) as Validate, isBody) as ReturnType<typeof forBody>;
  };
};
