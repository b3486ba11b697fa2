import { Get, HttpCode, HttpStatus, Param, Post, Query, type StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { PageQuery } from '../common/pagination.util';
import { uuidPipe } from '../common/validation.util';
import { FileListResponse, FileReportQuery, FileReportResponse, ReplayResponse } from './sync-run.dto';
import { FilesService } from './files.service';

@ApiController('integrations/:id/files', 'sync status')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Get() @ApiOperation({ summary: 'Received files, newest first, each with its latest sync run' }) @ApiOkResponse({ type: FileListResponse })
  list(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Query() query: PageQuery): Promise<FileListResponse> {
    return this.files.list(organizationId, id, query);
  }

  @Get(':fileId') @ApiOperation({ summary: 'A file\'s sync report with every error (paged)' }) @ApiOkResponse({ type: FileReportResponse })
  report(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Param('fileId', uuidPipe('fileId')) fileId: string, @Query() query: FileReportQuery): Promise<FileReportResponse> {
    return this.files.report(organizationId, id, fileId, query);
  }

  @Get(':fileId/content') @ApiProduces('application/octet-stream') @ApiOkResponse({ description: 'The file as uploaded', schema: { type: 'string', format: 'binary' } })
  content(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Param('fileId', uuidPipe('fileId')) fileId: string): Promise<StreamableFile> {
    return this.files.content(organizationId, id, fileId);
  }

  @Post(':fileId/replay') @RequiresRole('manager') @HttpCode(HttpStatus.ACCEPTED) @ApiOperation({ summary: 'Run a stored file through the pipeline again' }) @ApiAcceptedResponse({ type: ReplayResponse })
  replay(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Param('fileId', uuidPipe('fileId')) fileId: string): Promise<ReplayResponse> {
    return this.files.replay(organizationId, id, fileId);
  }
}
