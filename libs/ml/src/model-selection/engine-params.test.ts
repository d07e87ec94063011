import { describe, expect, it } from 'vitest';
import { engineParams } from './engine-params';

describe('engineParams', () => {
  it("maps the forest's featureFraction to maxFeatures and sets the seed", () => {
    expect(engineParams('random-forest', { trees: 10, featureFraction: 0.25 }, 30, 3)).toEqual({
      trees: 10,
      maxFeatures: 8,
      seed: 3,
    });
    expect(engineParams('random-forest', { featureFraction: 0.01 }, 30, 3).maxFeatures).toBe(1);
  });
});
