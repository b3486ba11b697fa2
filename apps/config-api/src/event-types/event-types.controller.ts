import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { CreateEventTypeDto, EventTypeListResponse, EventTypeResponse, UpdateEventTypeDto } from './event-type.dto';
import { EventTypesService } from './event-types.service';

@ApiController('event-types', 'event types')
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService) {}

  @Get() @ApiOkResponse({ type: EventTypeListResponse })
  list(@OrganizationId() organizationId: string): Promise<EventTypeListResponse> {
    return this.eventTypes.list(organizationId);
  }

  @Post() @RequiresRole('manager') @ApiCreatedResponse({ type: EventTypeResponse })
  create(@OrganizationId() organizationId: string, @Body() dto: CreateEventTypeDto): Promise<EventTypeResponse> {
    return this.eventTypes.create(organizationId, dto);
  }

  @Get(':id') @ApiOkResponse({ type: EventTypeResponse })
  get(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<EventTypeResponse> {
    return this.eventTypes.get(organizationId, id);
  }

  @Patch(':id') @RequiresRole('manager') @ApiOkResponse({ type: EventTypeResponse })
  update(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: UpdateEventTypeDto): Promise<EventTypeResponse> {
    return this.eventTypes.update(organizationId, id, dto);
  }

  @Delete(':id') @RequiresRole('manager') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<void> {
    return this.eventTypes.delete(organizationId, id);
  }
}
