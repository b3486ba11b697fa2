import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { PlatformAgentIdField } from '@bpo/contracts';

@Entity('agents')
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'site_id' }) siteId: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) email: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** An agent's id in one platform (`nice_iex_sftp`...), unique per platform within the site. */
@Entity('agent_platform_ids')
export class AgentPlatformIdEntity {
  @PrimaryColumn('uuid', { name: 'agent_id' }) agentId: string;
  @PrimaryColumn('text') field: PlatformAgentIdField;
  @Column('uuid', { name: 'site_id' }) siteId: string;
  @Column('text', { name: 'platform_agent_id' }) platformAgentId: string;
}
