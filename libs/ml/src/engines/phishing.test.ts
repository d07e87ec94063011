import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { trainRandomForest } from './random-forest';
import { takeLabels, takeMatrixRows } from '../split';
import { accuracy, f1Score, readNumericCsv, splitTarget, stratifiedSplit, unseenTestRows } from '../testing';
import { xgboostEngine } from './xgboost-model';

// UCI Phishing Websites: target Result, -1 = phishing = positive; features in {-1, 0, 1}, so every -1 must
// survive the engine's missing = -1 (see missing.ts).
const csv = readNumericCsv(readFileSync(join(__dirname, '../../../../data/phishing.csv'), 'utf8'));
const data = splitTarget(csv, 'Result', -1);
const { train, test } = stratifiedSplit(data.y, 0.2, 42);
const cols = data.cols;
const Xtr = takeMatrixRows(data.X, cols, train);
const ytr = takeLabels(data.y, train);
const Xte = takeMatrixRows(data.X, cols, test);
const yte = takeLabels(data.y, test);
const unseen = unseenTestRows(Xtr, Xte, cols);
const XteU = takeMatrixRows(Xte, cols, unseen);
const yteU = takeLabels(yte, unseen);

function report(name: string, p: Float64Array, pU: Float64Array): { f1: number; f1Unseen: number } {
  const figures = {
    f1: f1Score(yte, p),
    accuracy: accuracy(yte, p),
    f1Unseen: f1Score(yteU, pU),
    unseen: unseen.length,
  };
  console.log(`phishing ${name}: ${JSON.stringify(figures)}`);
  return figures;
}

describe('phishing quality (stratified 80/20, seed 42)', () => {
  it('splits 8,844 / 2,211 keeping the class balance', () => {
    expect(csv.rows).toBe(11_055);
    expect(train.length + test.length).toBe(11_055);
    expect(test.length).toBe(2_211);
    expect(yte.reduce((s, v) => s + v, 0)).toBe(Math.round(4_898 * 0.2));
  });

  it('XGBoost, 100 rounds, depth 6: F1 ≥ 0.965 (scikit-learn/xgboost reference 0.970)', async () => {
    const model = (await xgboostEngine()).train(Xtr, ytr, train.length, cols, { rounds: 100, maxDepth: 6 });
    const { f1, f1Unseen } = report(
      'xgboost',
      model.predictProba(Xte, test.length, cols),
      model.predictProba(XteU, unseen.length, cols),
    );
    model.free();
    expect(f1).toBeGreaterThanOrEqual(0.965);
    expect(f1Unseen).toBeGreaterThan(0.9);
  }, 120_000);

  it('random forest, 100 trees: F1 ≥ 0.965 (reference 0.972)', () => {
    const model = trainRandomForest(Xtr, ytr, train.length, cols, { trees: 100, seed: 42 });
    const { f1, f1Unseen } = report(
      'random-forest',
      model.predictProba(Xte, test.length, cols),
      model.predictProba(XteU, unseen.length, cols),
    );
    expect(f1).toBeGreaterThanOrEqual(0.965);
    expect(f1Unseen).toBeGreaterThan(0.9);
  }, 120_000);
});
