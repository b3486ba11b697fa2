import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  IntegrationEntity,
  ReceivedFileEntity,
  ReceivedFileRepository,
  SyncRunRecords,
  type ReceivedFileListing,
  type ReceivedFilePage,
  type SyncRunErrorListing,
  type SyncRunErrorPage,
  type SyncRunListing,
} from '@bpo/persistence';
import { MessagingLifecycle, undeliveredBySyncRun } from '@bpo/messaging';
import { queueFileForSync } from '@bpo/pipeline';
import { withSpan } from '@bpo/service-kit';
import { ConfigApiErrorCode, ConfigApiException, notFound } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import { cursorKeys, type PageWindow } from '../common/pagination.util';
import type { FileRow, LatestRun, SyncRunRow } from './sync-run.mapper';

/** A files page's cursor keys: a forged cursor answers 400, never a database error. */
function olderThan(window: PageWindow): ReceivedFilePage['olderThan'] {
  const [receivedKey, id] = cursorKeys(window, ['timestamptz', 'uuid']) ?? [];
  return receivedKey === undefined ? null : { receivedKey, id };
}

/** An errors page's window, read by sync_run_errors' seq: one row more than the page (toPage); a forged cursor answers 400. */
function errorPage(window: PageWindow): SyncRunErrorPage {
  const [afterSeq] = cursorKeys(window, ['int']) ?? [null];
  return { limit: window.limit + 1, offset: window.offset, afterSeq };
}

/** Reads what the pipeline wrote (received files, sync runs, their errors) and queues replays. */
@Injectable()
export class SyncRepository {
  private readonly receivedFiles: ReceivedFileRepository;
  private readonly syncRuns: SyncRunRecords;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: MessagingLifecycle,
  ) {
    this.receivedFiles = new ReceivedFileRepository(dataSource);
    this.syncRuns = new SyncRunRecords(dataSource);
  }

  /** Checks that the integration is the organization's (404 otherwise). */
  async requireIntegration(organizationId: string, integrationId: string): Promise<void> {
    await findOwned(this.dataSource.manager, IntegrationEntity, organizationId, integrationId);
  }

  /** Each integration's latest sync run, with its file. */
  async latestRuns(integrationIds: readonly string[]): Promise<Map<string, LatestRun>> {
    const latest = await this.syncRuns.latestOfIntegrations(integrationIds);
    const runs = await this.withUndelivered([...latest.values()]);
    const files = await this.receivedFiles.listingOf(runs.map((run) => run.file_id));
    // A file deleted in between takes its runs with it: its integration has none to show.
    return new Map(runs.flatMap((run) => {
      const file = files.get(run.file_id);
      return file ? [[run.integration_id, { file, run }] as const] : [];
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

  /** The files, in their order, each with its latest sync run (null when it has none). */
  private async withLatestRuns(files: readonly ReceivedFileListing[]): Promise<FileRow[]> {
    if (files.length === 0) return [];
    const latest = await this.syncRuns.latestOfFiles(files.map((file) => file.id));
    const byFile = new Map((await this.withUndelivered([...latest.values()])).map((run) => [run.file_id, run]));
    return files.map((file) => ({ file, run: byFile.get(file.id) ?? null }));
  }

  /** Every sync run of a file, newest first. */
  async runs(fileId: string): Promise<SyncRunRow[]> {
    return this.withUndelivered(await this.syncRuns.ofFile(fileId));
  }

  /**
   * Adds each run's undelivered messages, read by messaging (the owner of outbox_dead_letters) in one
   * more statement for all the runs. The runs are already a bounded page (paged by the file listing,
   * not by this join), so no SQL fragment needs to stay inside these statements: one indexed read per
   * page instead of the correlated subquery per row it replaces.
   */
  private async withUndelivered(runs: readonly SyncRunListing[]): Promise<SyncRunRow[]> {
    const undelivered = await undeliveredBySyncRun(this.dataSource.manager, runs.map((run) => run.id));
    return runs.map((run) => ({ ...run, undelivered: undelivered.get(run.id) ?? [] }));
  }

  errors(syncRunId: string, window: PageWindow): Promise<SyncRunErrorListing[]> {
    return this.syncRuns.errors(syncRunId, errorPage(window));
  }

  errorCount(syncRunId: string): Promise<number> {
    return this.syncRuns.errorCount(syncRunId);
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
      const processing = await new SyncRunRecords(manager).processingOf(file.id);
      if (processing) {
        throw new ConfigApiException(ConfigApiErrorCode.FileStillProcessing, `file ${file.id} is still being processed (sync run ${processing}); replay it once that run has finished`);
      }
      return queueFileForSync(manager, { ...file, fileId: file.id, siteId: integration.siteId, sizeBytes: Number(file.sizeBytes), platform: integration.platform }, now);
    }));
    this.messaging.wakeRelay();
    return syncRunId;
  }
}
