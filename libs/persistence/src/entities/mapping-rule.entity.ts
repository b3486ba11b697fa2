import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('mapping_rules')
export class MappingRuleEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'integration_id' }) integrationId: string;
  @Column('text', { name: 'match_type' }) matchType: 'exact' | 'pattern' | 'contains' | 'starts_with';
  @Column('text') keyword: string;
  @Column('text') priority: 'highest' | 'high' | 'medium' | 'low' | 'lowest';
  @Column('uuid', { name: 'event_type_id' }) eventTypeId: string;
  /** Creation order, for ties between rules of one priority. */
  @Column({ type: 'bigint', insert: false, update: false }) position: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
