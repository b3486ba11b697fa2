export * from './snapshot-sync.types';
export * from './window-days.util';
export * from './snapshot-plan.util';
export * from './apply-snapshot-plan.util';
export * from './day-chunks.util';
export * from './day-routes.util';
export * from './agent-day-digest.util';
