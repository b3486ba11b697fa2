import { MAX_PATTERN_LENGTH } from './mapping-rule.constant';
import { MAX_PATTERN_COST, estimatePatternCost } from './pattern-cost.util';
import { compileLivePattern } from './pattern-engine.util';

/**
 * Why a `pattern` keyword cannot be used, or null when it can. Patterns are RE2 regular
 * expressions: matching time is linear in the activity's length whatever the pattern, which is
 * why constructs that need backtracking (backreferences, lookaround) are refused.
 */
export function validatePattern(pattern: string): string | null {
  const source = pattern.trim();
  if (source === '') return 'pattern is empty';
  if (source.length > MAX_PATTERN_LENGTH) return `pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  return sizeProblem(source) ?? compileProblem(source);
}

function sizeProblem(source: string): string | null {
  const { cost, usesUnicodeClass } = estimatePatternCost(source);
  if (usesUnicodeClass) return 'Unicode property classes (\\p{…}, \\P{…}) are not supported: they need too much memory; use [a-z] style classes';
  if (cost > MAX_PATTERN_COST) {
    return `pattern is too large once its repetitions are expanded (size ${cost}, limit ${MAX_PATTERN_COST}): use + or * instead of large {n} counts`;
  }
  return null;
}

function compileProblem(source: string): string | null {
  try {
    compileLivePattern(source);
    return null;
  } catch (error) {
    return error instanceof SyntaxError ? explainSyntaxError(error.message) : 'the pattern engine could not compile this pattern';
  }
}

/** Turns RE2's terse messages into reasons a customer can act on. */
function explainSyntaxError(message: string): string {
  const detail = /\/[a-z]*: (.*)$/s.exec(message)?.[1] ?? message;
  if (/invalid perl operator: \(\?[=!]/.test(detail)) return 'lookahead ((?=…), (?!…)) is not supported';
  if (/invalid perl operator: \(\?</.test(detail)) return 'lookbehind ((?<=…), (?<!…)) is not supported';
  if (/invalid escape sequence: \\([1-9]|k)/.test(detail)) return 'backreferences (\\1, \\k<name>) are not supported';
  return `invalid pattern: ${detail}`;
}
