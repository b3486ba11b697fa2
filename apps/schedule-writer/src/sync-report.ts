import { SYNC_STATUS_MAX_ERRORS, type RowErrorV1, type SyncStatus } from '@bpo/contracts';
import { unknownAgentError } from '@bpo/pipeline';

export { MAX_LINES_NAMED, unknownAgentError } from '@bpo/pipeline';

export interface ReportedError {
  line: number;
  column: string | null;
  code: string;
  message: string;
}

/**
 * Orders a file's row errors by line, and folds the `unknown_agent` errors into one per platform
 * agent id, with its row count and lines: one missing agent is one thing to fix, not a thousand.
 */
export function reportRowErrors(errors: readonly RowErrorV1[]): ReportedError[] {
  const unknownAgents = new Map<string, number[]>();
  const reported: ReportedError[] = [];
  for (const error of errors) {
    if (error.code === 'unknown_agent' && error.subject !== undefined) {
      const lines = unknownAgents.get(error.subject) ?? [];
      lines.push(error.line);
      unknownAgents.set(error.subject, lines);
    } else {
      reported.push({ line: error.line, column: error.column ?? null, code: error.code, message: error.message });
    }
  }
  for (const [platformAgentId, lines] of unknownAgents) {
    lines.sort((a, b) => a - b);
    reported.push(unknownAgentError(platformAgentId, lines.length, lines));
  }
  return reported.sort((a, b) => a.line - b.line);
}

/** The first errors travel on the sync-status topic; the API pages through all of them. */
export function errorsForStatusMessage(errors: readonly ReportedError[]) {
  return errors.slice(0, SYNC_STATUS_MAX_ERRORS).map(({ line, code, message }) => ({ line, code, message }));
}

export function syncStatusOf(outcome: { rowErrors: number; windowDays: number; supersededDays: number }): SyncStatus {
  if (outcome.windowDays > 0 && outcome.supersededDays === outcome.windowDays) return 'superseded';
  return outcome.rowErrors > 0 ? 'succeeded_with_errors' : 'succeeded';
}
