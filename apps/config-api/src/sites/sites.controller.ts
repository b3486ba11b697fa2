import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { CreateSiteDto, MarkBposDto, SiteListResponse, SiteResponse, UpdateSiteDto } from './site.dto';
import { SitesService } from './sites.service';

@ApiController('sites', 'sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Get() @ApiOkResponse({ type: SiteListResponse })
  list(@OrganizationId() organizationId: string): Promise<SiteListResponse> {
    return this.sites.list(organizationId);
  }

  @Post() @RequiresRole('manager') @ApiCreatedResponse({ type: SiteResponse })
  create(@OrganizationId() organizationId: string, @Body() dto: CreateSiteDto): Promise<SiteResponse> {
    return this.sites.create(organizationId, dto);
  }

  @Post('bpo') @RequiresRole('manager') @HttpCode(HttpStatus.OK) @ApiOperation({ summary: 'Mark or unmark several sites as BPOs' }) @ApiOkResponse({ type: SiteListResponse })
  markBpos(@OrganizationId() organizationId: string, @Body() dto: MarkBposDto): Promise<SiteListResponse> {
    return this.sites.markBpos(organizationId, dto);
  }

  @Get(':id') @ApiOkResponse({ type: SiteResponse })
  get(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<SiteResponse> {
    return this.sites.get(organizationId, id);
  }

  @Patch(':id') @RequiresRole('manager') @ApiOkResponse({ type: SiteResponse })
  update(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: UpdateSiteDto): Promise<SiteResponse> {
    return this.sites.update(organizationId, id, dto);
  }

  @Delete(':id') @RequiresRole('manager') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<void> {
    return this.sites.delete(organizationId, id);
  }
}
