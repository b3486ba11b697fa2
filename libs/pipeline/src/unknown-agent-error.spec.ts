import { MAX_LINES_NAMED, unknownAgentError } from './unknown-agent-error';

describe('unknownAgentError', () => {
  it('names the id, its row count and its lines', () => {
    expect(unknownAgentError('ZZ9', 2, [7, 8])).toEqual({
      line: 7,
      column: 'agent_id',
      code: 'unknown_agent',
      message: 'no agent of the site has platform id "ZZ9": 2 rows (lines 7, 8)',
    });
    expect(unknownAgentError('A1', 1, [3]).message).toBe('no agent of the site has platform id "A1": 1 row (line 3)');
  });

  it(`names at most ${MAX_LINES_NAMED} lines, then "..."`, () => {
    const lines = Array.from({ length: 12 }, (_, index) => index + 2);
    expect(unknownAgentError('B2', 40, lines).message).toBe('no agent of the site has platform id "B2": 40 rows (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...)');
  });
});
