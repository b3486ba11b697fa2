import { RE2 } from 're2-wasm';
import { MAX_PATTERN_LENGTH } from './mapping-rule.constant';
import { MAX_PATTERN_COST, estimatePatternCost } from './pattern-cost.util';

/**
 * Owns every RE2 instance of the process, because re2-wasm 1.0.2 needs looking after:
 * - its WebAssembly heap is fixed at 16 MiB and running out ABORTS the module for the whole
 *   process (every later pattern fails), so memory must stay well below that;
 * - an RE2 object is never freed by the JavaScript garbage collector (its C++ side must be
 *   deleted by hand): ~6,700 small patterns compiled and dropped exhaust the heap;
 * - an RE2 object's DFA cache grows with the text it has searched (up to ~120 bytes per character
 *   for patterns like `x.{100}y`).
 * So compiled patterns live here, by source, in a weighted LRU; the least recently used is freed
 * when the weights exceed a budget, and the ones that searched the most text are recompiled when
 * the text searched since compiling exceeds a budget. Callers only ever hold the source string,
 * which is why freeing an RE2 here can never break a caller: the next test recompiles it.
 */

/** Activities longer than this are not searched by pattern rules (RE2 copies the text into its heap). */
export const MAX_PATTERN_INPUT_LENGTH = 100_000;

/** Budget of live compiled patterns, in cost units (~0.05 KiB each): ~3 MiB. */
const LIVE_WEIGHT_BUDGET = 60_000;
/** Fixed overhead of one RE2 object (~5 KiB), in cost units. */
const BASE_WEIGHT = 100;
/** Characters searched by all live patterns since compiling before the busiest are recompiled: ~5 MiB of DFA at worst. */
const SEARCHED_CHARS_BUDGET = 40_000;

interface LivePattern {
  re2: RE2;
  weight: number;
  searchedChars: number;
}

const live = new Map<string, LivePattern>();
let liveWeight = 0;
let searchedChars = 0;

/**
 * Compiles the pattern (case-insensitive) and keeps it. Throws RE2's SyntaxError when it does not
 * compile, and a RangeError, without calling RE2, when it is too big to compile safely.
 */
export function compileLivePattern(source: string): void {
  acquire(source);
}

/**
 * Unanchored, case-insensitive search of `text`. False when the pattern cannot be compiled or the
 * text is too long: a bad pattern never matches, it never throws.
 */
export function testLivePattern(source: string, text: string): boolean {
  if (text.length > MAX_PATTERN_INPUT_LENGTH) return false;
  let pattern: LivePattern;
  try {
    pattern = acquire(source);
  } catch {
    return false;
  }
  const found = search(source, pattern, text);
  recycleBusiestOverBudget();
  return found;
}

/** For health checks and tests: what the engine holds right now. */
export function patternEngineStats(): { livePatterns: number; liveWeight: number; searchedChars: number } {
  return { livePatterns: live.size, liveWeight, searchedChars };
}

function acquire(source: string): LivePattern {
  const known = live.get(source);
  if (known) {
    live.delete(source); // re-insert: Map order is the LRU order
    live.set(source, known);
    return known;
  }
  const weight = BASE_WEIGHT + safeCost(source); // before RE2 ever sees the pattern
  const pattern: LivePattern = { re2: new RE2(source, 'iu'), weight, searchedChars: 0 };
  live.set(source, pattern);
  liveWeight += pattern.weight;
  evictLeastRecentlyUsed(source);
  return pattern;
}

/** The last line of defence against aborting the wasm module; validatePattern explains the same limits. */
function safeCost(source: string): number {
  const { cost, usesUnicodeClass } = estimatePatternCost(source);
  if (source.length > MAX_PATTERN_LENGTH || usesUnicodeClass || cost > MAX_PATTERN_COST) {
    throw new RangeError('pattern too large to compile safely');
  }
  return cost;
}

function search(source: string, pattern: LivePattern, text: string): boolean {
  try {
    const found = pattern.re2.test(text);
    pattern.searchedChars += text.length;
    searchedChars += text.length;
    return found;
  } catch {
    release(source);
    return false;
  }
}

function evictLeastRecentlyUsed(keep: string): void {
  for (const source of live.keys()) {
    if (liveWeight <= LIVE_WEIGHT_BUDGET) return;
    if (source !== keep) release(source);
  }
}

function recycleBusiestOverBudget(): void {
  if (searchedChars <= SEARCHED_CHARS_BUDGET) return;
  const busiestFirst = [...live.entries()].sort(([, a], [, b]) => b.searchedChars - a.searchedChars);
  for (const [source] of busiestFirst) {
    if (searchedChars <= SEARCHED_CHARS_BUDGET / 2) return;
    release(source);
  }
}

function release(source: string): void {
  const pattern = live.get(source);
  if (!pattern) return;
  live.delete(source);
  liveWeight -= pattern.weight;
  searchedChars -= pattern.searchedChars;
  freeRe2(pattern.re2);
}

/** re2-wasm keeps the compiled regex in an Embind object that only `delete()` frees (not public API in 1.0.2). */
function freeRe2(re2: RE2): void {
  const wrapper = (re2 as unknown as { wrapper?: { delete?: () => void } }).wrapper;
  try {
    wrapper?.delete?.();
  } catch {
    // already freed or the module is gone: nothing left to release
  }
}
