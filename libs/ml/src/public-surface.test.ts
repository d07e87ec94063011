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
    'lineTask',
    'trainedBundle',
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

  it('offers model selection beside the engines: folds, in-fold rebalancing, cross-validation, refit', () => {
    for (const name of [
      'stratifiedKFold',
      'buildFolds',
      'indexFolds',
      'foldShare',
      'nestedShare',
      'rebalanceFolds',
      'cvFolds',
      'crossValidate',
      'metricOf',
      'engineParams',
      'refit',
    ]) {
      expect(typeof (ml as Record<string, unknown>)[name]).toBe('function');
    }
    // Internal to the module: the search's own helpers stay out of the surface.
    for (const name of ['toSharedInt32', 'meanOf', 'stdOf']) expect(Object.keys(ml)).not.toContain(name);
  });
});
