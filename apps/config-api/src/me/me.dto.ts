import { ApiProperty } from '@nestjs/swagger';
import { Roles, type Role } from '@bpo/persistence';
import { Permissions, type Permission } from '../auth/permission.util';

export class MeOrganizationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Support' }) name: string;
  @ApiProperty({ example: 'Europe/Paris' }) timezone: string;
}

export class MeTokenResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'reporting' }) name: string;
}

export class MeResponse {
  @ApiProperty() organization: MeOrganizationResponse;
  @ApiProperty({ description: 'The calling token (never its secret)' }) token: MeTokenResponse;
  @ApiProperty({ enum: Roles, description: 'Each role includes the ones before it: basic < lead < manager < admin' }) role: Role;
  @ApiProperty({
    enum: Permissions,
    isArray: true,
    description:
      'What this token may do: read (basic), edit_agents (lead), manage_integrations (sites, integrations, credentials, keys, lockouts, event types, mapping rules, schedules; manager), replay_files (manager), manage_tokens (admin). A client may offer actions by these; the API still checks every call.',
  })
  permissions: Permission[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...Roles] },
    example: { read: 'basic', edit_agents: 'lead', manage_integrations: 'manager', replay_files: 'manager', manage_tokens: 'admin' },
    description: 'The least role that holds each permission, so a client can say which token an action needs (added; older answers lack it).',
  })
  leastRoles: Record<Permission, Role>;
}
