import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import { notFound } from '../common/config-api.exception';
import { pageWindow, toPage, type PageQuery } from '../common/pagination.util';
import type { FileListResponse, FileReportQuery, FileReportResponse, ReplayResponse } from './sync-run.dto';
import { toFileResponse, toSyncErrorResponse, toSyncRunResponse } from './sync-run.mapper';
import { SyncRepository } from './sync.repository';

/** What BPOs uploaded to an integration and how each sync run of it went. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(private readonly sync: SyncRepository) {}

  async list(organizationId: string, integrationId: string, query: PageQuery): Promise<FileListResponse> {
    await this.sync.requireIntegration(organizationId, integrationId);
    const window = pageWindow(query, 2);
    return toPage(await this.sync.files(integrationId, window), window, ({ file }) => [file.received_key, file.id], toFileResponse);
  }

  async report(organizationId: string, integrationId: string, fileId: string, query: FileReportQuery): Promise<FileReportResponse> {
    await this.sync.requireIntegration(organizationId, integrationId);
    const file = await this.sync.file(integrationId, fileId);
    const syncRuns = (await this.sync.runs(fileId)).map(toSyncRunResponse);
    const reported = query.syncRunId ?? syncRuns[0]?.id;
    if (query.syncRunId && !syncRuns.some((run) => run.id === query.syncRunId)) throw notFound('sync run', query.syncRunId);
    const window = pageWindow(query, 1);
    const errors = reported
      ? { ...toPage(await this.sync.errors(reported, window), window, (row) => [String(row.seq)], toSyncErrorResponse), total: await this.sync.errorCount(reported) }
      : { items: [], nextCursor: null, total: 0 };
    return { ...toFileResponse(file), syncRuns, errors };
  }

  async content(organizationId: string, integrationId: string, fileId: string): Promise<StreamableFile> {
    await this.sync.requireIntegration(organizationId, integrationId);
    const { file } = await this.sync.file(integrationId, fileId);
    return new StreamableFile(this.sync.content(fileId), {
      type: 'application/octet-stream',
      disposition: `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
      length: Number(file.size_bytes),
    });
  }

  async replay(organizationId: string, integrationId: string, fileId: string): Promise<ReplayResponse> {
    const syncRunId = await this.sync.replay(organizationId, integrationId, fileId, new Date());
    this.logger.log({ message: 'file replay queued', organizationId, integrationId, fileId, syncRunId });
    return { syncRunId };
  }
}
