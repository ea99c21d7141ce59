// The OpenAPI 3.0.3 description served at /docs, finished in one pass over what @fastify/swagger generates from
// the route schemas: schemas with a `title` become named components (Serial, Problem, Checkpoint…) referenced
// by $ref, JSON Schema constructs 3.0.3 lacks are rewritten (`examples` → `example`, a null variant →
// `nullable`), and every operation gets a `default` problem+json answer for the errors it does not list.
// The route schemas stay plain TypeBox, so validation and typing do not depend on the description.

type Json = Record<string, unknown>;
type Doc = {
  paths?: Record<string, Record<string, Json>>;
  components?: { schemas?: Record<string, Json>; responses?: Record<string, Json> };
};

const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// A parameter's schema arrives without its description and example (@fastify/swagger moves them to the
// parameter), so the named schema it came from is recognised by everything else.
function sameValidation(a: Json, b: Json): boolean {
  const strip = ({ description: _d, example: _e, ...rest }: Json) => rest;
  return same(strip(a), strip(b));
}

/** Rewrite one schema bottom-up; titled schemas are moved to `named` and replaced by a $ref. */
function finishSchema(schema: unknown, named: Record<string, Json>): unknown {
  if (!isObject(schema) || typeof schema.$ref === 'string') return schema;
  const out: Json = { ...schema };
  for (const key of ['properties', 'patternProperties'] as const) {
    if (isObject(out[key])) {
      out[key] = Object.fromEntries(Object.entries(out[key]).map(([k, v]) => [k, finishSchema(v, named)]));
    }
  }
  for (const key of ['items', 'additionalProperties', 'not'] as const) {
    if (isObject(out[key])) out[key] = finishSchema(out[key], named);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map((v) => finishSchema(v, named));
  }
  if (Array.isArray(out.examples)) {
    if (!('example' in out) && out.examples.length > 0) out.example = out.examples[0];
    delete out.examples;
  }
  if (out.type === 'null') return { nullable: true, enum: [null] };
  if (Array.isArray(out.anyOf) && out.anyOf.some((v) => isObject(v) && v.nullable && same(v.enum, [null]))) {
    const rest = (out.anyOf as Json[]).filter((v) => !(v.nullable && same(v.enum, [null])));
    delete out.anyOf;
    const only = rest.length === 1 ? rest[0]! : { anyOf: rest };
    return typeof only.$ref === 'string'
      ? { ...out, allOf: [only], nullable: true }
      : { ...out, ...only, nullable: true };
  }
  const title = out.title;
  if (typeof title === 'string' && COMPONENT_NAME.test(title)) {
    const existing = named[title];
    if (existing === undefined) named[title] = out;
    if (existing === undefined || sameValidation(existing, out))
      return { $ref: `#/components/schemas/${title}` };
  }
  return out;
}

/**
 * @fastify/swagger's `transformObject`: the generated description, finished (see the module comment).
 * @example await app.register(swagger, { openapi: { … }, transformObject: ({ openapiObject }) => finishOpenApi(openapiObject) });
 */
export function finishOpenApi<D extends object>(description: D): D {
  const doc = description as Doc;
  const named: Record<string, Json> = {};
  const finishContent = (holder: Json) => {
    if (!isObject(holder.content)) return;
    for (const media of Object.values(holder.content)) {
      if (isObject(media) && media.schema !== undefined) media.schema = finishSchema(media.schema, named);
    }
  };
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      if (!isObject(op)) continue;
      for (const param of Array.isArray(op.parameters) ? (op.parameters as Json[]) : []) {
        if (param.schema !== undefined) param.schema = finishSchema(param.schema, named);
      }
      if (isObject(op.requestBody)) finishContent(op.requestBody);
      const responses = isObject(op.responses) ? op.responses : {};
      for (const response of Object.values(responses)) if (isObject(response)) finishContent(response);
      responses.default ??= { $ref: '#/components/responses/Problem' };
      op.responses = responses;
    }
  }
  doc.components ??= {};
  const components = doc.components;
  components.schemas ??= {};
  const schemas = components.schemas;
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = finishSchema(schema, named) as Json;
  for (const [name, schema] of Object.entries(named)) schemas[name] ??= schema;
  components.responses = {
    ...components.responses,
    Problem: {
      description:
        'Any error (RFC 9457 problem+json): `code` is stable, `detail` says what to do; a 5xx never says more.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    },
  };
  return description;
}
