import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('received_files')
export class ReceivedFileEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'integration_id' }) integrationId: string;
  @Column('text') filename: string;
  @Column('bigint', { name: 'size_bytes' }) sizeBytes: string;
  @Column('text') sha256: string;
  @Column('timestamptz', { name: 'received_at' }) receivedAt: Date;
}
