import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../common/pagination.util';

export class EventsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID()
  scheduleId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events of the agents of this site' }) @IsOptional() @IsUUID()
  siteId?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events starting at or after this instant' }) @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events starting before this instant' }) @IsOptional() @IsISO8601({ strict: true })
  to?: string;
}

export class EventAgentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
}

export class EventTypeRefResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) color: string | null;
}

export class EventSourceResponse {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null once the integration was deleted' }) integrationId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) fileId: string | null;
  @ApiProperty({ nullable: true, type: String }) filename: string | null;
}

export class EventResponse {
  @ApiProperty({ description: 'bigint, as a string' }) id: string;
  @ApiProperty({ format: 'uuid' }) scheduleId: string;
  @ApiProperty() agent: EventAgentResponse;
  @ApiProperty() eventType: EventTypeRefResponse;
  @ApiProperty({ format: 'date-time', description: 'UTC' }) startAt: string;
  @ApiProperty({ format: 'date-time', description: 'UTC' }) endAt: string;
  @ApiProperty({ format: 'date', description: 'The day the event belongs to, in the site\'s time zone' }) day: string;
  @ApiProperty() source: EventSourceResponse;
}

export class EventListResponse {
  @ApiProperty({ type: [EventResponse] }) items: EventResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
