import { MantineProvider } from '@mantine/core';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Integration, Site } from '../api/api.types';
import { jsonResponse, renderSignedIn } from '../test-providers';
import { dayIn } from '../ui/format.util';
import { startOfDayIn, timelineOfDay } from '../ui/timeline.util';
import { SchedulePanel } from './schedule.panel';
import { ScheduleTimeline } from './schedule-timeline';

const event = (id: string, agent: [string, string], type: string, startAt: string, endAt: string, day = startAt.slice(0, 10)) => ({
  id,
  agent: { id: agent[0], name: agent[1] },
  eventType: { name: type, color: type === 'Break' ? '#2f9e44' : null },
  startAt,
  endAt,
  day,
});

const block = (id: string) => screen.getByTestId(`timeline-block-${id}`);
const place = (element: HTMLElement) => `${element.style.left} ${element.style.width}`;

describe('ScheduleTimeline: placement in the site zone', () => {
  it('places blocks by real time on the day clocks go forward (23 hours), with local times, cutting an overnight shift at midnight', () => {
    // America/New_York, Sunday 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z); the day runs 05:00Z to 04:00Z next day.
    render(
      <MantineProvider>
        <ScheduleTimeline
          day="2026-03-08"
          timeZone="America/New_York"
          events={[
            event('night', ['b', 'Jörg Müller'], 'Phones', '2026-03-08T03:00:00Z', '2026-03-08T10:00:00Z', '2026-03-07'),
            event('early', ['a', 'Ana Reyes'], 'Phones', '2026-03-08T06:00:00Z', '2026-03-08T08:00:00Z'),
            event('day', ['a', 'Ana Reyes'], 'Break', '2026-03-08T13:00:00Z', '2026-03-08T21:00:00Z'),
            event('tomorrow', ['a', 'Ana Reyes'], 'Phones', '2026-03-09T13:00:00Z', '2026-03-09T21:00:00Z', '2026-03-09'),
          ]}
        />
      </MantineProvider>,
    );
    const timeline = screen.getByRole('region', { name: 'Timeline of Sun, Mar 8, times in America/New_York' });
    // 01:00-04:00 local is 2 real hours: from 1/23 of the day, 2/23 wide.
    expect(place(block('early'))).toBe('4.348% 8.696%');
    expect(block('early').getAttribute('aria-label')).toBe('Phones, 01:00 to 04:00');
    // 09:00-17:00 EDT starts 8 real hours after midnight EST.
    expect(place(block('day'))).toBe('34.783% 34.783%');
    // 22:00 the evening before to 06:00: shown from midnight, 5 real hours.
    expect(place(block('night'))).toBe('0% 21.739%');
    expect(block('night').getAttribute('aria-label')).toBe('Phones, from the day before, 22:00 to 06:00');
    expect(screen.queryByTestId('timeline-block-tomorrow')).toBeNull();
    // One row per agent, by name, each a list of its blocks named by the agent.
    const rows = within(timeline).getAllByRole('list');
    expect(rows.map((row) => row.getAttribute('aria-labelledby')).map((id) => document.getElementById(id!)?.textContent)).toEqual(['Ana Reyes', 'Jörg Müller']);
    expect(within(rows[0]).getAllByRole('listitem').map((item) => item.getAttribute('aria-label'))).toEqual(['Phones, 01:00 to 04:00', 'Break, 09:00 to 17:00']);
    expect(timeline.textContent).toContain('This day has 23 hours (daylight saving)');
  });

  it('labels each real hour with its local clock time: no 02:00 going forward, 01:00 twice going back', () => {
    expect(timelineOfDay([], '2026-03-08', 'America/New_York').ticks.map((tick) => tick.label).slice(0, 4)).toEqual(['00:00', '01:00', '03:00', '04:00']);
    const back = timelineOfDay([event('x', ['a', 'Ana'], 'Phones', '2026-11-01T14:00:00Z', '2026-11-01T22:00:00Z')], '2026-11-01', 'America/New_York');
    expect(back.hours).toBe(25);
    expect(back.ticks.map((tick) => tick.label).slice(0, 4)).toEqual(['00:00', '01:00', '01:00', '02:00']);
    // 09:00-17:00 EST is 10 real hours after midnight EDT, 8 long, on a 25-hour day.
    expect(back.rows[0].blocks[0]).toMatchObject({ start: '09:00', end: '17:00', leftPct: 40, widthPct: 32 });
    expect(timelineOfDay([], '2026-12-01', 'Asia/Manila').hours).toBe(24);
    expect(new Date(startOfDayIn('2026-12-01', 'Asia/Manila')).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(new Date(startOfDayIn('2026-03-29', 'Europe/Paris')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });
});

describe('SchedulePanel: table and timeline', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('toggles between the table (kept, the default) and the timeline of a day', async () => {
    const zone = 'Asia/Manila';
    const today = dayIn(new Date(), zone);
    const site = { id: 's1', name: 'Manila BPO', timezone: zone, isBpo: true, integrationId: 'i1', createdAt: '2026-01-01T00:00:00Z' } as Site;
    const integration = { id: 'i1', siteId: 's1', targetScheduleId: null } as Integration;
    // 09:00-17:00 Manila time (UTC+8) today.
    const startAt = new Date(Date.parse(`${today}T01:00:00Z`)).toISOString();
    const endAt = new Date(Date.parse(`${today}T09:00:00Z`)).toISOString();
    vi.stubGlobal('fetch', async (input: string) => {
      const path = input.split('?')[0];
      if (path === '/v1/schedules') return jsonResponse(200, { items: [{ id: 'sc1', name: 'Default', isDefault: true, createdAt: '2026-01-01T00:00:00Z' }] });
      if (path === '/v1/events') return jsonResponse(200, { items: [{ ...event('e1', ['a', 'Ana Reyes'], 'Phones', startAt, endAt), day: today }], nextCursor: null });
      if (path === '/v1/me') return jsonResponse(200, { organization: { id: 'o1', name: 'Acme', timezone: zone }, token: { id: 't', name: 'x' }, role: 'basic', permissions: ['read'] });
      return jsonResponse(404, { status: 404, title: 'Not Found' }, 'application/problem+json');
    });
    renderSignedIn(<SchedulePanel integration={integration} site={site} />);
    expect(await screen.findByRole('table', { name: `Events by agent and day, times in ${zone}` })).toBeTruthy();
    await userEvent.click(screen.getByRole('radio', { name: 'Timeline' }));
    const timeline = await screen.findByRole('region', { name: /^Timeline of .*, times in Asia\/Manila$/ });
    expect(within(timeline).getByRole('listitem').getAttribute('aria-label')).toBe('Phones, 09:00 to 17:00');
    expect(place(block('e1'))).toBe('37.5% 33.333%');
    expect(screen.queryByRole('table', { name: /Events by agent and day/ })).toBeNull();
    await userEvent.click(screen.getByRole('radio', { name: 'Table' }));
    expect(await screen.findByRole('table', { name: `Events by agent and day, times in ${zone}` })).toBeTruthy();
  });
});
