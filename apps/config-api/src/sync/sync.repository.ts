import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationEntity, ReceivedFileEntity, ReceivedFileRepository, type ReceivedFileListing, type ReceivedFilePage } from '@bpo/persistence';
import { MessagingLifecycle, undeliveredBySyncRun } from '@bpo/messaging';
import { queueFileForSync } from '@bpo/pipeline';
import { withSpan } from '@bpo/service-kit';
import { ConfigApiErrorCode, ConfigApiException, invalidField, notFound } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import { isCursorKey, pageSql, type PageWindow } from '../common/pagination.util';
import { SYNC_RUN_COLUMNS, type FileRow, type SyncRunRow } from './sync-run.mapper';

const LATEST_RUN = `LEFT JOIN LATERAL (
    SELECT * FROM sync_runs WHERE file_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1
  ) r ON TRUE`;

/** A files page's cursor keys, checked as pageSql checks its own: a forged cursor answers 400, never a database error. */
function olderThan(window: PageWindow): ReceivedFilePage['olderThan'] {
  if (!window.after) return null;
  const [receivedKey, id] = window.after;
  if (!isCursorKey(receivedKey, 'timestamptz') || !isCursorKey(id, 'uuid')) throw invalidField('cursor', 'cursor is not one this API gave out');
  return { receivedKey, id };
}

function toFileRow(file: ReceivedFileListing, run: SyncRunRow): FileRow {
  return { ...run, file_id: file.id, filename: file.filename, size_bytes: file.size_bytes, sha256: file.sha256, received_at: file.received_at, received_key: file.received_key };
}

export interface SyncErrorRow {
  seq: number;
  line: number;
  column: string | null;
  code: string;
  message: string;
}

/** Reads what the pipeline wrote (received files, sync runs, their errors) and queues replays. */
@Injectable()
export class SyncRepository {
  private readonly receivedFiles: ReceivedFileRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: MessagingLifecycle,
  ) {
    this.receivedFiles = new ReceivedFileRepository(dataSource);
  }

  /** Checks that the integration is the organization's (404 otherwise). */
  async requireIntegration(organizationId: string, integrationId: string): Promise<void> {
    await findOwned(this.dataSource.manager, IntegrationEntity, organizationId, integrationId);
  }

  /** Each integration's latest sync run, with its file. */
  async latestRuns(integrationIds: readonly string[]): Promise<Map<string, FileRow>> {
    if (integrationIds.length === 0) return new Map();
    const runs: (SyncRunRow & { integration_id: string; file_id: string })[] = await this.withUndelivered(
      await this.dataSource.query(
        `SELECT DISTINCT ON (r.integration_id) r.integration_id, r.file_id, ${SYNC_RUN_COLUMNS}
           FROM sync_runs r
          WHERE r.integration_id = ANY($1::uuid[])
          ORDER BY r.integration_id, r.started_at DESC, r.id DESC`,
        [integrationIds],
      ),
    );
    const files = await this.receivedFiles.listingOf(runs.map((run) => run.file_id));
    // A file deleted in between takes its runs with it: its integration has none to show.
    return new Map(runs.flatMap((run) => {
      const file = files.get(run.file_id);
      return file ? [[run.integration_id, toFileRow(file, run)] as const] : [];
    }));
  }

  /** An integration's files, newest first, each with its latest sync run. */
  async files(integrationId: string, window: PageWindow): Promise<FileRow[]> {
    // One row more than the page: it only says that there is a next page (toPage).
    const files = await this.receivedFiles.listing(integrationId, { limit: window.limit + 1, offset: window.after ? 0 : window.offset, olderThan: olderThan(window) });
    return this.withLatestRuns(files);
  }

  async file(integrationId: string, fileId: string): Promise<FileRow> {
    const [file] = (await this.receivedFiles.listingOf([fileId], integrationId)).values();
    if (!file) throw notFound('file', fileId);
    const [row] = await this.withLatestRuns([file]);
    return row;
  }

  /** The files, in their order, each with its latest sync run (its run columns null when it has none). */
  private async withLatestRuns(files: readonly ReceivedFileListing[]): Promise<FileRow[]> {
    if (files.length === 0) return [];
    const runs: (SyncRunRow & { file_id: string })[] = await this.withUndelivered(
      await this.dataSource.query(`SELECT f.id AS file_id, ${SYNC_RUN_COLUMNS} FROM unnest($1::uuid[]) AS f(id) ${LATEST_RUN}`, [files.map((file) => file.id)]),
    );
    const byFile = new Map(runs.map((run) => [run.file_id, run]));
    return files.map((file) => toFileRow(file, byFile.get(file.id)!));
  }

  /** Every sync run of a file, newest first. */
  async runs(fileId: string): Promise<SyncRunRow[]> {
    return this.withUndelivered(await this.dataSource.query(`SELECT ${SYNC_RUN_COLUMNS} FROM sync_runs r WHERE r.file_id = $1 ORDER BY r.started_at DESC, r.id DESC`, [fileId]));
  }

  /**
   * Adds each run's undelivered messages, read by messaging (the owner of outbox_dead_letters) in one
   * more statement for all the rows. The rows are already a bounded page (paged by the file listing,
   * not by this join), so no SQL fragment needs to stay inside these statements: one indexed read per
   * page instead of the correlated subquery per row it replaces.
   */
  private async withUndelivered<T extends SyncRunRow>(rows: T[]): Promise<T[]> {
    const undelivered = await undeliveredBySyncRun(this.dataSource.manager, rows.flatMap((row) => (row.run_id ? [row.run_id] : [])));
    for (const row of rows) row.run_undelivered = (row.run_id && undelivered.get(row.run_id)) || [];
    return rows;
  }

  async errors(syncRunId: string, window: PageWindow): Promise<SyncErrorRow[]> {
    const params: unknown[] = [syncRunId];
    const page = pageSql(window, [{ sql: 'seq', cast: 'int' }], 'ASC', params);
    return this.dataSource.query(`SELECT seq, line, "column", code, message FROM sync_run_errors WHERE sync_run_id = $1 AND ${page.where} ${page.tail}`, params);
  }

  async errorCount(syncRunId: string): Promise<number> {
    const [row]: { count: number }[] = await this.dataSource.query('SELECT count(*)::int AS count FROM sync_run_errors WHERE sync_run_id = $1', [syncRunId]);
    return row.count;
  }

  /** The file's original bytes, read a few chunks at a time in `seq` order; the stream's demand paces the reads. */
  content(fileId: string): Readable {
    return Readable.from(this.receivedFiles.chunks(fileId), { objectMode: false });
  }

  /**
   * A new sync run of a stored file and its file-received message, in one transaction (the outbox
   * relay publishes the message once committed); then the relay is woken. Returns the run's id.
   */
  async replay(organizationId: string, integrationId: string, fileId: string, now: Date): Promise<string> {
    // With tracing on, a replay's sync run is a trace of its own, rooted here.
    const attributes = { 'bpo.integration_id': integrationId, 'bpo.file_id': fileId };
    const syncRunId = await withSpan('config-api replay', { root: true, attributes }, () => this.dataSource.transaction(async (manager) => {
      const integration = await findOwned(manager, IntegrationEntity, organizationId, integrationId);
      const file = await findOwned(manager, ReceivedFileEntity, organizationId, fileId);
      if (file.integrationId !== integration.id) throw notFound('file', fileId);
      // Two runs of one file at once would race to apply it; the client can replay once it is done.
      // Replays of a file take turns on the file's row (NO KEY UPDATE: rows that merely reference
      // the file are not held up), so the second sees the first's committed run and is refused.
      // Locking the processing run itself would lock nothing when there is none yet.
      await new ReceivedFileRepository(manager).lock(file.id);
      const processing = await manager.query(`SELECT id FROM sync_runs WHERE file_id = $1 AND status = 'processing' LIMIT 1`, [file.id]);
      if (processing.length > 0) {
        throw new ConfigApiException(ConfigApiErrorCode.FileStillProcessing, `file ${file.id} is still being processed (sync run ${processing[0].id}); replay it once that run has finished`);
      }
      return queueFileForSync(manager, { ...file, fileId: file.id, siteId: integration.siteId, sizeBytes: Number(file.sizeBytes), platform: integration.platform }, now);
    }));
    this.messaging.wakeRelay();
    return syncRunId;
  }
}
