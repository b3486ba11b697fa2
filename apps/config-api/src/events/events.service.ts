import { Injectable } from '@nestjs/common';
import { invalidField } from '../common/config-api.exception';
import { pageWindow, toPage } from '../common/pagination.util';
import type { EventListResponse, EventResponse, EventsQuery } from './event.dto';
import { EventsRepository, type EventRow } from './events.repository';

/** Schedule events as the pipeline wrote them; read from PostgreSQL only. */
@Injectable()
export class EventsService {
  constructor(private readonly events: EventsRepository) {}

  async list(organizationId: string, query: EventsQuery): Promise<EventListResponse> {
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) throw invalidField('to', 'to must be after from');
    await this.events.requireFilters(organizationId, query);
    const window = pageWindow(query, 2);
    return toPage(await this.events.list(organizationId, query, window), window, (row) => [row.start_key, row.id], toEventResponse);
  }
}

function toEventResponse(row: EventRow): EventResponse {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    agent: { id: row.agent_id, name: row.agent_name, siteId: row.site_id },
    eventType: { id: row.event_type_id, name: row.event_type_name, color: row.event_type_color },
    startAt: row.start_at.toISOString(),
    endAt: row.end_at.toISOString(),
    day: row.day,
    source: { integrationId: row.source_integration_id, fileId: row.source_file_id, filename: row.filename },
  };
}
