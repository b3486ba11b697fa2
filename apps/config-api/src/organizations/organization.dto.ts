import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { OrganizationEntity } from '@bpo/persistence';
import { IsTimeZone } from '../common/validation.util';
import { ScheduleResponse } from '../schedules/schedule.dto';
import { CreatedTokenResponse } from '../tokens/token.dto';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme Support' }) @IsString() @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'Europe/Paris', description: 'IANA time zone' }) @IsTimeZone()
  timezone: string;
}

export class OrganizationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedOrganizationResponse {
  @ApiProperty() organization: OrganizationResponse;
  @ApiProperty({ description: 'The first admin token, shown this once' }) token: CreatedTokenResponse;
  @ApiProperty() defaultSchedule: ScheduleResponse;
}

export function toOrganizationResponse(entity: OrganizationEntity): OrganizationResponse {
  return { id: entity.id, name: entity.name, timezone: entity.timezone, createdAt: entity.createdAt.toISOString() };
}
