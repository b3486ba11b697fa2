import type { Delimiter } from './platform-template.constant';

/**
 * Splits one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote) into cells. The parser
 * streams records through fast-csv; this is for the header line, read before the delimiter is
 * known, and for tests.
 */
export function splitCsvLine(line: string, delimiter: Delimiter): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (quoted && char === '"' && line[index + 1] === '"') {
      cell += '"';
      index += 1;
    } else if (char === '"' && (quoted || cell.trim() === '')) {
      // Only a quote opening a cell (or closing one) quotes; a stray quote inside text is text.
      quoted = !quoted;
      if (quoted) cell = '';
    } else if (char === delimiter && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell);
  return cells;
}

/** Writes cells as one CSV line, quoting those that hold the delimiter, a quote, a line break or edge spaces. */
export function renderCsvLine(cells: readonly string[], delimiter: Delimiter): string {
  return cells.map((cell) => (needsQuotes(cell, delimiter) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(delimiter);
}

function needsQuotes(cell: string, delimiter: Delimiter): boolean {
  return cell.includes(delimiter) || /["\r\n]/.test(cell) || cell !== cell.trim();
}
