import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsOptionalNonNull, IsTimeZone } from '../common/validation.util';

export class CreateSiteDto {
  @ApiProperty({ example: 'Manila BPO' }) @IsString() @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'Asia/Manila', description: 'IANA time zone' }) @IsTimeZone()
  timezone: string;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  isBpo?: boolean;
}

export class UpdateSiteDto {
  @ApiPropertyOptional() @IsOptionalNonNull() @IsString() @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'IANA time zone' }) @IsOptionalNonNull() @IsTimeZone()
  timezone?: string;

  @ApiPropertyOptional({ description: 'Whether a BPO works at this site; only BPO sites can have an integration' })
  @IsOptionalNonNull() @IsBoolean()
  isBpo?: boolean;
}

export class MarkBposDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @ArrayUnique() @IsUUID('all', { each: true })
  siteIds: string[];

  @ApiProperty() @IsBoolean()
  isBpo: boolean;
}

export class SiteResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() timezone: string;
  @ApiProperty() isBpo: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) integrationId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SiteListResponse {
  @ApiProperty({ type: [SiteResponse] }) items: SiteResponse[];
}
