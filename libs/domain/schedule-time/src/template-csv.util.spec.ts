import { Platforms, type Platform } from '@bpo/contracts';
import { splitCsvLine } from './csv-line.util';
import { detectDelimiter, resolveHeader } from './header.util';
import { templateFor } from './platform-template.constant';
import { readScheduleFile, rowsOf } from './schedule-file.spec-helper';
import { renderTemplateCsv } from './template-csv.util';
import { localDay } from './time-zone.util';

/** The zone each template's examples are written in (their Time zone column, or the integration's). */
const exampleZones: Record<Platform, string> = {
  custom: 'America/New_York',
  nice_iex: 'America/New_York',
  verint: 'America/Chicago',
  injixo: 'Europe/Berlin',
  alvaria: 'America/Chicago',
};

const expectedEvents: Record<Platform, Array<[string, string]>> = {
  custom: [
    ['2025-11-03T13:00:00.000Z', '2025-11-03T21:30:00.000Z'],
    ['2025-11-04T03:00:00.000Z', '2025-11-04T11:00:00.000Z'],
  ],
  nice_iex: [
    ['2025-11-03T13:00:00.000Z', '2025-11-03T21:30:00.000Z'],
    ['2025-11-04T03:00:00.000Z', '2025-11-04T11:00:00.000Z'],
  ],
  verint: [
    ['2025-11-03T14:00:00.000Z', '2025-11-03T22:30:00.000Z'],
    ['2025-11-04T04:00:00.000Z', '2025-11-04T12:00:00.000Z'],
  ],
  injixo: [
    ['2025-11-03T07:00:00.000Z', '2025-11-03T15:30:00.000Z'],
    ['2025-11-03T21:00:00.000Z', '2025-11-04T05:00:00.000Z'],
  ],
  alvaria: [
    ['2025-11-03T14:00:00.000Z', '2025-11-03T22:30:00.000Z'],
    ['2025-11-04T04:00:00.000Z', '2025-11-04T12:00:00.000Z'],
  ],
};

describe('renderTemplateCsv', () => {
  it.each(Platforms)('%s: header and two rows, CRLF, in the natural delimiter', (platform) => {
    const template = templateFor(platform);
    const csv = renderTemplateCsv(platform);
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(detectDelimiter(lines[0], template)).toEqual({ ok: true, delimiter: template.delimiter });
    const header = resolveHeader(template, splitCsvLine(lines[0], template.delimiter));
    expect(header.ok && Object.keys(header.columns.index)).toHaveLength(template.columns.length);
  });

  it.each(Platforms)('%s: reads back as two valid rows, the second overnight', (platform) => {
    const zone = exampleZones[platform];
    const context = { timezone: zone, siteTimezone: zone, dateOrder: templateFor(platform).defaultDateOrder };
    const readings = readScheduleFile(platform, renderTemplateCsv(platform), context);
    expect(readings.at(-1)).toEqual({ ok: false, problems: [], skipped: 'blank' });
    const rows = rowsOf(readings);
    expect(rows.map((row) => [row.startAt, row.endAt])).toEqual(expectedEvents[platform]);
    const [day, overnight] = rows;
    expect(localDay(day.endAt, zone)).toBe(day.day);
    expect(localDay(overnight.endAt, zone)).not.toBe(overnight.day);
  });

  it('quotes names holding the delimiter', () => {
    expect(renderTemplateCsv('alvaria')).toContain('E-3001,"Nguyen, Anh",MU East');
    expect(renderTemplateCsv('custom')).toContain('A-1001,"Rivera, Ana",');
    expect(renderTemplateCsv('verint')).toContain('10452|Smith, John|');
  });

  it('writes the IEX header as a #fields line', () => {
    expect(renderTemplateCsv('nice_iex').split('\r\n')[0]).toBe('#fields:muID|tvID|name|schedDate|excDate|excCode|excName|startTime|stopTime|lengthMinutes|TZ');
  });
});
