import { Body, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse } from '@nestjs/swagger';
import { OrganizationId } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { FileCheckResponse } from './file-check.dto';
import { FILE_CHECK_MAX_BYTES } from './file-check.constant';
import { FileCheckService } from './file-check.service';

@ApiController('integrations/:id/files', 'sync status')
export class FileCheckController {
  constructor(private readonly fileCheck: FileCheckService) {}

  @Post('check') @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Dry run: what a sync of this file would create, update and delete now, applying nothing',
    description:
      'The body is the file itself, as a BPO would upload it (any content type, e.g. text/csv or application/octet-stream; read in the integration\'s encoding). ' +
      'It is read, mapped, resolved and planned exactly as the pipeline would, with the integration\'s settings, mapping rules and agents, against the events stored in its target schedule; ' +
      `nothing is stored or sent. A file over ${FILE_CHECK_MAX_BYTES / (1024 * 1024)} MiB is refused (413): check larger files with \`bpo-sync check\`, or split them.`,
  })
  @ApiConsumes('text/csv', 'application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary', example: 'agent_id,start_time,end_time,activity\nA1,2026-12-01T09:00:00,2026-12-01T17:00:00,Phones' } })
  @ApiOkResponse({ type: FileCheckResponse })
  @ApiPayloadTooLargeResponse({ description: `The file is over ${FILE_CHECK_MAX_BYTES / (1024 * 1024)} MiB` })
  check(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() body: unknown): Promise<FileCheckResponse> {
    // The raw body parser of this route (config-api.service-definition) gives the bytes; no body at all is an empty file.
    return this.fileCheck.check(organizationId, id, Buffer.isBuffer(body) ? body : Buffer.alloc(0));
  }
}
