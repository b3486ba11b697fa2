import { MAX_PATTERN_INPUT_LENGTH, compileLivePattern, patternEngineStats, testLivePattern } from './pattern-engine.util';

describe('pattern engine (re2-wasm kept within its fixed heap)', () => {
  it('searches unanchored and case-insensitively', () => {
    expect(testLivePattern('break', 'Coffee BREAK time')).toBe(true);
    expect(testLivePattern('^break', 'Coffee break')).toBe(false);
  });

  it('runs in linear time on input that makes backtracking engines explode', () => {
    const started = performance.now();
    expect(testLivePattern('(a+)+$', `${'a'.repeat(50_000)}b`)).toBe(false);
    expect(testLivePattern('(x+x+)+y', 'x'.repeat(50_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('does not search activities longer than the limit', () => {
    expect(testLivePattern('a', 'a'.repeat(MAX_PATTERN_INPUT_LENGTH + 1))).toBe(false);
  });

  it('refuses to compile patterns too big for the heap, and a test of one is simply false', () => {
    expect(() => compileLivePattern('\\pL{100}')).toThrow(RangeError);
    expect(testLivePattern('\\pL{100}', 'abc')).toBe(false);
    expect(testLivePattern('[a-z]{300}', 'abc')).toBe(false);
    expect(testLivePattern('ab+c', 'xABBC')).toBe(true);
  });

  it('a pattern that does not compile is a SyntaxError at compile time and false at test time', () => {
    expect(() => compileLivePattern('(?=x)')).toThrow(SyntaxError);
    expect(testLivePattern('(?=x)', 'x')).toBe(false);
  });

  it('keeps DFA caches bounded when hostile patterns search many different activities', () => {
    // `x.{n}y` makes an RE2 DFA grow with every distinct text (~100 bytes a character searched), until the heap aborts
    const hostile = ['x[a-z]{30}y', 'a.{20}b', 'q[a-z]{40}z', 'w.{25}k'];
    let seed = 7;
    const nextLetter = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return String.fromCharCode(97 + (seed % 26));
    };
    const text = () => Array.from({ length: 300 }, nextLetter).join('');
    for (let round = 0; round < 80; round += 1) {
      for (const pattern of hostile) testLivePattern(pattern, text());
      expect(patternEngineStats().searchedChars).toBeLessThanOrEqual(40_000);
    }
    expect(testLivePattern('still (working|alive)', 'Still alive')).toBe(true);
  });
});
