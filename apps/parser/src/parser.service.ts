import { pipeline, Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { parse } from 'fast-csv';
import type { FileEndV1, FileReceivedV1, RowErrorV1, RowsBatchV1, ScheduleRowV1 } from '@bpo/contracts';
import { detectDelimiter, readRow, resolveHeader, splitCsvLine, templateFor } from '@bpo/schedule-time';
import { FileProblem, decodeText, readHead } from './schedule-text';
import { ParserRepository } from './parser.repository';

/** Rows (and row errors) per Kafka message: large enough to be cheap, far below the broker's size limit. */
export const BATCH_SIZE = 1000;

export type FileMessage = RowsBatchV1 | FileEndV1;

/**
 * Streams a stored file through its platform's template into batches of schedule rows in UTC.
 * Row problems travel with the batches, with their line and column; a file-level problem (empty,
 * no header, missing columns, not text in the integration's encoding) ends the file as failed.
 * Message ids are derived from the sync run and position, so parsing a file again after a crash
 * sends identical messages that later stages recognise.
 */
@Injectable()
export class ParserService {
  private readonly logger = new Logger(ParserService.name);

  constructor(private readonly repository: ParserRepository) {}

  async parseFile(file: FileReceivedV1, send: (message: FileMessage) => Promise<void>, heartbeat: () => Promise<void> = async () => undefined): Promise<FileEndV1> {
    const envelope = { organizationId: file.organizationId, integrationId: file.integrationId, fileId: file.fileId, syncRunId: file.syncRunId };
    let sequence = 0;
    let rowCount = 0;
    let rowErrorCount = 0;
    let from: string | undefined;
    let to: string | undefined;
    let rows: ScheduleRowV1[] = [];
    let errors: RowErrorV1[] = [];

    const flush = async () => {
      if (rows.length === 0 && errors.length === 0) return;
      const batch: RowsBatchV1 = { ...envelope, messageId: `parser:${file.syncRunId}:${sequence}`, occurredAt: file.receivedAt, kind: 'rows', sequence, rows, errors };
      await send(batch);
      await heartbeat();
      sequence += 1;
      rows = [];
      errors = [];
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
      const settings = await this.repository.settings(file.integrationId);
      if (!settings) throw new FileProblem('the integration no longer exists');
      const template = templateFor(settings.platform);
      const head = await readHead(decodeText(this.repository.fileChunks(file.fileId), settings.encoding), settings.titleLines);
      const delimiter = detectDelimiter(head.headerLine, template);
      if (!delimiter.ok) throw new FileProblem(`line ${head.headerLineNumber}: ${delimiter.reason}`);
      const header = resolveHeader(template, splitCsvLine(head.headerLine, delimiter.delimiter));
      if (!header.ok) throw new FileProblem(`line ${head.headerLineNumber}: ${header.reason}`);
      // Rows are judged against the file's received time, so a replay judges them alike; rows out of range never widen the window.
      const context = { timezone: settings.timezone, siteTimezone: settings.siteTimezone, dateOrder: settings.dateOrder, horizon: { ...settings.rowHorizon, receivedAt: file.receivedAt } };

      const records = parse({ delimiter: delimiter.delimiter, headers: false, ignoreEmpty: false });
      // pipeline (not pipe) so a decoding failure mid-file reaches the loop below as an error.
      pipeline(Readable.from(head.body), records, () => undefined);
      let line = head.headerLineNumber;
      for await (const cells of records as AsyncIterable<string[]>) {
        line += 1;
        const reading = readRow(template, header.columns, cells, line, context);
        if (reading.ok) {
          rowCount += 1;
          rows.push(reading.row);
          if (!from || reading.row.day < from) from = reading.row.day;
          if (!to || reading.row.day > to) to = reading.row.day;
        } else if (reading.problems.length > 0) {
          rowCount += 1;
          rowErrorCount += 1;
          errors.push(...reading.problems);
        }
        if (rows.length + errors.length >= BATCH_SIZE) await flush();
      }
      await flush();
      const done = end();
      await send(done);
      return done;
    } catch (error) {
      const reason = error instanceof FileProblem ? error.message : csvProblem(error);
      if (!reason) throw error; // a database or broker failure: retried by the consumer
      this.logger.warn({ message: 'file failed', integrationId: file.integrationId, fileId: file.fileId, syncRunId: file.syncRunId, reason });
      const failed = end(reason);
      await send(failed);
      return failed;
    }
  }
}

/** fast-csv's own errors (e.g. an unterminated quote) are file problems, with its words. */
function csvProblem(error: unknown): string | null {
  if (error instanceof Error && /quote|column|delimiter|parse/i.test(error.message) && !/ECONN|timeout/i.test(error.message)) {
    return `the file is not valid CSV: ${error.message}`;
  }
  return null;
}
