import { Priorities, type InvalidMappingRule, type MappingRule, type Resolution } from './mapping-rule.constant';
import { activityMatcher, comparableActivity, validateRule, type ActivityMatcher } from './mapping-rule.util';

/** Distinct activities remembered per rule set; beyond this, activities are resolved without caching. */
const MAX_CACHED_ACTIVITIES = 100_000;

interface RankedRule {
  rule: MappingRule;
  matches: ActivityMatcher;
}

/**
 * An integration's mapping rules, compiled once and ranked (priority, then creation order), with
 * the result for each distinct activity cached: a file of a million rows repeats a handful of
 * activities, so each is matched against the rules once.
 */
export class MappingRuleSet {
  private readonly cache = new Map<string, Resolution>();

  private constructor(
    private readonly ranked: readonly RankedRule[],
    private readonly defaultEventTypeId: string | null,
    /** Rules that never match, with the reason (e.g. a pattern saved before patterns were validated). */
    readonly invalidRules: readonly InvalidMappingRule[],
  ) {}

  static compile(rules: readonly MappingRule[], defaultEventTypeId: string | null): MappingRuleSet {
    const ranked: RankedRule[] = [];
    const invalidRules: InvalidMappingRule[] = [];
    for (const rule of rankRules(rules)) {
      const reason = validateRule(rule);
      if (reason === null) ranked.push({ rule, matches: activityMatcher(rule) });
      else invalidRules.push({ ruleId: rule.id, reason });
    }
    return new MappingRuleSet(ranked, defaultEventTypeId, invalidRules);
  }

  resolve(activity: string): Resolution {
    const cached = this.cache.get(activity);
    if (cached) return cached;
    const resolution = Object.freeze(this.resolveUncached(activity)); // shared between rows: nobody may change it
    if (this.cache.size < MAX_CACHED_ACTIVITIES) this.cache.set(activity, resolution);
    return resolution;
  }

  private resolveUncached(activity: string): Resolution {
    const comparable = comparableActivity(activity);
    const winner = this.ranked.find(({ matches }) => matches(comparable));
    if (winner) return { kind: 'rule', eventTypeId: winner.rule.eventTypeId, ruleId: winner.rule.id };
    if (this.defaultEventTypeId !== null) return { kind: 'default', eventTypeId: this.defaultEventTypeId };
    return { kind: 'unmapped', activity };
  }
}

/** Rules in the order they are tried: highest priority first, then the rule created first. */
export function rankRules(rules: readonly MappingRule[]): MappingRule[] {
  return [...rules].sort((a, b) => priorityRank(a) - priorityRank(b) || creationOrder(a) - creationOrder(b));
}

function priorityRank(rule: MappingRule): number {
  const rank = Priorities.indexOf(rule.priority);
  return rank < 0 ? Priorities.length : rank;
}

function creationOrder(rule: MappingRule): number {
  return Number.isFinite(rule.position) ? rule.position : Number.MAX_SAFE_INTEGER;
}

/** What a set of rules would do to some activities: the "test your rules" view of the config API. */
export function previewMapping(
  activities: readonly string[],
  rules: readonly MappingRule[],
  defaultEventTypeId: string | null,
): Array<{ activity: string; resolution: Resolution }> {
  const set = MappingRuleSet.compile(rules, defaultEventTypeId);
  return activities.map((activity) => ({ activity, resolution: set.resolve(activity) }));
}
