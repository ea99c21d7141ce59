// `motor-ledger export --epcis FILE`: an EPCIS 2.0 document of one scope (a motor, a vehicle with its motors, a
// lot's blast radius, a time window on eventTime, or a window of one of those) for a partner or an 8D report. The events are read by
// src/epcis/query.ts as GET /epcis/events reads them, every brand (the plant operator's command), and the
// document is checked against the GS1 schema before it is written: an invalid one is refused, nothing written.
// Beside a dev server holding DATA_DIR it refuses with DATA_DIR_LOCKED like every command that opens the
// database (stop the server, or query GET /epcis/events over its API).
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { epcisNamespaceOf, loadConfig } from '../config.js';
import { ValidationError } from '../core/errors.js';

/** The options of `export` that make an EPCIS export. */
export interface EpcisExportOptions {
  epcis?: string;
  serial?: string;
  vin?: string;
  lot?: string;
  from?: string;
  to?: string;
}

/**
 * Add --epcis and its scope options to the `export` command, with the help that says what they export.
 * @example addEpcisExportOptions(program.command('export')).action(…)
 */
export function addEpcisExportOptions(command: Command): Command {
  return command
    .option(
      '--epcis <file>',
      'write an EPCIS 2.0 EPCISDocument of a scope (below) instead of an audit export',
    )
    .option('--serial <serial>', 'with --epcis: the events of this motor')
    .option('--vin <vin>', 'with --epcis: the events of this vehicle and of every motor installed in it')
    .option(
      '--lot <component=lot>',
      'with --epcis: a lot’s blast radius, the events of every motor built with it (e.g. magnets=MAG-24-031)',
    )
    .option('--from <iso>', 'with --epcis: events with eventTime at or after this RFC 3339 date-time')
    .option('--to <iso>', 'with --epcis: events with eventTime before this RFC 3339 date-time')
    .addHelpText(
      'after',
      '\nEPCIS export: --epcis FILE with --serial, --vin or --lot, and/or --from/--to; events in log order, each with\n' +
        'ml:seq and ml:leafHash for its inclusion proof. It reads the database directly, as the plant operator:\n' +
        'every brand is included (brand scoping applies to the API, GET /epcis/events). The document is checked\n' +
        'against the GS1 EPCIS 2.0 JSON Schema and not written if it fails.',
    );
}

const WINDOW = { GE_eventTime: '--from', LT_eventTime: '--to' } as const;

/**
 * Run `export --epcis FILE`: read the scope's events, wrap them in an EPCISDocument, validate it, write it.
 * @example await exportEpcisCommand({ epcis: 'a390.jsonld', vin: 'VF1AG000000000001' }) // writes the file, prints the count
 */
export async function exportEpcisCommand(opts: EpcisExportOptions & { epcis: string }): Promise<void> {
  if ([opts.serial, opts.vin, opts.lot].filter((o) => o !== undefined).length > 1)
    throw new ValidationError('EPCIS_EXPORT_SCOPE', 'Give one of --serial, --vin and --lot, not several.');
  if ([opts.serial, opts.vin, opts.lot, opts.from, opts.to].every((o) => o === undefined))
    throw new ValidationError(
      'EPCIS_EXPORT_SCOPE',
      'Give a scope: --serial S, --vin V or --lot COMPONENT=LOT, and/or a window --from ISO --to ISO.',
    );
  const lot = opts.lot === undefined ? undefined : /^([A-Za-z][A-Za-z0-9]*)=(\S+)$/.exec(opts.lot);
  if (opts.lot !== undefined && !lot)
    throw new ValidationError(
      'EPCIS_EXPORT_SCOPE',
      `--lot "${opts.lot}" is not COMPONENT=LOT, e.g. --lot magnets=MAG-24-031.`,
    );
  const config = loadConfig();
  const [{ motorUri, vinUri }, { toEpcisDocument }, query, { loadEpcisValidator, toValidationError }] =
    await Promise.all([
      import('../core/epcis/ids.js'),
      import('../core/epcis/map.js'),
      import('../epcis/query.js'),
      import('../epcis/schema.js'),
    ]);
  const ns = epcisNamespaceOf(config);
  const window = (() => {
    try {
      return query.parseEpcisQuery({
        ...(opts.from !== undefined ? { GE_eventTime: opts.from } : {}),
        ...(opts.to !== undefined ? { LT_eventTime: opts.to } : {}),
      });
    } catch (err) {
      const parameter = (err as ValidationError).details?.parameter as keyof typeof WINDOW | undefined;
      if (!(err instanceof ValidationError) || parameter === undefined) throw err;
      throw new ValidationError('EPCIS_EXPORT_SCOPE', err.message.replace(parameter, WINDOW[parameter]));
    }
  })();
  const [{ openDatabase }, { ALL_BRANDS }, { traceMotors }, { logSize }] = await Promise.all([
    import('../db/connect.js'),
    import('../query/scope.js'),
    import('../query/trace.js'),
    import('../ledger/reader.js'),
  ]);
  const handle = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    command: 'export --epcis',
  });
  try {
    // Every event of the EPCs, no paging: the scope is what was asked for.
    const read = (epcs: string[] | undefined) =>
      query.queryEpcisEvents(handle.db, ALL_BRANDS, ns, {
        ...window,
        ...(epcs ? { MATCH_anyEPC: epcs } : {}),
        perPage: Number.POSITIVE_INFINITY,
      });
    let epcs: string[] | undefined;
    if (opts.serial !== undefined) epcs = [motorUri(ns, opts.serial)];
    if (opts.vin !== undefined) {
      const vin = vinUri(ns, opts.vin);
      // The vehicle's motors are those ever installed in it (removed ones included): its events' childEPCs.
      const { events } = await query.queryEpcisEvents(handle.db, ALL_BRANDS, ns, {
        MATCH_parentID: [vin],
        perPage: Number.POSITIVE_INFINITY,
      });
      const motors = events.flatMap((e) => (Array.isArray(e.childEPCs) ? e.childEPCs.map(String) : []));
      epcs = [...new Set([vin, ...motors])];
    }
    if (lot) {
      // The blast radius: every motor built with the lot (the forward trace), and so where each one went.
      const upTo = (await logSize(handle.db)) - 1;
      const motors = await traceMotors(handle.db, { lots: { [lot[1]!]: lot[2]! } }, upTo, true, ALL_BRANDS);
      epcs = motors.map((m) => motorUri(ns, m.serial));
    }
    const { events } = await read(epcs);
    // An empty document is of no use to a partner, and usually a mistyped serial or VIN.
    if (events.length === 0)
      throw new ValidationError(
        'EPCIS_EXPORT_EMPTY',
        'No event of the ledger is in this scope: nothing written.',
      );
    const doc = toEpcisDocument(events, ns);
    const result = loadEpcisValidator().validateDocument(doc);
    if (!result.valid) throw toValidationError(result);
    writeFileSync(opts.epcis, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(
      `Exported ${events.length} EPCIS events to ${opts.epcis} (valid against the GS1 EPCIS 2.0 schema)`,
    );
  } finally {
    await handle.close();
  }
}
