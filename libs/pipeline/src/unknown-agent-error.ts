/** Lines named in an `unknown_agent` error; more are shown as `...`. */
export const MAX_LINES_NAMED = 10;

/**
 * One platform agent id that no agent of the site has, with how many rows name it and (the first
 * of) their lines in order: one missing agent is one thing to fix, reported once. The sync report
 * (schedule-writer) and the dry run (config-api) word it alike. `firstLines` may be cut to
 * MAX_LINES_NAMED + 1 by the caller.
 */
export function unknownAgentError(platformAgentId: string, rows: number, firstLines: readonly number[]) {
  const named = firstLines.slice(0, MAX_LINES_NAMED).join(', ') + (rows > MAX_LINES_NAMED ? ', ...' : '');
  return {
    line: firstLines[0],
    column: 'agent_id' as const,
    code: 'unknown_agent' as const,
    message: `no agent of the site has platform id "${platformAgentId}": ${rows} row${rows === 1 ? '' : 's'} (line${rows === 1 ? '' : 's'} ${named})`,
  };
}
