import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DateTime } from 'luxon';
import { RowColumnsBuilder, type AgentDayBasisV1, type ColumnRow, type FileEndV1, type FileReceivedV1, type RowErrorV1, type RowsBatchV2 } from '@bpo/contracts';
import { DEFAULT_PARSE_LIMITS, readScheduleFile, type ParseLimits, type ScheduleFileSummary } from '@bpo/schedule-file';
import { AgentDayRuns, type AgentDayRun } from '@bpo/snapshot-sync';
import { DEFAULT_BATCH_ROWS } from './parser.config';
import { ParserRepository } from './parser.repository';

/** Nest token of the rows per batch (PARSER_BATCH_ROWS). */
export const BATCH_ROWS = Symbol('BATCH_ROWS');

/** Characters of CSV values per batch at most, so a batch of long (but allowed) lines stays far below the broker's message limit. */
export const BATCH_MAX_CHARS = 1_000_000;

/** Agent-day entries per batch at most (about 35 bytes each): a re-sent file that changed little is mostly entries. */
export const BATCH_MAX_AGENT_DAYS = 10_000;

/**
 * Days from the received day on which an unchanged agent-day may be left out. Earlier days are
 * always sent: the past-day rule (events up to the end of today are not synced) is applied by the
 * writer, and a file may be applied after midnight.
 */
export const SKIP_FROM_DAYS_AHEAD = 2;

export const PARSE_LIMITS = Symbol('PARSE_LIMITS');

export type FileMessage = RowsBatchV2 | FileEndV1;

/**
 * Streams a stored file through its platform's template into batches of schedule rows in UTC.
 * Row problems travel with the batches, with their line and column; a file-level problem (empty,
 * no header, missing columns, not text in the integration's encoding, over a ParseLimits limit)
 * ends the file as failed: its end message carries the reason and the file's message is done.
 * Message ids are derived from the sync run and position, so parsing a file again after a crash
 * sends identical messages that later stages recognise.
 *
 * Rows travel in runs of one agent's day (consecutive rows), each closed by an agent-day entry
 * with its digest. A run whose digest equals the one stored when that agent-day was last applied
 * is left out (its entry says so): a re-sent file that changed little costs the later stages
 * little. The writer checks each such entry before it keeps the stored events.
 */
@Injectable()
export class ParserService {
  private readonly logger = new Logger(ParserService.name);

  private readonly limits: ParseLimits;
  private readonly batchRows: number;

  constructor(
    private readonly repository: ParserRepository,
    @Optional() @Inject(PARSE_LIMITS) limits?: ParseLimits,
    @Optional() @Inject(BATCH_ROWS) batchRows?: number,
  ) {
    this.limits = limits ?? DEFAULT_PARSE_LIMITS;
    this.batchRows = batchRows ?? DEFAULT_BATCH_ROWS;
  }

  async parseFile(file: FileReceivedV1, send: (message: FileMessage) => Promise<void>, heartbeat: () => Promise<void> = async () => undefined): Promise<FileEndV1> {
    const envelope = { organizationId: file.organizationId, integrationId: file.integrationId, fileId: file.fileId, syncRunId: file.syncRunId };
    let sequence = 0;
    const rows = new RowColumnsBuilder();
    let errors: RowErrorV1[] = [];
    let batchChars = 0;
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
      if (rows.size === 0 && rows.agentDayCount === 0 && errors.length === 0) return;
      const batch: RowsBatchV2 = { ...envelope, messageId: `parser:${file.syncRunId}:${sequence}`, occurredAt: file.receivedAt, kind: 'rows', sequence, ...rows.take(), errors };
      await settle();
      inFlight = send(batch).then(heartbeat);
      inFlight.catch(() => undefined); // its failure is thrown where it is awaited, never left unhandled
      sequence += 1;
      errors = [];
      batchChars = 0;
    };
    const end = (summary: ScheduleFileSummary, agentDays?: { repeatedAgentDays: number; comparedWith?: AgentDayBasisV1 }): FileEndV1 => ({
      ...envelope,
      messageId: `parser:${file.syncRunId}:end`,
      occurredAt: file.receivedAt,
      kind: 'end',
      batchCount: sequence,
      rowCount: summary.rowCount,
      rowErrorCount: summary.rowErrorCount,
      ...(summary.window && !summary.failure ? { window: summary.window } : {}),
      ...(summary.failure ? { failure: { stage: 'parser' as const, reason: summary.failure } } : {}),
      filename: file.filename,
      receivedAt: file.receivedAt,
      ...(agentDays ?? {}),
    });
    const failed = async (reason: string, rowCount = 0, rowErrorCount = 0) => {
      this.logger.warn({ message: 'file failed', integrationId: file.integrationId, fileId: file.fileId, syncRunId: file.syncRunId, reason });
      await settle();
      const done = end({ rowCount, rowErrorCount, failure: reason });
      await send(done);
      return done;
    };

    const settings = await this.repository.settings(file);
    if (!settings) return failed('the integration no longer exists');
    const firstSkippableDay = DateTime.fromISO(file.receivedAt, { zone: settings.siteTimezone }).plus({ days: SKIP_FROM_DAYS_AHEAD }).toISODate() ?? '9999-12-31';
    const stored = file.readInFull ? null : await this.repository.storedDigests(file, firstSkippableDay);
    const runs = new AgentDayRuns<ColumnRow>({ stored: stored?.table ?? null, firstSkippableDay });
    // Characters of the open run's values: they count against a batch once the run is sent.
    let runChars = 0;
    const addRun = (run: AgentDayRun<ColumnRow>, chars: number) => {
      if (!run.unchanged) {
        for (const row of run.rows) rows.add(row);
        batchChars += chars;
      }
      rows.addAgentDay({ platformAgentId: run.platformAgentId, day: run.day, digest: run.digest, rows: run.rows.length, skipped: run.unchanged });
    };
    const full = () => rows.size + errors.length >= this.batchRows || batchChars >= BATCH_MAX_CHARS || rows.agentDayCount >= BATCH_MAX_AGENT_DAYS;
    // The file is read as the file check (CLI) and the API's dry run read it: one reader (@bpo/schedule-file).
    // A database or broker failure is thrown and retried by the consumer; a problem of the file ends it as failed.
    const parts = readScheduleFile(this.repository.fileChunks(file.fileId), { ...settings, receivedAt: file.receivedAt }, {
      limits: this.limits,
      elapsedMs: () => performance.now() - startedAt - waitingMs,
    });
    let summary: ScheduleFileSummary = { rowCount: 0, rowErrorCount: 0 };
    for await (const part of parts) {
      if (part.kind === 'end') {
        summary = part.summary;
        break;
      }
      const { readings, chars } = part;
      for (let i = 0; i < readings.length; i += 1) {
        const reading = readings[i];
        if (reading.ok) {
          // The normalized row is a ColumnRow as it is (no copy per row); a run's rows go in one
          // batch with its entry: batches are cut between runs only.
          const row: ColumnRow = reading.row;
          const closed = runs.push(row, row.startAt, row.endAt);
          if (closed) {
            addRun(closed, runChars);
            runChars = 0;
          }
          runChars += chars[i];
          if (runChars >= BATCH_MAX_CHARS) {
            addRun(runs.cut()!, runChars);
            runChars = 0;
          }
        } else {
          batchChars += chars[i];
          if (reading.problems.length > 0) errors.push(...reading.problems);
        }
        if (full()) await flush();
      }
    }
    if (summary.failure) return failed(summary.failure, summary.rowCount, summary.rowErrorCount);
    const last = runs.finish();
    if (last) addRun(last, runChars);
    await flush();
    await settle();
    const done = end(summary, { repeatedAgentDays: runs.repeatedAgentDays, ...(stored ? { comparedWith: stored.basis } : {}) });
    await send(done);
    return done;
  }
}
