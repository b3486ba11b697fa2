import { partitionLag } from './consumer-lag';

describe('partitionLag', () => {
  it.each([
    ['a group that committed nothing starts from the oldest kept offset', '120', '20', '-1', 100],
    ['no committed offset at all', '5', '0', undefined, 5],
    ['committed offset behind the end', '120', '0', '100', 20],
    ['caught up', '120', '0', '120', 0],
    ['committed offset older than what the broker still keeps', '120', '50', '10', 70],
    ['never negative', '10', '0', '12', 0],
    ['an empty partition', '0', '0', '-1', 0],
  ])('%s', (_what, high, low, committed, lag) => {
    expect(partitionLag(high, low, committed)).toBe(lag);
  });
});
