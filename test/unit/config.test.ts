import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, VARIABLES } from '../../src/config.js';

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
