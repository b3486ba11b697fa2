import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { RowColumnsBuilder, type FileEndV1, type FileReceivedV1, type RowErrorV1, type RowsBatchV2 } from '@bpo/contracts';
import { detectDelimiter, readRow, resolveHeader, splitCsvLine, templateFor } from '@bpo/schedule-time';
import { FileProblem, count, decodeText, readHead } from './schedule-text';
import { DEFAULT_PARSE_LIMITS, limitRows, type ParseLimits } from './file-limits';
import { csvRecords, CsvSyntaxError } from './csv-records';
import { ParserRepository } from './parser.repository';

/**
 * Rows (and row errors) per Kafka message: large enough that per-message costs (a produce round
 * trip and a commit in every stage, a staging transaction in the writer) stay small next to the
 * rows, and far below the 1 MiB a request carries (about 40 bytes a row in columns).
 */
export const BATCH_SIZE = 3000;

/** Characters of CSV values per batch at most, so a batch of long (but allowed) lines stays far below the broker's message limit. */
export const BATCH_MAX_CHARS = 1_000_000;

export const PARSE_LIMITS = Symbol('PARSE_LIMITS');

export type FileMessage = RowsBatchV2 | FileEndV1;

/**
 * Streams a stored file through its platform's template into batches of schedule rows in UTC.
 * Row problems travel with the batches, with their line and column; a file-level problem (empty,
 * no header, missing columns, not text in the integration's encoding, over a ParseLimits limit)
 * ends the file as failed: its end message carries the reason and the file's message is done.
 * Message ids are derived from the sync run and position, so parsing a file again after a crash
 * sends identical messages that later stages recognise.
 */
@Injectable()
export class ParserService {
  private readonly logger = new Logger(ParserService.name);

  private readonly limits: ParseLimits;

  constructor(private readonly repository: ParserRepository, @Optional() @Inject(PARSE_LIMITS) limits?: ParseLimits) {
    this.limits = limits ?? DEFAULT_PARSE_LIMITS;
  }

  async parseFile(file: FileReceivedV1, send: (message: FileMessage) => Promise<void>, heartbeat: () => Promise<void> = async () => undefined): Promise<FileEndV1> {
    const envelope = { organizationId: file.organizationId, integrationId: file.integrationId, fileId: file.fileId, syncRunId: file.syncRunId };
    let sequence = 0;
    let rowCount = 0;
    let rowErrorCount = 0;
    let from: string | undefined;
    let to: string | undefined;
    const rows = new RowColumnsBuilder();
    let errors: RowErrorV1[] = [];
    let batchChars = 0;
    const limits = this.limits;
    // Parse time counts the parser's own work, not the time the broker takes to acknowledge.
    const startedAt = performance.now();
    let waitingMs = 0;

    // One batch is in flight while the next is parsed: parsing does not stop for each acknowledgement.
    // Batches still go out one after the other, in order, and the end message only after the last.
    let inFlight: Promise<void> = Promise.resolve();
    const settle = async () => {
      const waiting = performance.now();
      await inFlight;
      waitingMs += performance.now() - waiting;
    };
    const flush = async () => {
      if (rows.size === 0 && errors.length === 0) return;
      const batch: RowsBatchV2 = { ...envelope, messageId: `parser:${file.syncRunId}:${sequence}`, occurredAt: file.receivedAt, kind: 'rows', sequence, ...rows.take(), errors };
      await settle();
      inFlight = send(batch).then(heartbeat);
      inFlight.catch(() => undefined); // its failure is thrown where it is awaited, never left unhandled
      sequence += 1;
      errors = [];
      batchChars = 0;
    };
    const end = (failure?: string): FileEndV1 => ({
      ...envelope,
      messageId: `parser:${file.syncRunId}:end`,
      occurredAt: file.receivedAt,
      kind: 'end',
      batchCount: sequence,
      rowCount,
      rowErrorCount,
      ...(from && to && !failure ? { window: { from, to } } : {}),
      ...(failure ? { failure: { stage: 'parser' as const, reason: failure } } : {}),
      filename: file.filename,
      receivedAt: file.receivedAt,
    });

    try {
      const settings = await this.repository.settings(file);
      if (!settings) throw new FileProblem('the integration no longer exists');
      const template = templateFor(settings.platform);
      const head = await readHead(decodeText(this.repository.fileChunks(file.fileId), settings.encoding), settings.titleLines, limits.maxLineChars);
      const delimiter = detectDelimiter(head.headerLine, template);
      if (!delimiter.ok) throw new FileProblem(`line ${head.headerLineNumber}: ${delimiter.reason}`);
      const headerCells = splitCsvLine(head.headerLine, delimiter.delimiter);
      if (headerCells.length > limits.maxColumns) throw new FileProblem(`line ${count(head.headerLineNumber)} has ${count(headerCells.length)} columns; the limit is ${count(limits.maxColumns)}`);
      const header = resolveHeader(template, headerCells);
      if (!header.ok) throw new FileProblem(`line ${head.headerLineNumber}: ${header.reason}`);
      // Rows are judged against the file's received time, so a replay judges them alike; rows out of range never widen the window.
      const context = { timezone: settings.timezone, siteTimezone: settings.siteTimezone, dateOrder: settings.dateOrder, horizon: { ...settings.rowHorizon, receivedAt: file.receivedAt } };

      // Lines and rows are checked before they are split into values (limitRows), so no value is ever unbounded.
      const body = limitRows(head.body, { delimiter: delimiter.delimiter, maxColumns: limits.maxColumns, maxLineChars: limits.maxLineChars, firstLine: head.headerLineNumber + 1 });
      let line = head.headerLineNumber;
      try {
        for await (const records of csvRecords(body, delimiter.delimiter)) {
          for (const cells of records) {
            line += 1;
            if ((line & 255) === 0 && performance.now() - startedAt - waitingMs > limits.maxParseMs) {
              throw new FileProblem(`parsing the file took longer than ${minutes(limits.maxParseMs)}, the limit (stopped at line ${count(line)}); split it into smaller files`);
            }
            for (const cell of cells) batchChars += cell.length;
            const reading = readRow(template, header.columns, cells, line, context);
            if ((reading.ok || reading.problems.length > 0) && rowCount >= limits.maxRows) {
              throw new FileProblem(`the file has more than ${count(limits.maxRows)} rows, the limit; split it into smaller files`);
            }
            if (reading.ok) {
              rowCount += 1;
              const row = reading.row;
              rows.add({ line: row.line, platformAgentId: row.platformAgentId, activity: row.activity, startAt: Date.parse(row.startAt), endAt: Date.parse(row.endAt), day: row.day });
              if (!from || row.day < from) from = row.day;
              if (!to || row.day > to) to = row.day;
            } else if (reading.problems.length > 0) {
              rowCount += 1;
              rowErrorCount += 1;
              errors.push(...reading.problems);
            }
            if (rows.size + errors.length >= BATCH_SIZE || batchChars >= BATCH_MAX_CHARS) await flush();
          }
        }
      } catch (error) {
        if (error instanceof CsvSyntaxError) throw new FileProblem(`the file is not valid CSV: the row after line ${count(line)}: ${error.message}`);
        throw error;
      }
      await flush();
      await settle();
      const done = end();
      await send(done);
      return done;
    } catch (error) {
      if (!(error instanceof FileProblem)) throw error; // a database or broker failure: retried by the consumer
      const reason = error.message;
      this.logger.warn({ message: 'file failed', integrationId: file.integrationId, fileId: file.fileId, syncRunId: file.syncRunId, reason });
      await settle();
      const failed = end(reason);
      await send(failed);
      return failed;
    }
  }
}

function minutes(ms: number): string {
  const value = Math.round((ms / 60_000) * 10) / 10;
  return value === 1 ? '1 minute' : `${value} minutes`;
}
