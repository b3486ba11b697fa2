import type { Platform } from '@bpo/contracts';
import { resolveHeader } from './header.util';
import { templateFor, type DateOrder } from './platform-template.constant';
import { isoRow, readScheduleFile, rowsOf, type IsoRow } from './schedule-file.spec-helper';
import { readRow, type RowContext, type RowProblem } from './schedule-row.util';

const context = (timezone: string, dateOrder: DateOrder, siteTimezone = timezone): RowContext => ({ timezone, siteTimezone, dateOrder });

/** Realistic exports of each platform: natural delimiter, aliases, extra columns, overnight shifts, names with delimiters. */
const exports: Array<[Platform, string, RowContext, Omit<IsoRow, 'line'>[]]> = [
  [
    'custom',
    [
      'Agent ID,Agent Name,Start,End,Activity,Team',
      'A-1001,"Rivera, Ana",2025-11-03T08:00:00,2025-11-03T16:30:00,Phone,East',
      'A-1002,Li Wei,2025-11-03T22:00:00-05:00,2025-11-04T06:00:00-05:00,Phone,East',
      'A-1003,,2025-11-03 09:00,2025-11-03 09:30:00,Break,',
      'A-1004,"Jo ""JJ"" Park",2025-11-03T12:00:00Z,2025-11-03T13:00:00.000Z,Lunch,East',
      '',
    ].join('\r\n'),
    context('America/New_York', 'YYYY-MM-DD'),
    [
      { platformAgentId: 'A-1001', agentName: 'Rivera, Ana', activity: 'Phone', startAt: '2025-11-03T13:00:00.000Z', endAt: '2025-11-03T21:30:00.000Z', day: '2025-11-03' },
      { platformAgentId: 'A-1002', agentName: 'Li Wei', activity: 'Phone', startAt: '2025-11-04T03:00:00.000Z', endAt: '2025-11-04T11:00:00.000Z', day: '2025-11-03' },
      { platformAgentId: 'A-1003', activity: 'Break', startAt: '2025-11-03T14:00:00.000Z', endAt: '2025-11-03T14:30:00.000Z', day: '2025-11-03' },
      { platformAgentId: 'A-1004', agentName: 'Jo "JJ" Park', activity: 'Lunch', startAt: '2025-11-03T12:00:00.000Z', endAt: '2025-11-03T13:00:00.000Z', day: '2025-11-03' },
    ],
  ],
  [
    'nice_iex',
    [
      '#fields:muID|tvID|name|schedDate|excDate|excCode|excName|startTime|stopTime|lengthMinutes|TZ|skill',
      '100|40117|Garcia, Maria|11032025|11032025|OPEN|Open|8:00 AM|4:30 PM|510|America/New_York|S1',
      "100|40118|O'Brien, Sean|11032025|11032025|OPEN|Open|22:00|06:00|480||S1",
      "100|40118|O'Brien, Sean|11032025|11042025|BRK|Break|01:00|01:15|15||S1",
      '100|40119|Kim|11032025||LUNCH|Lunch|12:00 PM||60|-05:00|S2',
    ].join('\n'),
    context('America/Chicago', 'MMDDYYYY'),
    [
      { platformAgentId: '40117', agentName: 'Garcia, Maria', activity: 'OPEN', startAt: '2025-11-03T13:00:00.000Z', endAt: '2025-11-03T21:30:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
      // Overnight: the stop is not after the start, so it is on the next day.
      { platformAgentId: '40118', agentName: "O'Brien, Sean", activity: 'OPEN', startAt: '2025-11-04T04:00:00.000Z', endAt: '2025-11-04T12:00:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
      // After midnight: excDate places the segment, schedDate stays the schedule day.
      { platformAgentId: '40118', agentName: "O'Brien, Sean", activity: 'BRK', startAt: '2025-11-04T07:00:00.000Z', endAt: '2025-11-04T07:15:00.000Z', day: '2025-11-04', scheduleDay: '2025-11-03' },
      // excDate blank: schedDate; stopTime blank: the length; TZ a fixed offset.
      { platformAgentId: '40119', agentName: 'Kim', activity: 'LUNCH', startAt: '2025-11-03T17:00:00.000Z', endAt: '2025-11-03T18:00:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
    ],
  ],
  [
    'verint',
    [
      'Emp ID|Employee Name|Organization|Shift Event|Start Time|End Time|Duration|Time Zone|Skill',
      '10452|Smith, John|Tier 1, Phones|Phone|11/03/2025 08:00|11/03/2025 16:30||America/Chicago|EN',
      '10453|Patel, Priya|Tier 1, Phones|Phone|11/03/2025 10:00 PM|11/04/2025 6:00 AM|||EN',
      '10454|Lee|Tier 2|Training|11/04/2025 09:00||90|UTC-5|EN',
      '10455|Novak|Tier 2|Phone|2025-11-04T09:00:00-08:00|2025-11-04T17:00:00-08:00|||',
    ].join('\r\n'),
    context('America/Chicago', 'MM/DD/YYYY'),
    [
      { platformAgentId: '10452', agentName: 'Smith, John', activity: 'Phone', startAt: '2025-11-03T14:00:00.000Z', endAt: '2025-11-03T22:30:00.000Z', day: '2025-11-03' },
      { platformAgentId: '10453', agentName: 'Patel, Priya', activity: 'Phone', startAt: '2025-11-04T04:00:00.000Z', endAt: '2025-11-04T12:00:00.000Z', day: '2025-11-03' },
      { platformAgentId: '10454', agentName: 'Lee', activity: 'Training', startAt: '2025-11-04T14:00:00.000Z', endAt: '2025-11-04T15:30:00.000Z', day: '2025-11-04' },
      { platformAgentId: '10455', agentName: 'Novak', activity: 'Phone', startAt: '2025-11-04T17:00:00.000Z', endAt: '2025-11-05T01:00:00.000Z', day: '2025-11-04' },
    ],
  ],
  [
    'injixo',
    [
      'Personnel No.;Name;Planning unit;Activity;Begin;Until;Duration;Time zone;Comment',
      'P-2001;Müller, Anna;Service Desk DE;Telephone;03/11/2025 08:00;03/11/2025 16:30;510;;',
      'P-2002;Schmidt, Jonas;Service Desk DE;Telephone;03/11/2025 22:00;04/11/2025 06:00;;;"Nachtschicht; Team B"',
      'P-2003;"Rossi; Marco";Service Desk IT;Email;2025-11-04T09:00:00+01:00;;45;;',
      'P-2004;Dubois;Service Desk UK;Chat;04.11.2025 09:00;04.11.2025 17:00;;Europe/London;',
    ].join('\r\n'),
    context('Europe/Berlin', 'DD/MM/YYYY'),
    [
      { platformAgentId: 'P-2001', agentName: 'Müller, Anna', activity: 'Telephone', startAt: '2025-11-03T07:00:00.000Z', endAt: '2025-11-03T15:30:00.000Z', day: '2025-11-03' },
      { platformAgentId: 'P-2002', agentName: 'Schmidt, Jonas', activity: 'Telephone', startAt: '2025-11-03T21:00:00.000Z', endAt: '2025-11-04T05:00:00.000Z', day: '2025-11-03' },
      { platformAgentId: 'P-2003', agentName: 'Rossi; Marco', activity: 'Email', startAt: '2025-11-04T08:00:00.000Z', endAt: '2025-11-04T08:45:00.000Z', day: '2025-11-04' },
      { platformAgentId: 'P-2004', agentName: 'Dubois', activity: 'Chat', startAt: '2025-11-04T09:00:00.000Z', endAt: '2025-11-04T17:00:00.000Z', day: '2025-11-04' },
    ],
  ],
  [
    'alvaria',
    [
      'Employee ID,Employee Name,MU,Nominal Date,Segment,Start,Stop,Duration,Time Zone,Notes',
      'E-3001,"Nguyen, Anh",MU East,11/03/2025,OPEN,08:00,16:30,,America/Chicago,',
      'E-3002,"Okafor, Chidi",MU East,11/03/2025,OPEN,22:00,06:00,,,"Covers the ""night"" queue"',
      'E-3002,"Okafor, Chidi",MU East,11/03/2025,BREAK,11/04/2025 02:00,11/04/2025 02:15,,,',
      'E-3003,Ito,MU West,11/03/2025,TRAINING,1:00 PM,,120,America/Los_Angeles,',
      'E-3004,Rao,MU West,11/03/2025,OPEN,11/03/2025 23:00,07:00,,,',
    ].join('\r\n'),
    context('America/Chicago', 'MM/DD/YYYY'),
    [
      { platformAgentId: 'E-3001', agentName: 'Nguyen, Anh', activity: 'OPEN', startAt: '2025-11-03T14:00:00.000Z', endAt: '2025-11-03T22:30:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
      { platformAgentId: 'E-3002', agentName: 'Okafor, Chidi', activity: 'OPEN', startAt: '2025-11-04T04:00:00.000Z', endAt: '2025-11-04T12:00:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
      // Past midnight with dates: the nominal date still names the shift's day.
      { platformAgentId: 'E-3002', agentName: 'Okafor, Chidi', activity: 'BREAK', startAt: '2025-11-04T08:00:00.000Z', endAt: '2025-11-04T08:15:00.000Z', day: '2025-11-04', scheduleDay: '2025-11-03' },
      { platformAgentId: 'E-3003', agentName: 'Ito', activity: 'TRAINING', startAt: '2025-11-03T21:00:00.000Z', endAt: '2025-11-03T23:00:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
      // A date-time start and a time stop: the stop is on the start's date, or the next day.
      { platformAgentId: 'E-3004', agentName: 'Rao', activity: 'OPEN', startAt: '2025-11-04T05:00:00.000Z', endAt: '2025-11-04T13:00:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
    ],
  ],
];

describe('readRow: each platform export', () => {
  it.each(exports)('%s', (platform, file, rowContext, expected) => {
    expect(rowsOf(readScheduleFile(platform, file, rowContext))).toEqual(expected.map((row, position) => ({ line: position + 2, ...row })));
  });

  it('reads the day in the site zone, not the row zone', () => {
    const file = ['agent_id,start_time,end_time,activity', 'A,2025-11-03T22:00:00,2025-11-04T02:00:00,Phone'].join('\n');
    const [reading] = readScheduleFile('custom', file, context('America/New_York', 'YYYY-MM-DD', 'Asia/Kolkata'));
    expect(reading).toEqual({ ok: true, row: expect.objectContaining({ startAt: Date.parse('2025-11-04T03:00:00.000Z'), day: '2025-11-04' }) });
  });

  it.each([
    ['#fields:tvID|schedDate|excCode|startTime|lengthMinutes'],
    ['#fields|tvID|schedDate|excCode|startTime|lengthMinutes'],
    ['#FIELDS: tvID|schedDate|excCode|startTime|lengthMinutes'],
    ['tvID|schedDate|excCode|startTime|lengthMinutes'],
    ['Logon ID|Schedule Date|Exception|Start|Length'],
    ['agent_id|sched_date|code|START|duration'],
  ])('reads IEX with the header %j', (header) => {
    const readings = readScheduleFile('nice_iex', `${header}\n40117|11/03/2025|OPEN|8:00 AM|30`, context('America/New_York', 'MMDDYYYY'));
    expect(rowsOf(readings)).toEqual([
      { line: 2, platformAgentId: '40117', activity: 'OPEN', startAt: '2025-11-03T13:00:00.000Z', endAt: '2025-11-03T13:30:00.000Z', day: '2025-11-03', scheduleDay: '2025-11-03' },
    ]);
  });

  it('skips blank records and IEX comment lines, without problems', () => {
    const file = ['#fields:tvID|schedDate|excCode|startTime|lengthMinutes', '', '  |  | |', '#end of export'].join('\n');
    expect(readScheduleFile('nice_iex', file, context('UTC', 'MMDDYYYY'))).toEqual([
      { ok: false, problems: [], skipped: 'blank' },
      { ok: false, problems: [], skipped: 'blank' },
      { ok: false, problems: [], skipped: 'comment' },
    ]);
  });
});

describe('readRow: row problems', () => {
  const problem = (column: string | undefined, code: RowProblem['code'], subject?: string): Partial<RowProblem> => ({
    line: 2,
    ...(column ? { column } : {}),
    code,
    ...(subject ? { subject } : {}),
  });
  const cases: Array<[string, Platform, string, string, RowContext, Partial<RowProblem>[]]> = [
    ['agent id empty', 'custom', 'agent_id,start_time,end_time,activity', ',2025-11-03T08:00,2025-11-03T09:00,Phone', context('UTC', 'YYYY-MM-DD'), [problem('agent_id', 'missing_value')]],
    ['activity empty', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-03T09:00,', context('UTC', 'YYYY-MM-DD'), [problem('activity', 'missing_value', 'A1')]],
    ['start empty', 'custom', 'agent_id,start_time,end_time,activity', 'A1,,2025-11-03T09:00,Phone', context('UTC', 'YYYY-MM-DD'), [problem('start_time', 'missing_value', 'A1')]],
    ['every problem of the row at once', 'custom', 'agent_id,start_time,end_time,activity', ',soon,2025-13-03T09:00,', context('UTC', 'YYYY-MM-DD'), [problem('agent_id', 'missing_value'), problem('activity', 'missing_value'), problem('start_time', 'invalid_time'), problem('end_time', 'invalid_date')]],
    ['a date in the wrong order', 'verint', 'Employee ID|Activity|Start|End', '7|Phone|11/03/2025 08:00|11/03/2025 09:00', context('UTC', 'YYYY-MM-DD'), [problem('Start', 'invalid_date', '7'), problem('End', 'invalid_date', '7')]],
    ['end before start (date-times)', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-03T07:00,Phone', context('UTC', 'YYYY-MM-DD'), [problem('end_time', 'end_not_after_start', 'A1')]],
    ['end equal to start', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-03T08:00,Phone', context('UTC', 'YYYY-MM-DD'), [problem('end_time', 'end_not_after_start', 'A1')]],
    ['zero length', 'verint', 'Employee ID|Activity|Start|Duration', '7|Phone|11/03/2025 08:00|0', context('UTC', 'MM/DD/YYYY'), [problem('Duration', 'end_not_after_start', '7')]],
    ['a shift over 24 hours', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-04T08:01,Phone', context('UTC', 'YYYY-MM-DD'), [problem('end_time', 'shift_too_long', 'A1')]],
    ['a length over 24 hours', 'alvaria', 'Employee ID,Nominal Date,Segment Code,Start,Duration', 'E1,11/03/2025,OPEN,08:00,1441', context('UTC', 'MM/DD/YYYY'), [problem('Duration', 'shift_too_long', 'E1')]],
    ['a length that is no number', 'alvaria', 'Employee ID,Nominal Date,Segment Code,Start,Duration', 'E1,11/03/2025,OPEN,08:00,8h', context('UTC', 'MM/DD/YYYY'), [problem('Duration', 'invalid_time', 'E1')]],
    ['neither stop nor length', 'nice_iex', 'tvID|schedDate|excCode|startTime|stopTime|lengthMinutes', '1|11032025|OPEN|08:00||', context('UTC', 'MMDDYYYY'), [problem('stopTime', 'missing_value', '1')]],
    ['a time without its nominal date', 'alvaria', 'Employee ID,Nominal Date,Segment Code,Start,Stop', 'E1,,OPEN,08:00,09:00', context('UTC', 'MM/DD/YYYY'), [problem('Nominal Date', 'missing_value', 'E1')]],
    ['a time where a date-time is needed', 'verint', 'Employee ID|Activity|Start|End', '7|Phone|08:00|09:00', context('UTC', 'MM/DD/YYYY'), [problem('Start', 'invalid_date', '7')]],
    ['an invalid schedule date', 'nice_iex', 'tvID|schedDate|excCode|startTime|stopTime', '1|11312025|OPEN|08:00|09:00', context('UTC', 'MMDDYYYY'), [problem('schedDate', 'invalid_date', '1')]],
    ['an unknown row time zone', 'verint', 'Employee ID|Activity|Start|End|TZ', '7|Phone|11/03/2025 08:00|11/03/2025 09:00|Mars/Olympus', context('UTC', 'MM/DD/YYYY'), [problem('TZ', 'invalid_timezone', '7')]],
    ['an abbreviation as row time zone', 'verint', 'Employee ID|Activity|Start|End|TZ', '7|Phone|11/03/2025 08:00|11/03/2025 09:00|CST', context('UTC', 'MM/DD/YYYY'), [problem('TZ', 'invalid_timezone', '7')]],
    ['an invalid integration time zone', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-03T09:00,Phone', context('Eastern', 'YYYY-MM-DD', 'UTC'), [problem(undefined, 'invalid_timezone', 'A1')]],
    ['an offset as integration time zone', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-03T09:00,Phone', context('UTC-5', 'YYYY-MM-DD', 'UTC'), [problem(undefined, 'invalid_timezone', 'A1')]],
    ['an invalid site time zone', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-03T09:00,Phone', context('UTC', 'YYYY-MM-DD', '+05:00'), [problem(undefined, 'invalid_timezone', 'A1')]],
    ['a nonexistent local time', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-03-09T02:30,2025-03-09T09:00,Phone', context('America/New_York', 'YYYY-MM-DD'), [problem('start_time', 'nonexistent_local_time', 'A1')]],
    ['fewer cells than the header', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2025-11-03T08:00,2025-11-03T09:00', context('UTC', 'YYYY-MM-DD'), [problem(undefined, 'malformed_row')]],
    ['an unquoted delimiter in a value', 'alvaria', 'Employee ID,Employee Name,Nominal Date,Segment Code,Start,Stop', 'E1,Doe, Jane,11/03/2025,OPEN,08:00,09:00', context('UTC', 'MM/DD/YYYY'), [problem(undefined, 'malformed_row')]],
  ];

  it.each(cases)('%s', (_case, platform, header, record, rowContext, expected) => {
    const [reading] = readScheduleFile(platform, `${header}\n${record}`, rowContext);
    expect(reading.ok).toBe(false);
    if (reading.ok) return;
    expect(reading.problems).toEqual(expected.map((entry) => ({ ...entry, message: expect.any(String) })));
  });

  it('explains itself in messages without quoting whole rows', () => {
    const [reading] = readScheduleFile('custom', 'agent_id,agent_name,start_time,end_time,activity\nA1,Secret Name,2025-03-09T02:30,2025-03-09T09:00,Phone', context('America/New_York', 'YYYY-MM-DD'));
    expect(!reading.ok && reading.problems[0].message).toBe('2025-03-09 02:30 does not exist in America/New_York: the clocks skip it for daylight saving time');
    expect(JSON.stringify(reading)).not.toContain('Secret Name');
  });

  it('accepts trailing empty cells past the header (a line ending with its delimiter)', () => {
    const template = templateFor('nice_iex');
    const header = resolveHeader(template, ['tvID', 'schedDate', 'excCode', 'startTime', 'lengthMinutes']);
    if (!header.ok) throw new Error(header.reason);
    const reading = readRow(template, header.columns, ['1', '11032025', 'OPEN', '08:00', '30', '', ''], 9, context('UTC', 'MMDDYYYY'));
    expect(reading).toEqual({ ok: true, row: expect.objectContaining({ line: 9, startAt: Date.parse('2025-11-03T08:00:00.000Z') }) });
  });

  it('trims every cell', () => {
    const template = templateFor('custom');
    const header = resolveHeader(template, [' agent_id ', 'agent_name', 'start_time', 'end_time', 'activity']);
    if (!header.ok) throw new Error(header.reason);
    const cells = ['  A1 ', ' ', ' 2025-11-03T08:00 ', '2025-11-03T09:00\t', ' Phone '];
    const reading = readRow(template, header.columns, cells, 3, context('UTC', 'YYYY-MM-DD'));
    expect(cells).toEqual(['  A1 ', ' ', ' 2025-11-03T08:00 ', '2025-11-03T09:00\t', ' Phone ']); // the caller's cells are left as they were
    expect(reading.ok && isoRow(reading.row)).toEqual({ line: 3, platformAgentId: 'A1', activity: 'Phone', startAt: '2025-11-03T08:00:00.000Z', endAt: '2025-11-03T09:00:00.000Z', day: '2025-11-03' });
  });
});
