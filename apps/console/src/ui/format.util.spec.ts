import { describe, expect, it } from 'vitest';
import { addDays, dayIn, eventsByAgentAndDay, formatDuration, formatTime } from './format.util';

const event = (id: string, agent: [string, string], type: string, startAt: string, endAt: string, day: string) => ({
  id,
  agent: { id: agent[0], name: agent[1] },
  eventType: { name: type, color: null },
  startAt,
  endAt,
  day,
});

describe('eventsByAgentAndDay', () => {
  it('puts each event in its agent row and day cell, in start order, times in the site zone', () => {
    const rows = eventsByAgentAndDay(
      [
        event('3', ['b', 'Jörg Müller'], 'Phones', '2026-12-02T03:00:00Z', '2026-12-02T11:00:00Z', '2026-12-01'),
        event('2', ['a', 'Ana Reyes'], 'Break', '2026-12-01T17:00:00Z', '2026-12-01T17:15:00Z', '2026-12-01'),
        event('1', ['a', 'Ana Reyes'], 'Phones', '2026-12-01T14:00:00Z', '2026-12-01T17:00:00Z', '2026-12-01'),
      ],
      'America/New_York',
    );
    expect(rows.map((row) => row.agentName)).toEqual(['Ana Reyes', 'Jörg Müller']);
    expect(rows[0].days['2026-12-01'].events.map((e) => `${e.start}-${e.end} ${e.type}`)).toEqual(['09:00-12:00 Phones', '12:00-12:15 Break']);
    // An overnight shift stays on the day it starts (22:00 local), ending the next morning.
    expect(rows[1].days['2026-12-01'].events.map((e) => `${e.start}-${e.end}`)).toEqual(['22:00-06:00']);
  });
});

describe('days and times', () => {
  it('reads a moment in a zone, across DST', () => {
    expect(dayIn('2026-11-01T03:30:00Z', 'America/New_York')).toBe('2026-10-31');
    expect(formatTime('2026-03-08T07:30:00Z', 'America/New_York')).toBe('03:30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('says durations shortly', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
