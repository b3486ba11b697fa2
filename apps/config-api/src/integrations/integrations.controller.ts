import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import {
  ConnectedIntegrationResponse,
  ConnectIntegrationDto,
  IntegrationDetailResponse,
  IntegrationListResponse,
  SftpCredentialsResponse,
  UpdateIntegrationDto,
} from './integration.dto';
import { IntegrationsService } from './integrations.service';

@ApiController('', 'integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Post('sites/:siteId/integration') @RequiresRole('manager') @ApiOperation({ summary: 'Connect a BPO site over SFTP (the password is shown this once)' }) @ApiCreatedResponse({ type: ConnectedIntegrationResponse })
  connect(@OrganizationId() organizationId: string, @Param('siteId', uuidPipe('siteId')) siteId: string, @Body() dto: ConnectIntegrationDto): Promise<ConnectedIntegrationResponse> {
    return this.integrations.connect(organizationId, siteId, dto);
  }

  @Get('integrations') @ApiOkResponse({ type: IntegrationListResponse })
  list(@OrganizationId() organizationId: string): Promise<IntegrationListResponse> {
    return this.integrations.list(organizationId);
  }

  @Get('integrations/:id') @ApiOperation({ summary: 'An integration with its sync status' }) @ApiOkResponse({ type: IntegrationDetailResponse })
  get(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<IntegrationDetailResponse> {
    return this.integrations.get(organizationId, id);
  }

  @Patch('integrations/:id') @RequiresRole('manager') @ApiOkResponse({ type: IntegrationDetailResponse })
  update(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: UpdateIntegrationDto): Promise<IntegrationDetailResponse> {
    return this.integrations.update(organizationId, id, dto);
  }

  @Delete('integrations/:id') @RequiresRole('manager') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<void> {
    return this.integrations.delete(organizationId, id);
  }

  @Post('integrations/:id/credentials/rotate') @RequiresRole('manager') @HttpCode(HttpStatus.OK) @ApiOperation({ summary: 'Issue a new SFTP password (shown this once)' }) @ApiOkResponse({ type: SftpCredentialsResponse })
  rotateCredentials(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<SftpCredentialsResponse> {
    return this.integrations.rotateCredentials(organizationId, id);
  }
}
