import { Body, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation } from '@nestjs/swagger';
import { OperatorOnly } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { CreatedOrganizationResponse, CreateOrganizationDto } from './organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiController('organizations', 'organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post() @OperatorOnly() @ApiOperation({ summary: 'Create an organization (operator token only)' }) @ApiCreatedResponse({ type: CreatedOrganizationResponse })
  create(@Body() dto: CreateOrganizationDto): Promise<CreatedOrganizationResponse> {
    return this.organizations.create(dto);
  }
}
