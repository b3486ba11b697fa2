import type { Platform } from '@bpo/contracts';
import { renderCsvLine } from './csv-line.util';
import { templateFor } from './platform-template.constant';

/**
 * The downloadable template of a platform: its header and two example rows (the second one
 * overnight) with the platform's delimiter and CRLF line ends. IEX's header is written as the
 * `#fields:` line its exports start with.
 */
export function renderTemplateCsv(platform: Platform): string {
  const template = templateFor(platform);
  const header = renderCsvLine(
    template.columns.map((column) => column.header),
    template.delimiter,
  );
  const rows = template.exampleRows.map((row) => renderCsvLine(row, template.delimiter));
  return [template.hasFieldsLine ? `#fields:${header}` : header, ...rows].map((line) => `${line}\r\n`).join('');
}
