import { Delete, Get, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { SftpLockoutListResponse } from './sftp-lockouts.dto';
import { SftpLockoutsRepository } from './sftp-lockouts.repository';

/** The SFTP lockouts of an integration (its username, or addresses its logins failed from), and lifting one. */
@ApiController('integrations/:id/sftp-lockouts', 'integrations')
export class SftpLockoutsController {
  constructor(private readonly lockouts: SftpLockoutsRepository) {}

  @Get() @RequiresRole('manager') @ApiOperation({ summary: 'Active SFTP lockouts of the integration' }) @ApiOkResponse({ type: SftpLockoutListResponse })
  async list(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<SftpLockoutListResponse> {
    const integration = await this.lockouts.requireIntegration(organizationId, id);
    return { items: await this.lockouts.listActive(integration) };
  }

  @Delete(':lockoutId') @RequiresRole('manager') @HttpCode(HttpStatus.NO_CONTENT) @ApiOperation({ summary: 'Lift an SFTP lockout now' }) @ApiNoContentResponse()
  async lift(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Param('lockoutId', uuidPipe('lockoutId')) lockoutId: string): Promise<void> {
    const integration = await this.lockouts.requireIntegration(organizationId, id);
    await this.lockouts.lift(integration, lockoutId);
  }
}
