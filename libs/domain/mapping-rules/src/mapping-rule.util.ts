import { MatchTypes, Priorities, type MappingRule } from './mapping-rule.constant';
import { validatePattern } from './pattern.util';
import { testLivePattern } from './pattern-engine.util';

/** Why a mapping rule cannot be saved (or used), or null when it is fine. */
export function validateRule(rule: Pick<MappingRule, 'matchType' | 'keyword' | 'priority'>): string | null {
  if (!(MatchTypes as readonly string[]).includes(rule.matchType)) return `unknown match type '${String(rule.matchType)}'`;
  if (!(Priorities as readonly string[]).includes(rule.priority)) return `unknown priority '${String(rule.priority)}'`;
  if (typeof rule.keyword !== 'string' || rule.keyword.trim() === '') return 'keyword is empty';
  return rule.matchType === 'pattern' ? validatePattern(rule.keyword) : null;
}

/** An activity as rules see it: trimmed, and lower-cased once for the plain-text match types. */
export interface ComparableActivity {
  trimmed: string;
  lowered: string;
}

export function comparableActivity(activity: string): ComparableActivity {
  const trimmed = activity.trim();
  return { trimmed, lowered: trimmed.toLowerCase() };
}

export type ActivityMatcher = (activity: ComparableActivity) => boolean;

/** The rule's test, prepared once (keyword trimmed and lower-cased); the rule must be valid. */
export function activityMatcher(rule: Pick<MappingRule, 'matchType' | 'keyword'>): ActivityMatcher {
  const keyword = rule.keyword.trim();
  const lowered = keyword.toLowerCase();
  switch (rule.matchType) {
    case 'exact':
      return (activity) => activity.lowered === lowered;
    case 'contains':
      return (activity) => activity.lowered.includes(lowered);
    case 'starts_with':
      return (activity) => activity.lowered.startsWith(lowered);
    case 'pattern':
      // RE2 folds case itself (flag i), so the trimmed original is searched, not a lower-cased copy
      return (activity) => testLivePattern(keyword, activity.trimmed);
  }
}
