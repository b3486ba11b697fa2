import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An event on an agent's schedule (time with an event type), as synced from a BPO's file. */
@Entity('schedule_events')
export class ScheduleEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'schedule_id' }) scheduleId: string;
  @Column('uuid', { name: 'agent_id' }) agentId: string;
  @Column('uuid', { name: 'event_type_id' }) eventTypeId: string;
  @Column('timestamptz', { name: 'start_at' }) startAt: Date;
  @Column('timestamptz', { name: 'end_at' }) endAt: Date;
  @Column('date') day: string;
  @Column('uuid', { name: 'source_integration_id', nullable: true }) sourceIntegrationId: string | null;
  @Column('uuid', { name: 'source_file_id', nullable: true }) sourceFileId: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
