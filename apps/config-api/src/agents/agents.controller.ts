import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, getSchemaPath } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { AgentListResponse, AgentResponse, AgentsQuery, CreateAgentDto, ImportAgentsDto, ImportAgentsResponse, UpdateAgentDto } from './agent.dto';
import { AgentsService } from './agents.service';
import { ImportBodyPipe } from './import-body.pipe';

@ApiController('agents', 'agents')
@ApiExtraModels(ImportAgentsDto)
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get() @ApiOkResponse({ type: AgentListResponse })
  list(@OrganizationId() organizationId: string, @Query() query: AgentsQuery): Promise<AgentListResponse> {
    return this.agents.list(organizationId, query);
  }

  @Post() @RequiresRole('lead') @ApiCreatedResponse({ type: AgentResponse })
  create(@OrganizationId() organizationId: string, @Body() dto: CreateAgentDto): Promise<AgentResponse> {
    return this.agents.create(organizationId, dto);
  }

  @Post('import') @RequiresRole('lead') @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Set platform IDs from a CSV (agent_id or email, plus one column per platform field); answers line by line' })
  @ApiConsumes('text/csv', 'application/json')
  @ApiBody({ schema: { oneOf: [{ type: 'string', example: 'email,nice_iex_sftp\nana@example.com,IEX-1001' }, { $ref: getSchemaPath(ImportAgentsDto) }] } })
  @ApiOkResponse({ type: ImportAgentsResponse })
  import(@OrganizationId() organizationId: string, @Body(ImportBodyPipe) csv: string): Promise<ImportAgentsResponse> {
    return this.agents.import(organizationId, csv);
  }

  @Get(':id') @ApiOkResponse({ type: AgentResponse })
  get(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<AgentResponse> {
    return this.agents.get(organizationId, id);
  }

  @Patch(':id') @RequiresRole('lead') @ApiOkResponse({ type: AgentResponse })
  update(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: UpdateAgentDto): Promise<AgentResponse> {
    return this.agents.update(organizationId, id, dto);
  }

  @Delete(':id') @RequiresRole('lead') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<void> {
    return this.agents.delete(organizationId, id);
  }
}
