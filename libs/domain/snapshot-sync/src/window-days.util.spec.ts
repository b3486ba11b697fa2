import { splitWindowDays, windowDays } from './window-days.util';

describe('windowDays', () => {
  it.each([
    ['2025-03-10', '2025-03-10', ['2025-03-10']],
    ['2025-02-27', '2025-03-02', ['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02']],
    ['2024-02-28', '2024-03-01', ['2024-02-28', '2024-02-29', '2024-03-01']],
    ['2025-12-31', '2026-01-01', ['2025-12-31', '2026-01-01']],
    ['2025-03-30', '2025-03-29', []],
    ['2025-02-30', '2025-03-01', []],
    ['2025-3-1', '2025-03-02', []],
  ])('%s .. %s', (from, to, days) => {
    expect(windowDays(from, to)).toEqual(days);
  });
});

describe('splitWindowDays (newest file wins, per day)', () => {
  const window = { from: '2025-03-10', to: '2025-03-13' };
  const fileReceivedAt = '2025-03-09T10:00:00Z';

  it.each([
    ['no file applied yet', 'applied', undefined],
    ['an older file applied', 'applied', '2025-03-09T09:59:59Z'],
    ['this very file applied (a replay)', 'applied', '2025-03-09T10:00:00.000Z'],
    ['a newer file applied', 'superseded', '2025-03-09T10:00:00.001Z'],
  ])('a day with %s is %s', (_, outcome, version) => {
    const dayVersions = new Map(version === undefined ? [] : [['2025-03-11', version]]);
    const split = splitWindowDays(window, fileReceivedAt, dayVersions);
    expect(outcome === 'applied' ? split.applied : split.superseded).toContain('2025-03-11');
    expect(split.applied.length + split.superseded.length).toBe(4);
  });
});
