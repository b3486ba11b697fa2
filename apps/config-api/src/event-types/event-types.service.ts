import { Injectable } from '@nestjs/common';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { EventTypeListResponse, EventTypeResponse, toEventTypeResponse, type CreateEventTypeDto, type UpdateEventTypeDto } from './event-type.dto';
import { EventTypesRepository, type EventTypeUsage } from './event-types.repository';

@Injectable()
export class EventTypesService {
  constructor(private readonly eventTypes: EventTypesRepository) {}

  async create(organizationId: string, dto: CreateEventTypeDto): Promise<EventTypeResponse> {
    return toEventTypeResponse(await this.eventTypes.create(organizationId, dto.name, dto.color ?? null));
  }

  async list(organizationId: string): Promise<EventTypeListResponse> {
    return { items: (await this.eventTypes.list(organizationId)).map(toEventTypeResponse) };
  }

  async get(organizationId: string, id: string): Promise<EventTypeResponse> {
    return toEventTypeResponse(await this.eventTypes.get(organizationId, id));
  }

  async update(organizationId: string, id: string, dto: UpdateEventTypeDto): Promise<EventTypeResponse> {
    return toEventTypeResponse(await this.eventTypes.update(organizationId, id, { name: dto.name, color: dto.color }));
  }

  /** Refused while anything uses it: deleting would silently drop rules, default mappings or schedule events. */
  async delete(organizationId: string, id: string): Promise<void> {
    await this.eventTypes.get(organizationId, id);
    const reason = usageReason(await this.eventTypes.usage(id));
    if (reason) throw new ConfigApiException(ConfigApiErrorCode.EventTypeInUse, `event type ${id} is still used by ${reason}; change those first`);
    await this.eventTypes.delete(id);
  }
}

function usageReason(usage: EventTypeUsage): string | null {
  const uses = [
    usage.mappingRules > 0 ? `${usage.mappingRules} mapping rule(s)` : null,
    usage.defaultMappings > 0 ? `${usage.defaultMappings} integration default mapping(s)` : null,
    usage.hasEvents ? 'schedule events' : null,
  ].filter((use): use is string => use !== null);
  return uses.length > 0 ? uses.join(', ') : null;
}
