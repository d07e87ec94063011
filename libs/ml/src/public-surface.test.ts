import { describe, expect, it } from 'vitest';
import * as ml from './index';
import * as testing from './testing';

// What @netsentry/ml offers the services, and what only tests and benchmarks use (@netsentry/ml/testing).
describe('the public surface of @netsentry/ml', () => {
  const helpers = [
    'syntheticTask',
    'readNumericCsv',
    'splitTarget',
    'f1Score',
    'accuracy',
    'unseenTestRows',
    'stratifiedSplit',
  ];

  it('leaves the test and bench helpers to @netsentry/ml/testing', () => {
    for (const name of helpers) {
      expect(Object.keys(ml)).not.toContain(name);
      expect(typeof (testing as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('has one split and one metrics module', () => {
    for (const name of ['assignSplit', 'takeMatrixRows', 'takeLabels', 'binaryMetrics', 'confusionMatrix']) {
      expect(typeof (ml as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
