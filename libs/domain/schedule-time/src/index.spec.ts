import * as scheduleTime from './index';

describe('@bpo/schedule-time', () => {
  it('exports the API the parser and config-api use', () => {
    const functions = ['templateFor', 'renderTemplateCsv', 'detectDelimiter', 'resolveHeader', 'readRow', 'isValidTimeZone', 'localDay', 'endOfLocalDay', 'daysBetween', 'splitCsvLine', 'renderCsvLine', 'isDateOrder', 'normalizeHeaderName'];
    for (const name of functions) expect(typeof scheduleTime[name as keyof typeof scheduleTime]).toBe('function');
    expect(scheduleTime.DateOrders).toEqual(['MM/DD/YYYY', 'DD/MM/YYYY', 'YYYY-MM-DD', 'YYYYMMDD', 'MMDDYYYY']);
    expect(scheduleTime.Delimiters).toEqual([',', ';', '|', '\t']);
  });

  it.each([
    ['MMDDYYYY', true],
    ['YYYY-MM-DD', true],
    ['DD-MM-YYYY', false],
    [undefined, false],
  ])('isDateOrder(%j) is %s', (value, expected) => {
    expect(scheduleTime.isDateOrder(value)).toBe(expected);
  });
});
