import { splitCsvLine } from './csv-line.util';
import { Delimiters, type ColumnKey, type Delimiter, type PlatformTemplate, type TemplateColumn } from './platform-template.constant';

/** Where each known column sits in a record, and what the file calls it (for row problems). */
export interface ResolvedColumns {
  readonly index: Readonly<Partial<Record<ColumnKey, number>>>;
  readonly label: Readonly<Partial<Record<ColumnKey, string>>>;
  /** Cells the header names, up to its last non-blank one; a record with fewer cells is malformed. */
  readonly width: number;
}

export type DelimiterDetection = { ok: true; delimiter: Delimiter } | { ok: false; reason: string };
export type HeaderResolution = { ok: true; columns: ResolvedColumns } | { ok: false; reason: string };

const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '|': 'pipe', '\t': 'tab' };
const FIELDS_PREFIX = /^#fields\b\s*[:|,;]?\s*/i;

/** Header names are compared without case, spaces, punctuation or accents: `Start Date/Time` = `start_date_time`. */
export function normalizeHeaderName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Finds the delimiter of a file from its header line. A line holding one candidate delimiter uses
 * it; a line holding several uses the one that splits it into the most known column names, and
 * is ambiguous when two tie.
 */
export function detectDelimiter(headerLine: string, template: PlatformTemplate): DelimiterDetection {
  const line = headerText(headerLine, template);
  const candidates = Delimiters.filter((delimiter) => splitCsvLine(line, delimiter).length > 1);
  if (candidates.length === 0) {
    return { ok: false, reason: `the header line has no delimiter: expected ${template.name} column names separated by ${describeDelimiter(template.delimiter)}` };
  }
  if (candidates.length === 1) return { ok: true, delimiter: candidates[0] };
  const scored = candidates
    .map((delimiter) => ({ delimiter, known: countKnownColumns(template, splitCsvLine(line, delimiter)) }))
    .sort((a, b) => b.known - a.known);
  if (scored[0].known > 0 && scored[0].known > scored[1].known) return { ok: true, delimiter: scored[0].delimiter };
  const tied = scored.filter((entry) => entry.known === scored[0].known).map((entry) => describeDelimiter(entry.delimiter));
  return { ok: false, reason: `the header line is ambiguous: splitting it by ${tied.join(' or ')} finds as many ${template.name} columns either way` };
}

export function describeDelimiter(delimiter: Delimiter): string {
  return `${DELIMITER_NAMES[delimiter]} ('${delimiter === '\t' ? '\\t' : delimiter}')`;
}

/** The header line without a byte order mark or IEX's `#fields` prefix. */
function headerText(line: string, template: PlatformTemplate): string {
  const text = line.replace(/^\uFEFF/, '');
  return template.hasFieldsLine ? text.replace(FIELDS_PREFIX, '') : text;
}

function countKnownColumns(template: PlatformTemplate, cells: readonly string[]): number {
  const aliases = aliasIndex(template);
  return new Set(cells.map((cell) => aliases.get(normalizeHeaderName(cell))).filter(Boolean)).size;
}

const aliasIndexes = new WeakMap<PlatformTemplate, Map<string, ColumnKey>>();

/** Every accepted name of every column of a template, normalized. */
function aliasIndex(template: PlatformTemplate): Map<string, ColumnKey> {
  let index = aliasIndexes.get(template);
  if (!index) {
    index = new Map(template.columns.flatMap((column) => namesOf(column).map((name) => [normalizeHeaderName(name), column.key] as const)));
    aliasIndexes.set(template, index);
  }
  return index;
}

function namesOf(column: TemplateColumn): string[] {
  return [column.header, ...column.aliases];
}

/**
 * Places the template's columns in a file's header. Unknown columns are ignored; when two cells
 * name the same column the first wins. Fails naming every required column that is missing.
 */
export function resolveHeader(template: PlatformTemplate, headerCells: readonly string[]): HeaderResolution {
  const cells = headerCellsOf(template, headerCells);
  const aliases = aliasIndex(template);
  const index: Partial<Record<ColumnKey, number>> = {};
  const label: Partial<Record<ColumnKey, string>> = {};
  cells.forEach((cell, position) => {
    const key = aliases.get(normalizeHeaderName(cell));
    if (key && index[key] === undefined) {
      index[key] = position;
      label[key] = cell;
    }
  });
  const missing = missingColumns(template, index);
  if (missing.length > 0) {
    const found = cells.filter((cell) => cell !== '').join(', ');
    return { ok: false, reason: `the header lacks required ${template.name} columns: ${missing.join('; ')} (found: ${found || 'nothing'})` };
  }
  const width = cells.reduce((last, cell, position) => (cell === '' ? last : position + 1), 0);
  return { ok: true, columns: { index, label, width } };
}

/**
 * Header cells as they line up with records: trimmed, without a byte order mark, and for IEX
 * without the `#fields` prefix. A `#fields` cell of its own is dropped, since records have no
 * cell under it.
 */
function headerCellsOf(template: PlatformTemplate, headerCells: readonly string[]): string[] {
  const cells = headerCells.map((cell) => cell.trim());
  if (cells.length > 0) cells[0] = cells[0].replace(/^\uFEFF/, '').trim();
  if (!template.hasFieldsLine || cells.length === 0 || !/^#fields\b/i.test(cells[0])) return cells;
  const first = cells[0].replace(FIELDS_PREFIX, '');
  return first === '' ? cells.slice(1) : [first, ...cells.slice(1)];
}

function missingColumns(template: PlatformTemplate, index: Partial<Record<ColumnKey, number>>): string[] {
  const named = (key: ColumnKey) => describeColumn(template.columns.find((column) => column.key === key));
  const required = template.columns.filter((column) => column.required && index[column.key] === undefined).map((column) => describeColumn(column));
  const alternatives = template.requireOneOf
    .filter((group) => group.every((key) => index[key] === undefined))
    .map((group) => `one of ${group.map(named).join(' or ')}`);
  return [...required, ...alternatives];
}

function describeColumn(column: TemplateColumn | undefined): string {
  if (!column) return '';
  return column.aliases.length > 0 ? `"${column.header}" (or ${column.aliases.map((alias) => `"${alias}"`).join(', ')})` : `"${column.header}"`;
}
