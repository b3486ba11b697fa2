import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationEntity, ReceivedFileEntity } from '@bpo/persistence';
import { MessagingLifecycle } from '@bpo/messaging';
import { queueFileForSync } from '@bpo/pipeline';
import { withSpan } from '@bpo/service-kit';
import { ConfigApiErrorCode, ConfigApiException, notFound } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import { pageSql, type PageWindow } from '../common/pagination.util';
import { FILE_COLUMNS, SYNC_RUN_COLUMNS, type FileRow, type SyncRunRow } from './sync-run.mapper';

/** Chunks read per query while streaming a file: bounded memory whatever the file's size. */
const CHUNKS_PER_READ = 4;

const LATEST_RUN = `LEFT JOIN LATERAL (
    SELECT * FROM sync_runs WHERE file_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1
  ) r ON TRUE`;

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
  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: MessagingLifecycle,
  ) {}

  /** Checks that the integration is the organization's (404 otherwise). */
  async requireIntegration(organizationId: string, integrationId: string): Promise<void> {
    await findOwned(this.dataSource.manager, IntegrationEntity, organizationId, integrationId);
  }

  /** Each integration's latest sync run, with its file. */
  async latestRuns(integrationIds: readonly string[]): Promise<Map<string, FileRow>> {
    if (integrationIds.length === 0) return new Map();
    const rows: (FileRow & { integration_id: string })[] = await this.dataSource.query(
      `SELECT DISTINCT ON (r.integration_id) r.integration_id, ${SYNC_RUN_COLUMNS}, ${FILE_COLUMNS}
         FROM sync_runs r JOIN received_files f ON f.id = r.file_id
        WHERE r.integration_id = ANY($1::uuid[])
        ORDER BY r.integration_id, r.started_at DESC, r.id DESC`,
      [integrationIds],
    );
    return new Map(rows.map((row) => [row.integration_id, row]));
  }

  /** An integration's files, newest first, each with its latest sync run. */
  async files(integrationId: string, window: PageWindow): Promise<FileRow[]> {
    const params: unknown[] = [integrationId];
    const page = pageSql(window, [{ sql: 'f.received_at', cast: 'timestamptz' }, { sql: 'f.id', cast: 'uuid' }], 'DESC', params);
    return this.dataSource.query(`SELECT ${FILE_COLUMNS}, ${SYNC_RUN_COLUMNS} FROM received_files f ${LATEST_RUN} WHERE f.integration_id = $1 AND ${page.where} ${page.tail}`, params);
  }

  async file(integrationId: string, fileId: string): Promise<FileRow> {
    const [row]: FileRow[] = await this.dataSource.query(`SELECT ${FILE_COLUMNS}, ${SYNC_RUN_COLUMNS} FROM received_files f ${LATEST_RUN} WHERE f.integration_id = $1 AND f.id = $2`, [integrationId, fileId]);
    if (!row) throw notFound('file', fileId);
    return row;
  }

  /** Every sync run of a file, newest first. */
  runs(fileId: string): Promise<SyncRunRow[]> {
    return this.dataSource.query(`SELECT ${SYNC_RUN_COLUMNS} FROM sync_runs r WHERE r.file_id = $1 ORDER BY r.started_at DESC, r.id DESC`, [fileId]);
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
    const dataSource = this.dataSource;
    async function* chunks(): AsyncGenerator<Buffer> {
      let after = -1;
      for (;;) {
        const rows: { seq: number; data: Buffer }[] = await dataSource.query(
          'SELECT seq, data FROM received_file_chunks WHERE file_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
          [fileId, after, CHUNKS_PER_READ],
        );
        for (const row of rows) yield row.data;
        if (rows.length < CHUNKS_PER_READ) return;
        after = rows[rows.length - 1].seq;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
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
      await manager.query('SELECT id FROM received_files WHERE id = $1 FOR NO KEY UPDATE', [file.id]);
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
