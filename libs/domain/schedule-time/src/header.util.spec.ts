import { Platforms, type Platform } from '@bpo/contracts';
import { detectDelimiter, normalizeHeaderName, resolveHeader } from './header.util';
import { templateFor, type Delimiter } from './platform-template.constant';

describe('normalizeHeaderName', () => {
  it.each([
    ['Start Date/Time', 'startdatetime'],
    ['start_date_time', 'startdatetime'],
    ['  Personnel No. ', 'personnelno'],
    ['Duration (min)', 'durationmin'],
    ['tvID', 'tvid'],
    ['Ünit', 'unit'],
  ])('%s -> %s', (name, normalized) => {
    expect(normalizeHeaderName(name)).toBe(normalized);
  });
});

describe('templates', () => {
  it.each(Platforms)('%s: no two names (of one column or two) are the same once normalized', (platform) => {
    const names = templateFor(platform).columns.flatMap((column) => [column.header, ...column.aliases].map(normalizeHeaderName));
    expect(names.filter((name, position) => names.indexOf(name) !== position)).toEqual([]);
  });

  it.each(Platforms)('%s: example rows fill every column', (platform) => {
    const template = templateFor(platform);
    expect(template.exampleRows).toHaveLength(2);
    for (const row of template.exampleRows) expect(row).toHaveLength(template.columns.length);
  });
});

describe('detectDelimiter', () => {
  it.each<[Platform, string, Delimiter]>([
    ['custom', 'agent_id,agent_name,start_time,end_time,activity', ','],
    ['custom', 'agent_id;agent_name;start_time;end_time;activity', ';'],
    ['custom', 'agent_id\tagent_name\tstart_time\tend_time\tactivity', '\t'],
    ['custom', '\uFEFFagent_id|start_time|end_time|activity', '|'],
    ['nice_iex', 'tvID|name|schedDate|excCode|startTime|stopTime', '|'],
    ['nice_iex', '#fields:tvID|name|schedDate|excCode|startTime|stopTime', '|'],
    ['nice_iex', '#fields|tvID|name|schedDate|excCode|startTime|stopTime', '|'],
    ['nice_iex', '#fields\ttvID\tname\tschedDate\texcCode\tstartTime\tstopTime', '\t'],
    ['verint', 'Employee ID|Employee Name|Activity|Start|End', '|'],
    ['injixo', 'Personnel number;Employee name;Activity;Start;End;Duration (min)', ';'],
    ['alvaria', 'Employee ID,Employee Name,Nominal Date,Segment Code,Start,Stop', ','],
    // Several delimiters: the one giving the most known columns wins.
    ['verint', 'Employee ID|Employee Name|Activity|Start|End|Notes; free text, any', '|'],
    ['injixo', 'Personnel number;Employee name;Activity;Start;End;"Comment, if any"', ';'],
    ['custom', 'agent_id,"agent_name; full",start_time,end_time,activity', ','],
  ])('%s: %j -> %j', (platform, line, delimiter) => {
    expect(detectDelimiter(line, templateFor(platform))).toEqual({ ok: true, delimiter });
  });

  it.each<[Platform, string, RegExp]>([
    ['custom', 'agent_id agent_name start_time end_time activity', /no delimiter.*comma \(','\)/],
    ['nice_iex', '#fields tvID name schedDate', /no delimiter.*pipe \('\|'\)/],
    ['custom', '', /no delimiter/],
    ['custom', 'agent_id,agent_name;start_time,end_time;activity', /ambiguous.*comma \(','\) or semicolon \(';'\)/],
    ['verint', 'a|b;c|d;e', /ambiguous/],
  ])('%s: %j is refused', (platform, line, reason) => {
    const detection = detectDelimiter(line, templateFor(platform));
    expect(detection.ok).toBe(false);
    if (!detection.ok) expect(detection.reason).toMatch(reason);
  });
});

describe('resolveHeader', () => {
  it('matches aliases ignoring case, spaces and punctuation, and ignores extra columns', () => {
    const result = resolveHeader(templateFor('verint'), ['Site', 'EMP ID', 'employee_name', 'Shift Event', 'Start Date/Time', 'end date time', 'Notes', 'tz']);
    expect(result).toEqual({
      ok: true,
      columns: {
        index: { agentId: 1, agentName: 2, activity: 3, start: 4, end: 5, timeZone: 7 },
        label: { agentId: 'EMP ID', agentName: 'employee_name', activity: 'Shift Event', start: 'Start Date/Time', end: 'end date time', timeZone: 'tz' },
        width: 8,
      },
    });
  });

  it.each([
    ['#fields:tvID', ['#fields:tvID', 'schedDate', 'excCode', 'startTime', 'length'], 0],
    ['#fields: tvID', ['#fields: tvID', 'schedDate', 'excCode', 'startTime', 'length'], 0],
    ['#fields as a cell of its own', ['#fields', 'tvID', 'schedDate', 'excCode', 'startTime', 'length'], 0],
    ['plain IEX header', ['tvID', 'schedDate', 'excCode', 'startTime', 'length'], 0],
    ['byte order mark', ['\uFEFFtvID', 'schedDate', 'excCode', 'startTime', 'length'], 0],
  ])('IEX %s: columns line up with records', (_case, cells, agentIdAt) => {
    const result = resolveHeader(templateFor('nice_iex'), cells);
    expect(result.ok && result.columns.index).toEqual({ agentId: agentIdAt, scheduleDate: 1, activity: 2, start: 3, durationMinutes: 4 });
  });

  it('keeps the first of two cells naming the same column', () => {
    const result = resolveHeader(templateFor('custom'), ['agent_id', 'start', 'start_time', 'end', 'activity']);
    expect(result.ok && result.columns.index.start).toBe(1);
  });

  it('does not count trailing blank header cells (a line ending with its delimiter)', () => {
    const result = resolveHeader(templateFor('custom'), ['agent_id', 'start_time', 'end_time', 'activity', '', '']);
    expect(result.ok && result.columns.width).toBe(4);
  });

  it.each<[Platform, string[], string[]]>([
    ['custom', ['agent_id', 'agent_name', 'start_time', 'activity'], ['"end_time"']],
    ['custom', ['name', 'begin', 'finish'], ['"agent_id"', '"start_time"', '"end_time"', '"activity"']],
    ['nice_iex', ['tvID', 'schedDate', 'excCode', 'startTime'], ['one of "stopTime"', '"lengthMinutes"']],
    ['verint', ['Employee Name', 'Activity', 'Start', 'Duration'], ['"Employee ID"']],
    ['injixo', ['Personnel number', 'Start', 'End'], ['"Activity"']],
    ['alvaria', ['Employee ID', 'Segment Code', 'Start', 'Stop'], ['"Nominal Date"']],
  ])('%s without required columns: the reason names them', (platform, cells, named) => {
    const result = resolveHeader(templateFor(platform), cells);
    expect(result.ok).toBe(false);
    if (!result.ok) for (const name of named) expect(result.reason).toContain(name);
  });

  it('says which columns it found', () => {
    const result = resolveHeader(templateFor('custom'), ['Agent', 'When']);
    expect(!result.ok && result.reason).toMatch(/found: Agent, When\)$/);
  });
});
