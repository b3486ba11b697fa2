import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Platform, ReplaceScope } from '@bpo/contracts';

@Entity('integrations')
export class IntegrationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'site_id' }) siteId: string;
  @Column('text') platform: Platform;
  @Column('text', { name: 'sftp_username' }) sftpUsername: string;
  /** scrypt hash (see libs/persistence password.util); never the password itself. */
  @Column('text', { name: 'sftp_password_hash' }) sftpPasswordHash: string;
  /** IANA zone for local times in files; null means the site's zone. */
  @Column('text', { nullable: true }) timezone: string | null;
  /** null means the organization's default schedule. */
  @Column('uuid', { name: 'target_schedule_id', nullable: true }) targetScheduleId: string | null;
  @Column('boolean', { name: 'sync_past_events', default: false }) syncPastEvents: boolean;
  @Column('text', { name: 'replace_scope', default: 'agents_in_file' }) replaceScope: ReplaceScope;
  @Column('uuid', { name: 'default_event_type_id', nullable: true }) defaultEventTypeId: string | null;
  @Column('text', { name: 'date_order', default: 'YYYY-MM-DD' }) dateOrder: string;
  @Column('text', { default: 'utf-8' }) encoding: string;
  @Column('int', { name: 'title_lines', default: 0 }) titleLines: number;
  /** Minutes expected between files; no file for this times the stale multiple marks it stale. */
  @Column('int', { name: 'expected_cadence_minutes', default: 15 }) expectedCadenceMinutes: number;
  /** Set by sftp-ingest when it stores a file. */
  @Column('timestamptz', { name: 'last_file_received_at', nullable: true }) lastFileReceivedAt: Date | null;
  /** Set by the stale check (once per episode), cleared by the next file. */
  @Column('timestamptz', { name: 'stale_since', nullable: true }) staleSince: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
