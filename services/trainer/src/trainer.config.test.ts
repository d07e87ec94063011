import { ConfigError, loadConfig } from '@netsentry/config';
import { describe, expect, it } from 'vitest';
import { searchConfigOf, trainerSection } from './trainer.config';

describe('trainer settings', () => {
  it('caps the search rows and budgets its time from the variables, 0 meaning none', () => {
    const shipped = searchConfigOf(loadConfig(trainerSection, {}));
    expect(shipped.maxSearchRows).toBeGreaterThanOrEqual(1_000);
    expect(shipped.budgetSeconds).toBeUndefined();
    const set = searchConfigOf(
      loadConfig(trainerSection, {
        NETSENTRY_TRAINER_MAX_SEARCH_ROWS: '50000',
        NETSENTRY_TRAINER_SEARCH_BUDGET_SECONDS: '240',
      }),
    );
    expect(set).toMatchObject({ maxSearchRows: 50_000, budgetSeconds: 240 });
    const off = searchConfigOf(loadConfig(trainerSection, { NETSENTRY_TRAINER_MAX_SEARCH_ROWS: '0' }));
    expect(off.maxSearchRows).toBeUndefined();
  });

  it('fails fast on a cap too small to cross-validate on, naming the variable', () => {
    for (const bad of ['500', '-1', 'many']) {
      let error: unknown;
      try {
        loadConfig(trainerSection, { NETSENTRY_TRAINER_MAX_SEARCH_ROWS: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toContain('NETSENTRY_TRAINER_MAX_SEARCH_ROWS');
    }
    expect(() => loadConfig(trainerSection, { NETSENTRY_TRAINER_SEARCH_BUDGET_SECONDS: '-5' })).toThrow(
      /NETSENTRY_TRAINER_SEARCH_BUDGET_SECONDS/,
    );
  });
});
