import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import {
  CreateMappingRuleDto,
  DefaultMappingDto,
  DefaultMappingResponse,
  MappingPreviewResponse,
  MappingRuleListResponse,
  MappingRuleResponse,
  PreviewMappingDto,
  UpdateMappingRuleDto,
} from './mapping-rule.dto';
import { MappingRulesService } from './mapping-rules.service';

@ApiController('integrations/:id', 'mapping rules')
export class MappingRulesController {
  constructor(private readonly rules: MappingRulesService) {}

  @Get('mapping-rules') @ApiOkResponse({ type: MappingRuleListResponse })
  list(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<MappingRuleListResponse> {
    return this.rules.list(organizationId, id);
  }

  @Post('mapping-rules') @RequiresRole('manager') @ApiCreatedResponse({ type: MappingRuleResponse })
  create(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: CreateMappingRuleDto): Promise<MappingRuleResponse> {
    return this.rules.create(organizationId, id, dto);
  }

  @Post('mapping-rules/preview') @HttpCode(HttpStatus.OK) @ApiOperation({ summary: 'What the current rules would do to some activities (nothing is saved)' }) @ApiOkResponse({ type: MappingPreviewResponse })
  preview(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: PreviewMappingDto): Promise<MappingPreviewResponse> {
    return this.rules.preview(organizationId, id, dto);
  }

  @Patch('mapping-rules/:ruleId') @RequiresRole('manager') @ApiOkResponse({ type: MappingRuleResponse })
  update(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Param('ruleId', uuidPipe('ruleId')) ruleId: string, @Body() dto: UpdateMappingRuleDto): Promise<MappingRuleResponse> {
    return this.rules.update(organizationId, id, ruleId, dto);
  }

  @Delete('mapping-rules/:ruleId') @RequiresRole('manager') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Param('ruleId', uuidPipe('ruleId')) ruleId: string): Promise<void> {
    return this.rules.delete(organizationId, id, ruleId);
  }

  @Put('default-mapping') @RequiresRole('manager') @ApiOperation({ summary: 'Set (or clear) the event type of activities no rule matches' }) @ApiOkResponse({ type: DefaultMappingResponse })
  setDefault(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: DefaultMappingDto): Promise<DefaultMappingResponse> {
    return this.rules.setDefault(organizationId, id, dto);
  }
}
