import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const Roles = ['basic', 'lead', 'manager', 'admin'] as const;
export type Role = (typeof Roles)[number];

@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('text') name: string;
  @Column('text') role: Role;
  /** sha256 of the token: tokens are long random strings, so a fast hash is enough. */
  @Column('text', { name: 'token_hash' }) tokenHash: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
}
