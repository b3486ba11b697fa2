import { ConfigApiErrorCode } from './config-api.exception';
import { problemFor, problemType } from './problem-details.util';

describe('problemFor', () => {
  it.each(Object.values(ConfigApiErrorCode))('maps %s to a client error with a title', (code) => {
    const { status, title } = problemFor(code);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(title.length).toBeGreaterThan(0);
  });

  it('names problem types by code', () => {
    expect(problemType(ConfigApiErrorCode.SiteNotBpo)).toBe('urn:problem:bpo-schedule-sync:site_not_bpo');
  });
});
