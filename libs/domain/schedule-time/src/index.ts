export * from './platform-template.constant';
export { isValidTimeZone, localDay, endOfLocalDay, daysBetween } from './time-zone.util';
export { splitCsvLine, renderCsvLine } from './csv-line.util';
export * from './header.util';
export * from './schedule-row.util';
export * from './template-csv.util';
