import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import type { IntegrationSshKeyEntity } from '@bpo/persistence';

export class AddSshKeyDto {
  @ApiProperty({ example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... ops@bpo', description: 'One public key in OpenSSH authorized_keys form' })
  @IsString() @MaxLength(16_384)
  publicKey: string;
}

export class SshKeyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ssh-ed25519' }) algorithm: string;
  @ApiProperty() publicKey: string;
  @ApiProperty({ example: 'SHA256:2c3bN4...' }) fingerprint: string;
  @ApiProperty({ nullable: true, type: String }) comment: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SshKeyListResponse {
  @ApiProperty({ type: [SshKeyResponse] }) items: SshKeyResponse[];
}

export function toSshKeyResponse(entity: IntegrationSshKeyEntity): SshKeyResponse {
  return {
    id: entity.id,
    algorithm: entity.algorithm,
    publicKey: entity.publicKey,
    fingerprint: entity.fingerprint,
    comment: entity.comment,
    createdAt: entity.createdAt.toISOString(),
  };
}
