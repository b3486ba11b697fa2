/** How a mapping rule compares its keyword with a row's activity (case-insensitive, trimmed). */
export const MatchTypes = ['exact', 'pattern', 'contains', 'starts_with'] as const;
export type MatchType = (typeof MatchTypes)[number];

/** Highest first: the order in which mapping rules are tried. */
export const Priorities = ['highest', 'high', 'medium', 'low', 'lowest'] as const;
export type Priority = (typeof Priorities)[number];

/** Longest `pattern` keyword accepted (characters, after trimming). */
export const MAX_PATTERN_LENGTH = 500;

/** A customer's rule turning an activity keyword of the integration's files into one of its event types. */
export interface MappingRule {
  id: string;
  matchType: MatchType;
  keyword: string;
  priority: Priority;
  eventTypeId: string;
  /** Creation order; lower = created first. Breaks ties between rules of one priority. */
  position: number;
}

/** What an activity maps to: a rule's event type, the integration's default event type, or nothing. */
export type Resolution =
  | { kind: 'rule'; eventTypeId: string; ruleId: string }
  | { kind: 'default'; eventTypeId: string }
  | { kind: 'unmapped'; activity: string };

/** A stored rule that can never match (e.g. a pattern saved before patterns were validated). */
export interface InvalidMappingRule {
  ruleId: string;
  reason: string;
}
