import { describe, expect, test } from 'vitest';
import { isEddyError } from '../../common/errors.js';
import { DecisionTreeClassifier } from '../classification/decision-tree-classifier.js';
import { DecisionTreeRegressor } from '../regression/decision-tree-regressor.js';
import { formatJavaDouble } from './java-double.js';
import { ParamMap } from './param.js';
import { ParamValidators } from './validators.js';

function rejects(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
  } catch (e) {
    expect(isEddyError(e, 'INVALID_ARGUMENT')).toBe(true);
    for (const f of fragments) expect((e as Error).message).toContain(f);
    return;
  }
  throw new Error('expected an INVALID_ARGUMENT error');
}

describe('Params in the Spark way', () => {
  test('uid is the class name, an underscore and 12 hex digits; distinct per instance', () => {
    const a = new DecisionTreeClassifier();
    const b = new DecisionTreeClassifier();
    expect(a.uid).toMatch(/^DecisionTreeClassifier_[0-9a-f]{12}$/);
    expect(a.uid).not.toBe(b.uid);
    expect(new DecisionTreeClassifier({ uid: 'dtc_fixed' }).uid).toBe('dtc_fixed');
  });

  test("defaults follow Spark's DecisionTreeClassifier", () => {
    const dt = new DecisionTreeClassifier();
    expect(dt.getMaxDepth()).toBe(5);
    expect(dt.getMaxBins()).toBe(32);
    expect(dt.getMinInstancesPerNode()).toBe(1);
    expect(dt.getMinInfoGain()).toBe(0);
    expect(dt.getMinWeightFractionPerNode()).toBe(0);
    expect(dt.getImpurity()).toBe('gini');
    expect(dt.getOrDefault(dt.cacheNodeIds)).toBe(false);
    expect(dt.getOrDefault(dt.maxMemoryInMB)).toBe(256);
    expect(dt.getOrDefault(dt.checkpointInterval)).toBe(10);
    // Spark's default seed is the class name's Java hashCode.
    expect(dt.getSeed()).toBe(159147643);
    expect(dt.getFeaturesCol()).toBe('features');
    expect(dt.getLabelCol()).toBe('label');
    expect(dt.getOrDefault(dt.rawPredictionCol)).toBe('rawPrediction');
    expect(dt.isDefined(dt.weightCol)).toBe(false);
    expect(new DecisionTreeRegressor().getImpurity()).toBe('variance');
  });

  test('constructor options set values; user-set values are kept apart from defaults', () => {
    const dt = new DecisionTreeClassifier({ maxDepth: 10, impurity: 'Entropy' });
    expect(dt.getMaxDepth()).toBe(10);
    expect(dt.getDefault(dt.maxDepth)).toBe(5);
    expect(dt.isSet(dt.maxDepth)).toBe(true);
    expect(dt.isSet(dt.maxBins)).toBe(false);
    expect(dt.getImpurity()).toBe('entropy');
    expect(dt.userParamMap()).toEqual({ impurity: 'entropy', maxDepth: 10 });
    expect(dt.defaultParamMap().maxBins).toBe(32);
    dt.clear(dt.maxDepth);
    expect(dt.getMaxDepth()).toBe(5);
  });

  test("explainParam uses Spark's format", () => {
    const dt = new DecisionTreeClassifier({ maxDepth: 10 });
    expect(dt.explainParam(dt.maxDepth)).toBe(
      'maxDepth: Maximum depth of the tree. (Nonnegative) E.g., depth 0 means 1 leaf node; depth 1 means 1 internal node + 2 ' +
        'leaf nodes. Must be in range [0, 30]. (default: 5, current: 10)',
    );
    expect(dt.explainParam('minInfoGain')).toBe(
      'minInfoGain: Minimum information gain for a split to be considered at a tree node. (default: 0.0)',
    );
    expect(dt.explainParam('weightCol')).toMatch(/^weightCol: weight column name\. .* \(undefined\)$/);
    dt.set(dt.thresholds, [0.5, 1, 2]);
    expect(dt.explainParam('thresholds')).toMatch(/\(current: \[0\.5,1\.0,2\.0\]\)$/);
    const lines = dt.explainParams().split('\n');
    expect(lines.length).toBe(dt.params.length);
    const names = lines.map((l) => l.slice(0, l.indexOf(':')));
    expect(names).toEqual([...names].sort());
    expect(names).toContain('seed');
  });

  test('every invalid value is rejected when set, naming param, value and allowed range', () => {
    const dt = new DecisionTreeClassifier();
    rejects(() => dt.setMaxDepth(-1), 'maxDepth', '-1', 'in range [0, 30]');
    rejects(() => dt.setMaxDepth(31), 'maxDepth', '31');
    rejects(() => dt.setMaxDepth(2.5), 'maxDepth', '2.5', 'integer');
    rejects(() => dt.setMaxBins(1), 'maxBins', '1', '[2, 256]');
    rejects(() => dt.setMaxBins(257), 'maxBins', '257');
    rejects(() => dt.setMinInstancesPerNode(0), 'minInstancesPerNode', '0', '>= 1');
    rejects(() => dt.setMinInfoGain(-0.1), 'minInfoGain', '-0.1', '>= 0');
    rejects(() => dt.setMinInfoGain(Number.NaN), 'minInfoGain', 'NaN');
    rejects(() => dt.setMinWeightFractionPerNode(0.5), 'minWeightFractionPerNode', '0.5', '[0, 0.5)');
    rejects(() => dt.setMinWeightFractionPerNode(-0.01), 'minWeightFractionPerNode');
    rejects(() => dt.setImpurity('variance'), 'impurity', '"variance"', '"entropy", "gini"');
    rejects(() => new DecisionTreeRegressor({ impurity: 'gini' }), 'impurity', '"gini"', '"variance"');
    rejects(() => dt.set(dt.maxMemoryInMB, -1), 'maxMemoryInMB', '-1');
    rejects(() => dt.set(dt.checkpointInterval, 0), 'checkpointInterval', '0', '-1 or an integer >= 1');
    rejects(() => dt.set(dt.cacheNodeIds, 'yes' as unknown as boolean), 'cacheNodeIds', '"yes"');
    rejects(() => dt.setSeed(1.5), 'seed', '1.5');
    rejects(() => dt.set(dt.thresholds, [0, 0]), 'thresholds');
    rejects(() => dt.set(dt.thresholds, []), 'thresholds');
    rejects(() => dt.setFeaturesCol(7 as unknown as string), 'featuresCol', '7');
    rejects(() => new DecisionTreeClassifier({ maxDepht: 3 } as never), '"maxDepht"', 'maxDepth');
    // A rejected value leaves the previous one in place.
    expect(dt.getMaxDepth()).toBe(5);
    expect(dt.isSet(dt.maxDepth)).toBe(false);
    dt.set(dt.checkpointInterval, -1);
    expect(dt.getOrDefault(dt.checkpointInterval)).toBe(-1);
  });

  test('params of another stage are refused', () => {
    const a = new DecisionTreeClassifier();
    const b = new DecisionTreeClassifier();
    rejects(() => a.set(b.maxDepth, 3), b.uid);
  });

  test('extractParamMap merges defaults, set values and extra', () => {
    const dt = new DecisionTreeClassifier({ maxDepth: 7 });
    const extra = new ParamMap().put(dt.maxBins, 64);
    const m = dt.extractParamMap(extra);
    expect(m.get(dt.maxDepth)).toBe(7);
    expect(m.get(dt.maxBins)).toBe(64);
    expect(m.get(dt.impurity)).toBe('gini');
    expect(m.contains(dt.weightCol)).toBe(false);
    expect(dt.getMaxBins()).toBe(32);
  });

  test('copy keeps uid and values and applies extra without touching the original', () => {
    const dt = new DecisionTreeClassifier({ maxDepth: 7 });
    const c = dt.copy({ maxBins: 16 });
    expect(c).not.toBe(dt);
    expect(c.uid).toBe(dt.uid);
    expect(c.getMaxDepth()).toBe(7);
    expect(c.getMaxBins()).toBe(16);
    expect(dt.getMaxBins()).toBe(32);
    const c2 = dt.copy(new ParamMap().put(dt.minInfoGain, 0.25));
    expect(c2.getMinInfoGain()).toBe(0.25);
    rejects(() => dt.copy({ maxBins: 0 }), 'maxBins');
  });

  test('validators describe what they accept', () => {
    const v = ParamValidators.inRange(0, 1, false, true);
    expect(v(0)).toBe(false);
    expect(v(1)).toBe(true);
    expect(v.description).toBe('in range (0, 1]');
    expect(ParamValidators.gt(0)(0)).toBe(false);
    expect(ParamValidators.lt(1)(1)).toBe(false);
    expect(ParamValidators.ltEq(1)(1)).toBe(true);
    expect(ParamValidators.inArray(['a', 'b'])('c')).toBe(false);
  });

  test("numbers print as Java's Double.toString", () => {
    expect(formatJavaDouble(0)).toBe('0.0');
    expect(formatJavaDouble(5)).toBe('5.0');
    expect(formatJavaDouble(2.45)).toBe('2.45');
    expect(formatJavaDouble(-1.5)).toBe('-1.5');
    expect(formatJavaDouble(0.001)).toBe('0.001');
    expect(formatJavaDouble(0.0001)).toBe('1.0E-4');
    expect(formatJavaDouble(1.5e-7)).toBe('1.5E-7');
    expect(formatJavaDouble(1e7)).toBe('1.0E7');
    expect(formatJavaDouble(12345678.5)).toBe('1.23456785E7');
    expect(formatJavaDouble(9999999)).toBe('9999999.0');
  });
});
