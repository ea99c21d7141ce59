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
//
// Before any of that, a JSON body must be text the server reads one way only: valid UTF-8 (a broken byte is
// refused, not replaced by U+FFFD) and no member named twice (JSON.parse would keep the last one silently).
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyBodyParser, FastifyRequest } from 'fastify';
import { ValidationError } from '../core/errors.js';

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
  if (root === null || typeof root !== 'object') {
    const reason = inexactReason(root);
    return reason ? { path: '', reason } : undefined;
  }
  // Containers still to visit, each with how it was reached (undefined: the root); a path is spelled out only
  // for a refusal, so a clean body costs no string building.
  type Step = { parent: Step | undefined; key: string | number };
  const pathOf = (step: Step | undefined, key: string | number) => {
    const keys = [key];
    for (let s = step; s !== undefined; s = s.parent) keys.push(s.key);
    return keys
      .reverse()
      .map((k) => `/${typeof k === 'string' ? pointer(k) : k}`)
      .join('');
  };
  const stack: [object, Step | undefined][] = [[root, undefined]];
  while (stack.length > 0) {
    const [value, at] = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const child: unknown = value[i];
        if (child !== null && typeof child === 'object') stack.push([child, { parent: at, key: i }]);
        else {
          const reason = inexactReason(child);
          if (reason) return { path: pathOf(at, i), reason };
        }
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const keyReason = inexactReason(key);
      if (keyReason) return { path: pathOf(at, key), reason: `has a member name that ${keyReason}` };
      const child = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push([child, { parent: at, key }]);
      else {
        const reason = inexactReason(child);
        if (reason) return { path: pathOf(at, key), reason };
      }
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

// One pool for every app and plugin context, as Fastify's own: it keys its Ajv instances by shared schemas and
// options, so contexts with the same ones share the compiled validators.
const pool = AjvCompiler();

/**
 * Fastify's `schemaController.compilersFactory.buildValidator`: two Ajv instances (bodies exact, text parts
 * converted), chosen per HTTP part, every validator wrapped with the exactness rule.
 */
export const buildValidator: ValidatorFactory = (externalSchemas, options) => {
  const plugins = options?.plugins ? { plugins: options.plugins } : {};
  const forBody = pool(externalSchemas, { ...plugins, customOptions: { ...BODY_OPTIONS } });
  const forText = pool(externalSchemas, { ...plugins, customOptions: { ...TEXT_OPTIONS } });
  return (route: RouteDefinition) => {
    const isBody = route.httpPart === 'body';
    return exact((isBody ? forBody : forText)(route) as Validate, isBody) as ReturnType<typeof forBody>;
  };
};

/**
 * The first member name that appears twice in one object of this JSON text, as a JSON pointer; undefined when
 * there is none. `text` must be valid JSON (it is scanned, not validated).
 * @example firstDuplicateMember('{"a":{"b":1,"b":2}}') // '/a/b'
 */
export function firstDuplicateMember(text: string): string | undefined {
  if (!text.includes('"')) return undefined;
  // One frame per open object or array: the member names seen so far (objects) and the current step of the path.
  const frames: { names: Set<string> | null; step: string | number }[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // The closing quote: the next one not escaped by an odd run of backslashes.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        let backslashes = 0;
        while (text.charCodeAt(j - 1 - backslashes) === 0x5c /* backslash */) backslashes++;
        if (backslashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (expectName) {
        const raw = text.slice(i + 1, j);
        const name: string = raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw;
        const frame = frames[frames.length - 1]!;
        frame.step = name;
        if (frame.names!.has(name)) return frames.map((f) => `/${pointer(String(f.step))}`).join('');
        frame.names!.add(name);
        expectName = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      frames.push({ names: new Set(), step: '' });
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      frames.push({ names: null, step: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
      expectName = false; // an empty object closes while still waiting for its first name
    } else if (c === 0x2c /* , */) {
      const frame = frames[frames.length - 1]!;
      if (frame.names) expectName = true;
      else frame.step = (frame.step as number) + 1;
    }
  }
  return undefined;
}

/**
 * The application/json body parser: strict UTF-8, then Fastify's own parser (which refuses __proto__ and
 * constructor.prototype), then no member named twice.
 * @example app.addContentTypeParser('application/json', { parseAs: 'buffer' }, exactJsonParser(app.getDefaultJsonParser('error', 'error')));
 */
export function exactJsonParser(parseJson: FastifyBodyParser<string>): FastifyBodyParser<Buffer> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return (request: FastifyRequest, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(
        new ValidationError(
          'INVALID_UTF8',
          'The body is not valid UTF-8: send the JSON text encoded as UTF-8.',
        ),
        undefined,
      );
      return;
    }
    parseJson.call(request.server, request, text, (err, value) => {
      if (err) return done(err, undefined);
      const twice = firstDuplicateMember(text);
      if (twice === undefined) return done(null, value);
      done(
        new ValidationError(
          'DUPLICATE_MEMBER',
          `The body names body${twice} twice; JSON.parse would keep only the last. Send each member once.`,
          { field: `body${twice}` },
        ),
        undefined,
      );
    });
  };
}
