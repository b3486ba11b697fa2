import type { MatchType, MappingRule } from './mapping-rule.constant';
import { activityMatcher, comparableActivity, validateRule } from './mapping-rule.util';

describe('validateRule', () => {
  const rule = (overrides: Partial<MappingRule>) => ({ matchType: 'exact' as MatchType, keyword: 'Lunch', priority: 'medium' as const, ...overrides });

  it.each([
    [rule({}), null],
    [rule({ matchType: 'contains', keyword: 'break' }), null],
    [rule({ matchType: 'starts_with', keyword: 'Train' }), null],
    [rule({ matchType: 'pattern', keyword: '^(lunch|meal)$' }), null],
    [rule({ keyword: '' }), 'keyword is empty'],
    [rule({ matchType: 'contains', keyword: '   ' }), 'keyword is empty'],
    [rule({ matchType: 'pattern', keyword: '(a)\\1' }), 'backreferences (\\1, \\k<name>) are not supported'],
    [rule({ matchType: 'regex' as MatchType }), "unknown match type 'regex'"],
    [rule({ priority: 'urgent' as MappingRule['priority'] }), "unknown priority 'urgent'"],
  ])('%o -> %s', (candidate, reason) => {
    expect(validateRule(candidate)).toBe(reason);
  });
});

describe('activityMatcher', () => {
  it.each<[MatchType, string, string, boolean]>([
    ['exact', 'Lunch', 'Lunch', true],
    ['exact', 'Lunch', '  lunch ', true],
    ['exact', ' LUNCH ', 'lunch', true],
    ['exact', 'Lunch', 'Lunch break', false],
    ['contains', 'break', 'Coffee Break', true],
    ['contains', 'break', 'Breakfast', true],
    ['contains', 'break', 'Lunch', false],
    ['starts_with', 'Train', 'training: product', true],
    ['starts_with', 'Train', '  TRAIN', true],
    ['starts_with', 'Train', 'Retrain', false],
    ['pattern', '^(lunch|meal)$', 'MEAL', true],
    ['pattern', '^(lunch|meal)$', ' Lunch ', true],
    ['pattern', '^(lunch|meal)$', 'Lunch break', false],
    ['pattern', 'break', 'Coffee break 2', true],
    ['pattern', ' ^coach ', 'Coaching', true],
    ['pattern', 'é', 'CAFÉ', true],
  ])('%s %j against %j -> %s', (matchType, keyword, activity, matches) => {
    expect(activityMatcher({ matchType, keyword })(comparableActivity(activity))).toBe(matches);
  });
});
