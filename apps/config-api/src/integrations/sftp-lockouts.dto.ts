import { ApiProperty } from '@nestjs/swagger';

export class SftpLockoutResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['username', 'address'], description: "the integration's SFTP username, or a source address its logins failed from" }) kind: 'username' | 'address';
  @ApiProperty({ example: 'bpo-manila-verint-3f2a' }) subject: string;
  @ApiProperty({ description: 'refused logins that led to it' }) failures: number;
  @ApiProperty({ format: 'date-time' }) lockedAt: string;
  @ApiProperty({ format: 'date-time' }) lockedUntil: string;
}

export class SftpLockoutListResponse {
  @ApiProperty({ type: [SftpLockoutResponse] }) items: SftpLockoutResponse[];
}
