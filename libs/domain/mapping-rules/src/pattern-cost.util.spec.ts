import { MAX_PATTERN_COST, estimatePatternCost } from './pattern-cost.util';

describe('estimatePatternCost (size checked before RE2 sees a pattern)', () => {
  it.each([
    ['lunch', 5],
    ['a{10}', 10],
    ['[a-z]{10}', 100],
    ['.{3}', 30],
    ['\\w+', 10],
    ['(ab){3}', 6],
    ['(?:ab){3}', 6],
    ['(?P<n>ab){3}', 6],
    ['((a{10}){10}){10}', 1000],
    ['lunch|meal', 9],
    ['\\Qa.b\\E', 3],
    ['x{,3}', 5],
    ['[]a]', 10],
    ['[[:alpha:]]{2}', 20],
    ['(?i)break', 5],
  ])('%s costs %i', (pattern, cost) => {
    expect(estimatePatternCost(pattern).cost).toBe(cost);
  });

  it.each(['\\pL', '\\p{Greek}', '\\PL', '[\\p{L}\\p{N}]', 'a(\\pN)+'])('%s uses a Unicode property class', (pattern) => {
    expect(estimatePatternCost(pattern).usesUnicodeClass).toBe(true);
  });

  it.each(['[p]', '\\\\p', 'p{2}'])('%s does not use a Unicode property class', (pattern) => {
    expect(estimatePatternCost(pattern).usesUnicodeClass).toBe(false);
  });

  it('never throws on malformed patterns', () => {
    for (const pattern of ['(', ')', '[', '\\', '{', '(?', '(?P<', '[[:', '\\Q', '\\x{', 'a{99999999999999999999}']) {
      expect(Number.isNaN(estimatePatternCost(pattern).cost)).toBe(false);
    }
  });

  it('puts the classic memory hogs over the limit', () => {
    expect(estimatePatternCost('.{1000}').cost).toBeGreaterThan(MAX_PATTERN_COST);
    expect(estimatePatternCost('(.{30}){30}').cost).toBeGreaterThan(MAX_PATTERN_COST);
    expect(estimatePatternCost('\\w{1000}').cost).toBeGreaterThan(MAX_PATTERN_COST);
  });
});
