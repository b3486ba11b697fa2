import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';
import { MatchTypes, MAX_PATTERN_LENGTH, Priorities, type MatchType, type Priority } from '@bpo/mapping-rules';
import { IsOptionalNonNull } from '../common/validation.util';

export const MAX_PREVIEW_ACTIVITIES = 1000;

export class CreateMappingRuleDto {
  @ApiProperty({ enum: MatchTypes, description: 'Compared ignoring case and surrounding spaces; pattern is an RE2 regular expression' }) @IsIn(MatchTypes)
  matchType: MatchType;

  @ApiProperty({ example: 'Lunch' }) @IsString() @Length(1, MAX_PATTERN_LENGTH)
  keyword: string;

  @ApiProperty({ enum: Priorities, description: 'Rules are tried highest first, then oldest first' }) @IsIn(Priorities)
  priority: Priority;

  @ApiProperty({ format: 'uuid' }) @IsUUID()
  eventTypeId: string;
}

export class UpdateMappingRuleDto {
  @ApiPropertyOptional({ enum: MatchTypes }) @IsOptionalNonNull() @IsIn(MatchTypes)
  matchType?: MatchType;

  @ApiPropertyOptional() @IsOptionalNonNull() @IsString() @Length(1, MAX_PATTERN_LENGTH)
  keyword?: string;

  @ApiPropertyOptional({ enum: Priorities }) @IsOptionalNonNull() @IsIn(Priorities)
  priority?: Priority;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptionalNonNull() @IsUUID()
  eventTypeId?: string;
}

export class DefaultMappingDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Event type of activities no rule matches; null: such rows are errors' })
  @ValidateIf((_dto, value) => value !== null) @IsUUID()
  eventTypeId: string | null;
}

export class PreviewMappingDto {
  @ApiProperty({ type: [String], example: ['Lunch', 'Phone - inbound'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_PREVIEW_ACTIVITIES) @IsString({ each: true }) @MaxLength(1000, { each: true })
  activities: string[];
}

export class MappingRuleResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) integrationId: string;
  @ApiProperty({ enum: MatchTypes }) matchType: MatchType;
  @ApiProperty() keyword: string;
  @ApiProperty({ enum: Priorities }) priority: Priority;
  @ApiProperty({ format: 'uuid' }) eventTypeId: string;
  @ApiProperty({ description: 'Creation order: breaks ties between rules of one priority' }) position: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MappingRuleListResponse {
  @ApiProperty({ type: [MappingRuleResponse], description: 'In the order they are tried' }) items: MappingRuleResponse[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) defaultEventTypeId: string | null;
}

export class DefaultMappingResponse {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) eventTypeId: string | null;
}

export class MappingPreviewItem {
  @ApiProperty() activity: string;
  @ApiProperty({ enum: ['rule', 'default', 'unmapped'] }) kind: 'rule' | 'default' | 'unmapped';
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) eventTypeId: string | null;
  @ApiProperty({ nullable: true, type: String }) eventTypeName: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The rule that applies (kind rule)' }) ruleId: string | null;
}

export class MappingPreviewResponse {
  @ApiProperty({ type: [MappingPreviewItem] }) items: MappingPreviewItem[];
}
