import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { PlatformAgentIdFieldNames, type PlatformAgentIdField } from '@bpo/contracts';
import { PageQuery } from '../common/pagination.util';
import { IsOptionalNonNull } from '../common/validation.util';

/** A platform agent id: trimmed when stored; null (on update) removes it. */
const PlatformId = () =>
  applyDecorators(
    ApiPropertyOptional({ minLength: 1, maxLength: 200, nullable: true, type: String }),
    IsOptional(),
    IsString(),
    Length(1, 200),
    Matches(/\S/, { message: '$property must not be blank' }),
  );

/** One optional property per platform field: unknown fields are refused by the global pipe. */
export class PlatformIdsDto {
  @PlatformId() nice_iex_sftp?: string | null;
  @PlatformId() verint_sftp?: string | null;
  @PlatformId() injixo_sftp?: string | null;
  @PlatformId() alvaria_sftp?: string | null;
  @PlatformId() custom_platform_sftp?: string | null;
}

export class CreateAgentDto {
  @ApiProperty({ example: 'Ana Rivera' }) @IsString() @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'email' }) @IsOptional() @IsEmail()
  email?: string | null;

  @ApiProperty({ format: 'uuid' }) @IsUUID()
  siteId: string;

  @ApiPropertyOptional({ type: PlatformIdsDto, description: 'Only the field of the site\'s integration platform is accepted' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PlatformIdsDto)
  platformIds?: PlatformIdsDto;
}

export class UpdateAgentDto {
  @ApiPropertyOptional() @IsOptionalNonNull() @IsString() @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'email', description: 'null clears it' }) @IsOptional() @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ format: 'uuid', description: 'Moves the agent (its platform IDs must suit the new site)' }) @IsOptionalNonNull() @IsUUID()
  siteId?: string;

  @ApiPropertyOptional({ type: PlatformIdsDto, description: 'Fields given are set; a null value removes that field' })
  @IsOptionalNonNull() @IsObject() @ValidateNested() @Type(() => PlatformIdsDto)
  platformIds?: PlatformIdsDto;
}

export class AgentsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID()
  siteId?: string;

  @ApiPropertyOptional({ enum: PlatformAgentIdFieldNames, description: 'Only agents that have this platform field' }) @IsOptional() @IsIn(PlatformAgentIdFieldNames)
  platformField?: PlatformAgentIdField;

  @ApiPropertyOptional({ description: 'With platformField: the agent with this platform ID' }) @IsOptional() @IsString() @Length(1, 200)
  platformAgentId?: string;
}

export class ImportAgentsDto {
  @ApiProperty({ example: 'email,nice_iex_sftp\nana@example.com,IEX-1001' }) @IsString()
  csv: string;
}

export class PlatformIdsResponse {
  @ApiPropertyOptional() nice_iex_sftp?: string;
  @ApiPropertyOptional() verint_sftp?: string;
  @ApiPropertyOptional() injixo_sftp?: string;
  @ApiPropertyOptional() alvaria_sftp?: string;
  @ApiPropertyOptional() custom_platform_sftp?: string;
}

export class AgentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ type: PlatformIdsResponse }) platformIds: PlatformIdsResponse;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AgentListResponse {
  @ApiProperty({ type: [AgentResponse] }) items: AgentResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ImportLineResponse {
  @ApiProperty({ description: 'Line of the file (the header is line 1)' }) line: number;
  @ApiProperty({ enum: ['updated', 'unchanged', 'refused'] }) status: 'updated' | 'unchanged' | 'refused';
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) agentId: string | null;
  @ApiPropertyOptional({ type: PlatformIdsResponse, description: 'What was set (updated lines)' }) changes?: PlatformIdsResponse;
  @ApiPropertyOptional({ description: 'Why the line was refused' }) reason?: string;
}

export class ImportSummaryResponse {
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() refused: number;
}

export class ImportAgentsResponse {
  @ApiProperty() summary: ImportSummaryResponse;
  @ApiProperty({ type: [ImportLineResponse] }) lines: ImportLineResponse[];
}
