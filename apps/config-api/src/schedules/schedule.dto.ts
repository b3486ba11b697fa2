import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { ScheduleEntity } from '@bpo/persistence';
import { IsOptionalNonNull } from '../common/validation.util';

export class CreateScheduleDto {
  @ApiProperty({ example: 'Tier 2 support' }) @IsString() @Length(1, 200)
  name: string;
}

export class UpdateScheduleDto {
  @ApiPropertyOptional() @IsOptionalNonNull() @IsString() @Length(1, 200)
  name?: string;
}

export class ScheduleResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Integrations without a target schedule write here; it cannot be deleted' }) isDefault: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ScheduleListResponse {
  @ApiProperty({ type: [ScheduleResponse] }) items: ScheduleResponse[];
}

export function toScheduleResponse(entity: ScheduleEntity): ScheduleResponse {
  return { id: entity.id, name: entity.name, isDefault: entity.isDefault, createdAt: entity.createdAt.toISOString() };
}
