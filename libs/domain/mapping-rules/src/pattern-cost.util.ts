/**
 * A cheap upper estimate of how big RE2 will compile a pattern, computed BEFORE handing it to RE2.
 *
 * Why: re2-wasm runs in a fixed 16 MiB WebAssembly heap that cannot grow. A short pattern such as
 * `\pL{100}` or `[\p{L}\p{N}]{1000}` expands into tens of MiB while compiling, which aborts the
 * wasm module for the whole process: every later pattern in every integration then fails. So such
 * patterns must be refused without ever being compiled.
 *
 * Weights were measured on re2-wasm 1.0.2 with the `iu` flags: a character class (`.`, `\w`,
 * `[a-z]`, `[^x]`) costs about ten times a literal character (~0.5 KiB vs ~0.05 KiB per copy);
 * Unicode property classes (`\p{…}`) cost ~300 KiB each and are refused outright.
 *
 * Characters outside ASCII cost far more with `iu`: each becomes a case-folded UTF-8 sequence.
 * Measured (copies held until the heap aborted): a non-ASCII literal ~0.2-0.75 KiB (up to 15
 * literal units), a class with non-ASCII members ~2.4-3.4 KiB per copy (about 50 units, plus about
 * half a unit per member). Priced as literals and plain classes, 19 rules like `[ĀĂĄ…]{199}` (100
 * members, estimated 1,990) filled the heap, after which no pattern of any organization compiled.
 */
export const MAX_PATTERN_COST = 2_000;

const LITERAL_COST = 1;
const CLASS_COST = 10;
const NON_ASCII_LITERAL_COST = 20;
const NON_ASCII_CLASS_COST = 50;
const NON_ASCII_CLASS_MEMBER_COST = 1;

type PatternToken =
  | { kind: 'atom'; cost: number }
  | { kind: 'repeat'; times: number }
  | { kind: 'open' }
  | { kind: 'close' }
  | { kind: 'alternation' }
  | { kind: 'none' }
  | { kind: 'unicode-class' };

interface Scanned {
  token: PatternToken;
  next: number;
}

const LITERAL: PatternToken = { kind: 'atom', cost: LITERAL_COST };
const NON_ASCII_LITERAL: PatternToken = { kind: 'atom', cost: NON_ASCII_LITERAL_COST };
const CLASS: PatternToken = { kind: 'atom', cost: CLASS_COST };
const NONE: PatternToken = { kind: 'none' };
const PERL_CLASSES = 'dDwWsSC';
const NAMED_GROUP = /\(\?P?<[A-Za-z0-9_]*>/y;
const FLAG_GROUP = /\(\?[A-Za-z-]*([:)])/y;
const COUNTED_REPEAT = /\{(\d+)(,(\d*))?\}/y;
const HEX_ESCAPE = /\\x(?:\{([0-9A-Fa-f]*)\}?|([0-9A-Fa-f]{0,2}))/y;

export interface PatternCost {
  /** Estimated compiled size in literal-character units, counted repetitions expanded. */
  cost: number;
  usesUnicodeClass: boolean;
}

export function estimatePatternCost(pattern: string): PatternCost {
  const tokens = scanPattern(pattern);
  return { cost: foldCost(tokens), usesUnicodeClass: tokens.some((token) => token.kind === 'unicode-class') };
}

/** Splits a pattern into the pieces that matter for its size; unknown syntax reads as literals (RE2 judges it later). */
function scanPattern(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  let at = 0;
  while (at < pattern.length) {
    const { token, next } = scanOne(pattern, at);
    tokens.push(token);
    at = Math.max(next, at + 1);
  }
  return tokens;
}

function scanOne(pattern: string, at: number): Scanned {
  switch (pattern[at]) {
    case '\\':
      return scanEscape(pattern, at);
    case '[':
      return scanClass(pattern, at);
    case '(':
      return scanGroupOpen(pattern, at);
    case ')':
      return { token: { kind: 'close' }, next: at + 1 };
    case '|':
      return { token: { kind: 'alternation' }, next: at + 1 };
    case '.':
      return { token: CLASS, next: at + 1 };
    case '*':
    case '+':
    case '?':
      return { token: NONE, next: at + 1 }; // a loop or option compiles to about the size of its operand
    case '{':
      return scanCountedRepeat(pattern, at);
    default:
      return { token: isAscii(pattern, at) ? LITERAL : NON_ASCII_LITERAL, next: at + 1 };
  }
}

function isAscii(pattern: string, at: number): boolean {
  return pattern.charCodeAt(at) < 0x80;
}

/** `\xHH` / `\x{H…}` at `at`: where it ends and whether it names a character outside ASCII. */
function scanHexEscape(pattern: string, at: number): { next: number; nonAscii: boolean } | null {
  const hex = stickyMatch(HEX_ESCAPE, pattern, at);
  if (!hex) return null;
  const digits = hex[1] ?? hex[2] ?? '';
  return { next: at + hex[0].length, nonAscii: digits.length > 8 || (digits !== '' && parseInt(digits, 16) >= 0x80) };
}

function scanEscape(pattern: string, at: number): Scanned {
  const escaped = pattern[at + 1];
  if (escaped === 'p' || escaped === 'P') return { token: { kind: 'unicode-class' }, next: at + 2 };
  if (escaped !== undefined && PERL_CLASSES.includes(escaped)) return { token: CLASS, next: at + 2 };
  if (escaped === 'Q') {
    const end = pattern.indexOf('\\E', at + 2);
    const stop = end < 0 ? pattern.length : end;
    let cost = 0;
    for (let index = at + 2; index < stop; index += 1) cost += isAscii(pattern, index) ? LITERAL_COST : NON_ASCII_LITERAL_COST;
    return { token: { kind: 'atom', cost }, next: end < 0 ? stop : end + 2 };
  }
  if (escaped === 'x') {
    const hex = scanHexEscape(pattern, at);
    if (hex) return { token: hex.nonAscii ? NON_ASCII_LITERAL : LITERAL, next: hex.next };
  }
  if (escaped !== undefined && !isAscii(pattern, at + 1)) return { token: NON_ASCII_LITERAL, next: at + 2 };
  if ((escaped === 'x' || escaped === 'u') && pattern[at + 2] === '{') {
    const end = pattern.indexOf('}', at + 3);
    return { token: LITERAL, next: end < 0 ? pattern.length : end + 1 };
  }
  return { token: LITERAL, next: at + 2 };
}

function scanClass(pattern: string, at: number): Scanned {
  let next = at + 1;
  if (pattern[next] === '^') next += 1;
  if (pattern[next] === ']') next += 1; // a leading ] is a literal member
  let unicode = false;
  let nonAscii = false;
  let members = 0;
  while (next < pattern.length && pattern[next] !== ']') {
    members += 1;
    if (pattern[next] === '\\') {
      unicode ||= pattern[next + 1] === 'p' || pattern[next + 1] === 'P';
      const hex = pattern[next + 1] === 'x' ? scanHexEscape(pattern, next) : null;
      nonAscii ||= hex ? hex.nonAscii : next + 1 < pattern.length && !isAscii(pattern, next + 1);
      next = hex ? hex.next : next + 2;
    } else if (pattern.startsWith('[:', next)) {
      const end = pattern.indexOf(':]', next + 2);
      next = end < 0 ? next + 1 : end + 2;
    } else {
      nonAscii ||= !isAscii(pattern, next);
      next += 1;
    }
  }
  if (unicode) return { token: { kind: 'unicode-class' }, next: next + 1 };
  const cost = nonAscii ? NON_ASCII_CLASS_COST + members * NON_ASCII_CLASS_MEMBER_COST : CLASS_COST;
  return { token: { kind: 'atom', cost }, next: next + 1 };
}

function scanGroupOpen(pattern: string, at: number): Scanned {
  if (pattern[at + 1] !== '?') return { token: { kind: 'open' }, next: at + 1 };
  const named = stickyMatch(NAMED_GROUP, pattern, at);
  if (named) return { token: { kind: 'open' }, next: at + named[0].length };
  const flags = stickyMatch(FLAG_GROUP, pattern, at);
  if (flags) return { token: flags[1] === ':' ? { kind: 'open' } : NONE, next: at + flags[0].length };
  return { token: { kind: 'open' }, next: at + 2 }; // lookaround and the like: RE2 refuses them afterwards
}

function scanCountedRepeat(pattern: string, at: number): Scanned {
  const counted = stickyMatch(COUNTED_REPEAT, pattern, at);
  if (!counted) return { token: LITERAL, next: at + 1 }; // `{` that is not a repetition is a literal in RE2
  const min = Number(counted[1]);
  const max = counted[2] === undefined ? min : counted[3] ? Number(counted[3]) : min + 1;
  return { token: { kind: 'repeat', times: Math.max(min, max) }, next: at + counted[0].length };
}

function stickyMatch(sticky: RegExp, text: string, at: number): RegExpExecArray | null {
  sticky.lastIndex = at;
  return sticky.exec(text);
}

interface GroupCost {
  cost: number;
  /** Cost of the last atom or group, the operand of a following repetition. */
  last: number;
}

/** Adds the tokens up, with a counted repetition multiplying the atom or group before it. */
function foldCost(tokens: readonly PatternToken[]): number {
  const groups: GroupCost[] = [{ cost: 0, last: 0 }];
  for (const token of tokens) {
    const group = groups[groups.length - 1];
    if (token.kind === 'atom') {
      group.cost += token.cost;
      group.last = token.cost;
    } else if (token.kind === 'unicode-class') {
      group.cost += CLASS_COST;
      group.last = CLASS_COST;
    } else if (token.kind === 'repeat') {
      group.cost += group.last * (token.times - 1);
      group.last *= token.times;
    } else if (token.kind === 'alternation') {
      group.last = 0;
    } else if (token.kind === 'open') {
      groups.push({ cost: 0, last: 0 });
    } else if (token.kind === 'close' && groups.length > 1) {
      const closed = groups.pop() as GroupCost;
      const parent = groups[groups.length - 1];
      parent.cost += closed.cost;
      parent.last = closed.cost;
    }
  }
  return groups.reduce((total, group) => total + group.cost, 0);
}
