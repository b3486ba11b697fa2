import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import type { EventTypeEntity } from '@bpo/persistence';
import { IsOptionalNonNull } from '../common/validation.util';

const COLOR = /^#[0-9a-fA-F]{6}$/;
const COLOR_MESSAGE = 'color must be a hex color such as #1e90ff';

export class CreateEventTypeDto {
  @ApiProperty({ example: 'Lunch' }) @IsString() @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ example: '#1e90ff', nullable: true, type: String }) @IsOptional() @Matches(COLOR, { message: COLOR_MESSAGE })
  color?: string | null;
}

export class UpdateEventTypeDto {
  @ApiPropertyOptional() @IsOptionalNonNull() @IsString() @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ example: '#1e90ff', nullable: true, type: String, description: 'null clears it' }) @IsOptional() @Matches(COLOR, { message: COLOR_MESSAGE })
  color?: string | null;
}

export class EventTypeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) color: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class EventTypeListResponse {
  @ApiProperty({ type: [EventTypeResponse] }) items: EventTypeResponse[];
}

export function toEventTypeResponse(entity: EventTypeEntity): EventTypeResponse {
  return { id: entity.id, name: entity.name, color: entity.color, createdAt: entity.createdAt.toISOString() };
}
