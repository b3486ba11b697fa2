import * as iconv from 'iconv-lite';
import { parse } from './parser-test.fixtures';

// One realistic export per platform, as its WFM writes it, read end to end by the parser:
// byte-order marks, CRLF, Windows-1252 names, title lines, aliases, extra columns, overnight shifts.
const windows1252 = (text: string) => iconv.encode(text, 'windows-1252');
const summary = async (content: string | Buffer, settings: Parameters<typeof parse>[1]) => {
  const { rows, errors, end } = await parse(content, { timezone: 'America/New_York', siteTimezone: 'America/New_York', ...settings });
  expect(errors).toEqual([]);
  expect(end.failure).toBeUndefined();
  // Agent names and the platform's schedule day are read (schedule-time tests them) but travel no further than the parser.
  return rows.map((row) => [row.platformAgentId, row.activity, row.startAt, row.endAt, row.day]);
};

describe('every platform’s export, parsed to exact UTC events', () => {
  it('NICE IEX: title line, #fields header, pipes, Windows-1252, 12/24-hour times, MU time zone, segment after midnight', async () => {
    const file = windows1252(
      'Agent Schedule Detail - MU 100\r\n' +
        '#fields:muID|tvID|name|schedDate|excDate|excCode|excName|startTime|stopTime|lengthMinutes|TZ|Extra\r\n' +
        '100|40117|"Müller, Jörg"|12012026|12012026|OPEN|Open|8:00 AM|4:30 PM|510|America/Chicago|x\r\n' +
        "100|40118|O'Brien, Sean|12012026|12012026|OPEN|Open|22:00|06:00|480||\r\n" +
        "100|40118|O'Brien, Sean|12012026|12022026|LUNCH|Lunch|1:00 AM|1:30 AM|30||\r\n",
    );
    expect(await summary(file, { platform: 'nice_iex', dateOrder: 'MMDDYYYY', encoding: 'windows-1252', titleLines: 1 })).toEqual([
      ['40117', 'OPEN', '2026-12-01T14:00:00.000Z', '2026-12-01T22:30:00.000Z', '2026-12-01'],
      ['40118', 'OPEN', '2026-12-02T03:00:00.000Z', '2026-12-02T11:00:00.000Z', '2026-12-01'],
      ['40118', 'LUNCH', '2026-12-02T06:00:00.000Z', '2026-12-02T06:30:00.000Z', '2026-12-02'],
    ]);
  });

  it('Verint: UTF-8 BOM, pipes, header aliases, quoted comma names, AM/PM date-times, zone names and offsets', async () => {
    const file =
      '\uFEFFEmployeeID|Employee Name|Organization|Shift Event|Start Date Time|End Date Time|Duration|Time Zone|Notes\r\n' +
      '10452|Smith, John|Tier 1|Phone|12/01/2026 08:00 AM|12/01/2026 04:30 PM|510|America/Chicago|x\r\n' +
      '10453|"Patel, Priya"|Tier 1|Phone|12/01/2026 10:00 PM|12/02/2026 6:00 AM|480|-05:00|\r\n';
    expect(await summary(file, { platform: 'verint', dateOrder: 'MM/DD/YYYY' })).toEqual([
      ['10452', 'Phone', '2026-12-01T14:00:00.000Z', '2026-12-01T22:30:00.000Z', '2026-12-01'],
      ['10453', 'Phone', '2026-12-02T03:00:00.000Z', '2026-12-02T11:00:00.000Z', '2026-12-01'],
    ]);
  });

  it('Injixo: semicolons, Windows-1252, day-first dates, Europe/Berlin rows, a shift given by its duration', async () => {
    const file = windows1252(
      'Personnel No;Employee name;Planning unit;Activity;Start;End;Duration (min);Time zone\r\n' +
        'P-2001;Müller, Anna;Service Desk DE;Telephone;01/12/2026 08:00;01/12/2026 16:30;510;Europe/Berlin\r\n' +
        'P-2002;Schmidt, Jonas;Service Desk DE;Telephone;01/12/2026 22:00;;480;Europe/Berlin\r\n',
    );
    expect(await summary(file, { platform: 'injixo', dateOrder: 'DD/MM/YYYY', encoding: 'windows-1252' })).toEqual([
      ['P-2001', 'Telephone', '2026-12-01T07:00:00.000Z', '2026-12-01T15:30:00.000Z', '2026-12-01'],
      ['P-2002', 'Telephone', '2026-12-01T21:00:00.000Z', '2026-12-02T05:00:00.000Z', '2026-12-01'],
    ]);
  });

  it('Alvaria: title lines, commas with quoted names, nominal date, overnight stop, a segment given by start date-time and duration', async () => {
    const file =
      'Alvaria Workforce - Schedule Export\r\nGenerated 11/25/2026 07:00\r\n' +
      'Employee ID,Employee Name,Management Unit,Nominal Date,Segment Code,Start,Stop,Duration,Time Zone\r\n' +
      'E-3001,"Nguyen, Anh",MU East,12/01/2026,OPEN,08:00,16:30,,America/Chicago\r\n' +
      'E-3002,"Okafor, Chidi",MU East,12/01/2026,OPEN,22:00,06:00,,America/Chicago\r\n' +
      'E-3002,"Okafor, Chidi",MU East,12/01/2026,BREAK,12/02/2026 02:00,,15,America/Chicago\r\n';
    expect(await summary(file, { platform: 'alvaria', dateOrder: 'MM/DD/YYYY', titleLines: 2 })).toEqual([
      ['E-3001', 'OPEN', '2026-12-01T14:00:00.000Z', '2026-12-01T22:30:00.000Z', '2026-12-01'],
      ['E-3002', 'OPEN', '2026-12-02T04:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-01'],
      ['E-3002', 'BREAK', '2026-12-02T08:00:00.000Z', '2026-12-02T08:15:00.000Z', '2026-12-02'],
    ]);
  });

  it('Custom: aliases, any column order, offsets and local times', async () => {
    const file = 'Activity;Start;End;Employee_ID;Name\r\nPhones;2026-12-01T09:00:00;2026-12-01T17:00:00;A1;"Rivera; Ana"\r\n';
    expect(await summary(file, { platform: 'custom' })).toEqual([['A1', 'Phones', '2026-12-01T14:00:00.000Z', '2026-12-01T22:00:00.000Z', '2026-12-01']]);
  });
});
