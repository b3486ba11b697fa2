import fc from 'fast-check';
import { MatchTypes, Priorities, type MappingRule, type MatchType, type Priority } from './mapping-rule.constant';
import { MappingRuleSet, previewMapping, rankRules } from './mapping-rule-set.util';

let nextPosition = 1;
function rule(id: string, matchType: MatchType, keyword: string, priority: Priority = 'medium', position = nextPosition++): MappingRule {
  return { id, matchType, keyword, priority, eventTypeId: `type-${id}`, position };
}
const byRule = (ruleId: string) => ({ kind: 'rule', eventTypeId: `type-${ruleId}`, ruleId });

describe('MappingRuleSet.resolve', () => {
  describe.each<[MatchType, string, Array<[string, boolean]>]>([
    ['exact', 'Lunch', [['Lunch', true], ['lunch', true], [' LUNCH\t', true], ['Lunch break', false], ['Lunc', false]]],
    ['contains', 'break', [['Break', true], ['Coffee break', true], ['breakfast', true], ['brake', false]]],
    ['starts_with', 'train', [['Training', true], ['  train', true], ['Retrain', false], ['tra', false]]],
    ['pattern', '^(lunch|meal)s?$', [['Lunch', true], ['MEALS', true], [' meal ', true], ['Lunch break', false]]],
    ['pattern', 'off.?phone', [['Off phone', true], ['offphone work', true], ['Off the phone', false]]],
  ])('%s %j', (matchType, keyword, cases) => {
    const set = MappingRuleSet.compile([rule('r', matchType, keyword)], null);
    it.each(cases)('%j matches: %s', (activity, matches) => {
      expect(set.resolve(activity)).toEqual(matches ? byRule('r') : { kind: 'unmapped', activity });
    });
  });

  it.each<[Priority, Priority, string]>([
    ['highest', 'high', 'a'],
    ['low', 'high', 'b'],
    ['lowest', 'medium', 'b'],
    ['medium', 'lowest', 'a'],
  ])('the higher priority wins (%s vs %s)', (first, second, winner) => {
    const set = MappingRuleSet.compile([rule('a', 'contains', 'break', first, 1), rule('b', 'exact', 'coffee break', second, 2)], null);
    expect(set.resolve('Coffee break')).toEqual(byRule(winner));
  });

  it('a tie of priority goes to the rule created first, whatever the input order', () => {
    const later = rule('later', 'contains', 'break', 'high', 20);
    const earlier = rule('earlier', 'starts_with', 'coffee', 'high', 10);
    expect(MappingRuleSet.compile([later, earlier], null).resolve('Coffee break')).toEqual(byRule('earlier'));
    expect(MappingRuleSet.compile([earlier, later], null).resolve('Coffee break')).toEqual(byRule('earlier'));
  });

  it.each([
    ['default-type', 'Unknown activity', { kind: 'default', eventTypeId: 'default-type' }],
    [null, 'Unknown activity', { kind: 'unmapped', activity: 'Unknown activity' }],
    ['default-type', 'Lunch', byRule('lunch')],
  ])('with default %s, %j resolves to %o', (defaultEventTypeId, activity, resolution) => {
    const set = MappingRuleSet.compile([rule('lunch', 'exact', 'lunch')], defaultEventTypeId);
    expect(set.resolve(activity)).toEqual(resolution);
  });

  it('an unmapped activity is reported as written in the file', () => {
    expect(MappingRuleSet.compile([], null).resolve('  Gym  ')).toEqual({ kind: 'unmapped', activity: '  Gym  ' });
  });

  it('rules that cannot be used are listed and never match; the others still do', () => {
    const set = MappingRuleSet.compile(
      [
        rule('lookahead', 'pattern', '(?=lunch)lunch', 'highest'),
        rule('backreference', 'pattern', '(l)\\1', 'highest'),
        rule('huge', 'pattern', '\\pL{1000}', 'highest'),
        rule('empty', 'contains', '  ', 'highest'),
        rule('good', 'contains', 'lunch', 'lowest'),
      ],
      null,
    );
    expect(set.invalidRules.map((invalid) => invalid.ruleId)).toEqual(['lookahead', 'backreference', 'huge', 'empty']);
    expect(set.invalidRules.every((invalid) => invalid.reason.length > 0)).toBe(true);
    expect(set.resolve('Lunch')).toEqual(byRule('good'));
  });

  it("a catastrophic-backtracking activity resolves quickly against '(a+)+$'", () => {
    const set = MappingRuleSet.compile([rule('r', 'pattern', '(a+)+$')], 'default-type');
    const started = performance.now();
    expect(set.resolve(`${'a'.repeat(50_000)}b`)).toEqual({ kind: 'default', eventTypeId: 'default-type' });
    expect(set.resolve('a'.repeat(50_000))).toEqual(byRule('r'));
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('a million rows of a few activities resolve fast, each activity matched once', () => {
    const rules = [
      rule('lunch', 'pattern', '^(lunch|meal)$', 'high'),
      rule('break', 'contains', 'break'),
      rule('train', 'starts_with', 'train', 'low'),
      ...Array.from({ length: 50 }, (_, index) => rule(`p${index}`, 'pattern', `^skill-${index}\\b`, 'lowest')),
    ];
    const set = MappingRuleSet.compile(rules, null);
    const activities = ['Lunch', 'Coffee break', 'Training', 'Phone', 'skill-42 queue', ' Lunch '];
    const started = performance.now();
    for (let row = 0; row < 1_000_000; row += 1) set.resolve(activities[row % activities.length]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(set.resolve('skill-42 queue')).toEqual(byRule('p42'));
    expect(set.resolve('Lunch')).toBe(set.resolve('Lunch')); // cached, and frozen so no caller can alter it
    expect(Object.isFrozen(set.resolve('Lunch'))).toBe(true);
  });
});

describe('rankRules', () => {
  it('orders by priority, then position', () => {
    const ranked = rankRules([rule('c', 'exact', 'x', 'low', 1), rule('b', 'exact', 'x', 'highest', 9), rule('a', 'exact', 'x', 'highest', 3)]);
    expect(ranked.map((ranking) => ranking.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('previewMapping', () => {
  it('shows what each activity would become', () => {
    const preview = previewMapping(['Lunch', 'Gym', 'Coffee break'], [rule('lunch', 'exact', 'lunch'), rule('break', 'contains', 'break')], null);
    expect(preview).toEqual([
      { activity: 'Lunch', resolution: byRule('lunch') },
      { activity: 'Gym', resolution: { kind: 'unmapped', activity: 'Gym' } },
      { activity: 'Coffee break', resolution: byRule('break') },
    ]);
  });
});

describe('property: the winner is the best-ranked matching rule', () => {
  const plainKeywords = ['a', 'b', 'ab', 'ba', 'c', ' A ', 'B ', 'abc'];
  const patterns = ['a', '^b', 'a$', 'a.b', '(a|c)b', 'b+a', '^$', 'C'];
  const someRule = fc.record({
    matchType: fc.constantFrom(...MatchTypes),
    plain: fc.constantFrom(...plainKeywords),
    pattern: fc.constantFrom(...patterns),
    priority: fc.constantFrom(...Priorities),
    position: fc.integer({ min: 0, max: 8 }), // repeats on purpose: ties then keep the given order
  });
  const someActivity = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'B', ' '), maxLength: 6 });

  /** The rules as the product describes them, written the obvious way. */
  function matchesNaively(candidate: MappingRule, activity: string): boolean {
    const text = activity.trim().toLowerCase();
    const keyword = candidate.keyword.trim().toLowerCase();
    if (candidate.matchType === 'exact') return text === keyword;
    if (candidate.matchType === 'contains') return text.includes(keyword);
    if (candidate.matchType === 'starts_with') return text.startsWith(keyword);
    return new RegExp(candidate.keyword.trim(), 'iu').test(activity.trim());
  }
  const rank = (candidate: MappingRule, index: number) => [Priorities.indexOf(candidate.priority), candidate.position, index];
  const ranksBefore = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

  it('holds for random rules and activities', () => {
    fc.assert(
      fc.property(fc.array(someRule, { maxLength: 8 }), fc.array(someActivity, { maxLength: 8 }), fc.option(fc.constant('default-type')), (drafts, activities, defaultEventTypeId) => {
        const rules = drafts.map((draft, index): MappingRule => ({
          id: `r${index}`,
          matchType: draft.matchType,
          keyword: draft.matchType === 'pattern' ? draft.pattern : draft.plain,
          priority: draft.priority,
          eventTypeId: `type-r${index}`,
          position: draft.position,
        }));
        const set = MappingRuleSet.compile(rules, defaultEventTypeId);
        for (const activity of activities) {
          const resolution = set.resolve(activity);
          const matching = rules.map((candidate, index) => ({ candidate, index })).filter(({ candidate }) => matchesNaively(candidate, activity));
          if (resolution.kind !== 'rule') {
            expect(matching).toEqual([]);
            expect(resolution.kind).toBe(defaultEventTypeId === null ? 'unmapped' : 'default');
            continue;
          }
          const winnerIndex = rules.findIndex((candidate) => candidate.id === resolution.ruleId);
          expect(matchesNaively(rules[winnerIndex], activity)).toBe(true);
          const winnerRank = rank(rules[winnerIndex], winnerIndex);
          expect(matching.filter(({ candidate, index }) => ranksBefore(rank(candidate, index), winnerRank) < 0)).toEqual([]);
          expect(resolution.eventTypeId).toBe(rules[winnerIndex].eventTypeId);
        }
      }),
      { numRuns: 500 },
    );
  });
});
