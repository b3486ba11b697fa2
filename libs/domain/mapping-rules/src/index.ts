export * from './mapping-rule.constant';
export * from './pattern-cost.util';
export * from './pattern-engine.util';
export * from './pattern.util';
export * from './mapping-rule.util';
export * from './mapping-rule-set.util';
