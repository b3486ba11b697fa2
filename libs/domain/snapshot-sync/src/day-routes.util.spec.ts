import { routeDays, type DayComparison } from './day-routes.util';

const compare = (day: string, fields: Partial<DayComparison>): DayComparison => ({ day, staged: 3, stored: 3, identical: true, fromCutoff: true, ...fields });

describe('routeDays', () => {
  it('leaves identical days alone, creates days with nothing stored, and plans the rest', () => {
    const routes = routeDays(
      ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05'],
      [
        compare('2026-12-01', {}),
        compare('2026-12-02', { stored: 0, identical: false }),
        compare('2026-12-03', { identical: false }),
        compare('2026-12-04', { staged: 0, stored: 2, identical: false }),
      ],
    );
    expect(routes).toEqual({ unchanged: ['2026-12-01'], unchangedEvents: 3, created: ['2026-12-02'], planned: ['2026-12-03', '2026-12-04'] });
  });

  it('plans an identical day that holds past events: past events are neither kept by count nor rewritten', () => {
    expect(routeDays(['2026-12-01'], [compare('2026-12-01', { fromCutoff: false })]).planned).toEqual(['2026-12-01']);
  });

  it('plans a day whose counts differ even when every event found its twin (duplicates stored earlier)', () => {
    expect(routeDays(['2026-12-01'], [compare('2026-12-01', { staged: 2, stored: 3 })]).planned).toEqual(['2026-12-01']);
  });

  it('creates a day with nothing stored even with past events: the creation skips and counts them', () => {
    expect(routeDays(['2026-12-01'], [compare('2026-12-01', { stored: 0, identical: false, fromCutoff: false })]).created).toEqual(['2026-12-01']);
  });

  it('writes nothing on days that are not applied (a newer file owns them)', () => {
    expect(routeDays(['2026-12-02'], [compare('2026-12-01', { stored: 0 })])).toEqual({ unchanged: [], unchangedEvents: 0, created: [], planned: [] });
  });
});
