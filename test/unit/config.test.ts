import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { epcisNamespaceOf, loadConfig, VARIABLES } from '../../src/config.js';
import { rackUri, siteUri } from '../../src/core/epcis/ids.js';

describe('configuration', () => {
  it('documents every variable in docs/configuration.md', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    for (const name of Object.keys(VARIABLES)) expect(doc).toContain(`| \`${name}\` |`);
  });

  it('applies defaults and freezes the result', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('fails fast naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty" must be an integer/);
    expect(() => loadConfig({ MIGRATE_ON_START: 'yes' })).toThrow(/MIGRATE_ON_START/);
  });
});

describe('bad values stop the process with the variable named', () => {
  it('refuses a LOG_LEVEL that is not a level', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(
      /LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent/,
    );
    expect(loadConfig({ LOG_LEVEL: 'debug' }).LOG_LEVEL).toBe('debug');
  });
});

describe('EPCIS_GS1_KEYS_FILE', () => {
  const file = (content: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'ml-gs1-')), 'keys.json');
    writeFileSync(path, content);
    return path;
  };

  it('names a rack by its SSCC and a site by its GLN, as GS1 Digital Links', () => {
    const keys = { sscc: { 'RK-0042': '030123450000000420' }, gln: { DIEPPE: '3012345000017' } };
    const ns = epcisNamespaceOf(loadConfig({ EPCIS_GS1_KEYS_FILE: file(JSON.stringify(keys)) }));
    expect(rackUri(ns, 'RK-0042')).toBe('https://id.gs1.org/00/030123450000000420');
    expect(siteUri(ns, 'DIEPPE')).toBe('https://id.gs1.org/414/3012345000017');
    expect(rackUri(ns, 'RK-0043')).toBe('https://id.cleon-dieppe.example/rack/RK-0043');
  });

  it('refuses a missing file, a wrong shape and a key with a wrong check digit, naming the variable', () => {
    expect(() => loadConfig({ EPCIS_GS1_KEYS_FILE: '/nonexistent/keys.json' })).toThrow(
      /EPCIS_GS1_KEYS_FILE=.* must name a readable JSON file/,
    );
    expect(() => loadConfig({ EPCIS_GS1_KEYS_FILE: file('{"sscc": ["030123450000000420"]}') })).toThrow(
      /EPCIS_GS1_KEYS_FILE=.* must hold/,
    );
    expect(() =>
      loadConfig({ EPCIS_GS1_KEYS_FILE: file('{"sscc": {"RK-0042": "030123450000000421"}}') }),
    ).toThrow(/EPCIS_GS1_KEYS_FILE=.* holds a bad key: the SSCC of RK-0042 .* check digit/);
  });
});
