import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { Roles, type ApiTokenEntity, type Role } from '@bpo/persistence';

export class CreateTokenDto {
  @ApiProperty({ example: 'payroll export' }) @IsString() @Length(1, 200)
  name: string;

  @ApiProperty({ enum: Roles }) @IsIn(Roles)
  role: Role;
}

export class TokenResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: Roles }) role: Role;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt: string | null;
}

export class CreatedTokenResponse extends TokenResponse {
  @ApiProperty({ description: 'The token itself: shown this once, only its hash is stored' }) token: string;
}

export class TokenListResponse {
  @ApiProperty({ type: [TokenResponse] }) items: TokenResponse[];
}

export function toTokenResponse(entity: ApiTokenEntity): TokenResponse {
  return { id: entity.id, name: entity.name, role: entity.role, createdAt: entity.createdAt.toISOString(), lastUsedAt: entity.lastUsedAt?.toISOString() ?? null };
}

export function toCreatedTokenResponse(entity: ApiTokenEntity, token: string): CreatedTokenResponse {
  return { ...toTokenResponse(entity), token };
}
