import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { AddSshKeyDto, SshKeyListResponse, SshKeyResponse } from './ssh-key.dto';
import { SshKeysService } from './ssh-keys.service';

@ApiController('integrations/:id/ssh-keys', 'integrations')
export class SshKeysController {
  constructor(private readonly keys: SshKeysService) {}

  @Get() @ApiOkResponse({ type: SshKeyListResponse })
  list(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<SshKeyListResponse> {
    return this.keys.list(organizationId, id);
  }

  @Post() @RequiresRole('manager') @ApiCreatedResponse({ type: SshKeyResponse })
  add(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: AddSshKeyDto): Promise<SshKeyResponse> {
    return this.keys.add(organizationId, id, dto);
  }

  @Delete(':keyId') @RequiresRole('manager') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Param('keyId', uuidPipe('keyId')) keyId: string): Promise<void> {
    return this.keys.delete(organizationId, id, keyId);
  }
}
