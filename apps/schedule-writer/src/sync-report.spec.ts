import { errorsForStatusMessage, reportRowErrors, syncStatusOf } from './sync-report';

describe('sync report', () => {
  it('reports unknown agents once per id with their row count and lines, sorted by line', () => {
    const reported = reportRowErrors([
      { line: 9, code: 'unknown_agent', message: 'x', subject: 'B7', column: 'agent_id' },
      { line: 4, code: 'invalid_time', message: 'start_time "25:00" is not a time', column: 'start_time' },
      { line: 3, code: 'unknown_agent', message: 'x', subject: 'B7', column: 'agent_id' },
      { line: 5, code: 'unknown_agent', message: 'x', subject: 'C1', column: 'agent_id' },
    ]);
    expect(reported).toEqual([
      { line: 3, column: 'agent_id', code: 'unknown_agent', message: 'no agent of the site has platform id "B7": 2 rows (lines 3, 9)' },
      { line: 4, column: 'start_time', code: 'invalid_time', message: 'start_time "25:00" is not a time' },
      { line: 5, column: 'agent_id', code: 'unknown_agent', message: 'no agent of the site has platform id "C1": 1 row (line 5)' },
    ]);
  });

  it('names at most ten lines of one unknown agent', () => {
    const errors = Array.from({ length: 12 }, (_, i) => ({ line: i + 2, code: 'unknown_agent' as const, message: 'x', subject: 'Z' }));
    expect(reportRowErrors(errors)[0].message).toBe('no agent of the site has platform id "Z": 12 rows (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...)');
  });

  it('puts the first 100 errors on the status message', () => {
    const errors = Array.from({ length: 150 }, (_, i) => ({ line: i, column: null, code: 'invalid_time', message: 'm' }));
    expect(errorsForStatusMessage(errors)).toHaveLength(100);
    expect(errorsForStatusMessage(errors)[0]).toEqual({ line: 0, code: 'invalid_time', message: 'm' });
  });

  it('derives the status', () => {
    expect(syncStatusOf({ rowErrors: 0, windowDays: 3, supersededDays: 0 })).toBe('succeeded');
    expect(syncStatusOf({ rowErrors: 2, windowDays: 3, supersededDays: 1 })).toBe('succeeded_with_errors');
    expect(syncStatusOf({ rowErrors: 0, windowDays: 3, supersededDays: 3 })).toBe('superseded');
    expect(syncStatusOf({ rowErrors: 1, windowDays: 0, supersededDays: 0 })).toBe('succeeded_with_errors');
  });
});
