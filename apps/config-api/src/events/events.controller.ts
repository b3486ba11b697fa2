import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OrganizationId } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { EventListResponse, EventsQuery } from './event.dto';
import { EventsService } from './events.service';

@ApiController('events', 'events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get() @ApiOperation({ summary: 'Schedule events by start time, paged (limit ≤ 1000, cursor or offset)' }) @ApiOkResponse({ type: EventListResponse })
  list(@OrganizationId() organizationId: string, @Query() query: EventsQuery): Promise<EventListResponse> {
    return this.events.list(organizationId, query);
  }
}
