export { FileProblem, SupportedEncodings, count, decodeText, readHead, type FileHead } from './schedule-text.util';
export { DEFAULT_PARSE_LIMITS, limitRows, type ParseLimits } from './file-limits.util';
export { csvRecords, CsvSyntaxError } from './csv-records.util';
export * from './schedule-file.util';
