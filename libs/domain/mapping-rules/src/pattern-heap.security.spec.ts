import { MAX_PATTERN_COST, estimatePatternCost } from './pattern-cost.util';
import { testLivePattern } from './pattern-engine.util';
import { validatePattern } from './pattern.util';

// Security: one organization must not be able to fill re2-wasm's fixed 16 MiB heap with patterns
// that pass validation, after which no pattern of any organization compiles (their rules silently
// stop matching in the mapping service, and config-api refuses every new pattern).
const NON_ASCII = Array.from({ length: 240 }, (_, index) => String.fromCodePoint(0x100 + index * 0x97));

describe('pattern heap: patterns that pass validation cannot exhaust the engine for everyone', () => {
  it('prices characters outside ASCII by what they cost once case-folded', () => {
    expect(estimatePatternCost(`[${NON_ASCII.slice(0, 100).join('')}]{199}`).cost).toBeGreaterThan(MAX_PATTERN_COST);
    expect(estimatePatternCost(`(?:${NON_ASCII.slice(0, 20).join('')}){95}`).cost).toBeGreaterThan(MAX_PATTERN_COST);
    expect(estimatePatternCost('[\\x{100}\\x{200}\\x{300}]{199}').cost).toBeGreaterThan(MAX_PATTERN_COST);
    expect(estimatePatternCost('\\x{4e00}{199}').cost).toBeGreaterThan(MAX_PATTERN_COST);
    // ASCII keeps its measured prices, and everyday non-ASCII keywords still fit
    expect(estimatePatternCost('[a-z]{10}').cost).toBe(100);
    expect(validatePattern('^(pausa|almuerzo|formación|reunión)$')).toBeNull();
    expect(validatePattern('[äöü]+')).toBeNull();
  });

  it.each([
    ['a 100-member non-ASCII class repeated', (n: number) => `[${NON_ASCII.slice(0, 100).join('')}${String.fromCodePoint(0x4e00 + n)}]{${199 - (n % 50)}}`],
    ['a 20-member non-ASCII class repeated', (n: number) => `[${NON_ASCII.slice(0, 20).join('')}${String.fromCodePoint(0x4e00 + n)}]{${199 - (n % 50)}}`],
    ['non-ASCII literals repeated', (n: number) => `(?:${NON_ASCII.slice(0, 20).join('')}){${95 - (n % 50)}}`],
    ['the largest non-ASCII class allowed', (n: number) => `[${NON_ASCII.slice(0, 150).join('')}${String.fromCodePoint(0x4e00 + n)}]{${Math.max(1, 9 - (n % 8))}}`],
    ['a 20-member non-ASCII class just under the limit', (n: number) => `[${NON_ASCII.slice(0, 19).join('')}${String.fromCodePoint(0x4e00 + n)}]{${28 - (n % 20)}}`],
    ['five non-ASCII literals just under the limit', (n: number) => `(?:${NON_ASCII.slice(n % 200, (n % 200) + 5).join('')}){19}`],
    ['one non-ASCII literal just under the limit', (n: number) => `${String.fromCodePoint(0x4e00 + n)}{99}`],
  ])('%s, 60 distinct rules: victims still compile and match', (_name, attack) => {
    expect(validatePattern('^lunch( break)?$')).toBeNull();
    let accepted = 0;
    for (let n = 0; n < 60; n += 1) {
      const problem = validatePattern(attack(n));
      if (problem === null) accepted += 1;
      else expect(problem).not.toBe('the pattern engine could not compile this pattern');
    }
    process.stdout.write(`${_name}: ${accepted} of 60 accepted\n`);
    for (const [pattern, text] of [
      ['^lunch( break)?$', 'Lunch break'],
      ['^brk\\d+$', 'BRK12'],
      ['[^,]{100},x', `${'y'.repeat(100)},x`],
      ['^(phone|chat|email|back ?office|training){1,3}$', 'phonechat'],
    ]) {
      expect([pattern, validatePattern(pattern)]).toEqual([pattern, null]);
      expect([pattern, testLivePattern(pattern, text)]).toEqual([pattern, true]);
    }
  });
});
