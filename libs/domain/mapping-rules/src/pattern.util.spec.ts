import { MappingRuleSet } from './mapping-rule-set.util';
import { patternEngineStats } from './pattern-engine.util';
import { validatePattern } from './pattern.util';

describe('validatePattern', () => {
  it.each([
    'lunch',
    '^break$',
    'lunch|meal',
    'train(ing)?',
    '(a+)+$', // catastrophic for a backtracking engine, linear for RE2: accepted
    '(?i)coaching',
    '(?<name>a)',
    '\\bbreak\\b',
    'a{1000}',
    '[a-z]{200}',
    ' lunch ',
  ])('accepts %s', (pattern) => {
    expect(validatePattern(pattern)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['a'.repeat(501), /longer than 500 characters/],
    ['(?=x)', /lookahead/],
    ['a(?!x)', /lookahead/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
    ['\\1', /backreferences/],
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['[', /^invalid pattern: missing \]/],
    ['(a', /^invalid pattern: missing \)/],
    ['a**', /^invalid pattern: bad repetition operator/],
    ['*a', /^invalid pattern: missing argument|^invalid pattern: no argument/],
    ['a{1001}', /^invalid pattern: invalid repetition size/],
    ['\\pL', /Unicode property classes/],
    ['[\\p{L}\\p{N}]{1000}', /Unicode property classes/],
    ['.{1000}', /too large .*size 10000, limit 2000/],
    ['(.{30}){30}', /too large/],
  ])('refuses %s', (pattern, reason) => {
    expect(validatePattern(pattern)).toMatch(reason);
  });

  it('a 500-character pattern is accepted', () => {
    expect(validatePattern('a'.repeat(500))).toBeNull();
  });

  it('refusing memory hogs keeps the pattern engine working', () => {
    // each of these aborts re2-wasm (16 MiB fixed heap) for the whole process if compiled
    for (const pattern of ['\\pL{100}', '[\\p{L}\\p{N}]{1000}', '\\pL{1000}\\pN{1000}', '(\\p{L}|\\p{N}|\\p{P}){200}']) {
      expect(validatePattern(pattern)).not.toBeNull();
    }
    expect(validatePattern('lunch')).toBeNull();
    const set = MappingRuleSet.compile([{ id: 'r1', matchType: 'pattern', keyword: 'lu.ch', priority: 'high', eventTypeId: 'e1', position: 1 }], null);
    expect(set.resolve('Lunch')).toEqual({ kind: 'rule', eventTypeId: 'e1', ruleId: 'r1' });
  });

  it('validating thousands of distinct patterns does not exhaust the wasm heap', () => {
    // without freeing, re2-wasm runs out of memory after ~6,700 such patterns
    for (let index = 0; index < 8_000; index += 1) {
      expect(validatePattern(`shift${index}(break|lunch)+.*x`)).toBeNull();
    }
    expect(patternEngineStats().liveWeight).toBeLessThanOrEqual(60_000);
    expect(validatePattern('still (working|alive)')).toBeNull();
  }, 60_000);
});
