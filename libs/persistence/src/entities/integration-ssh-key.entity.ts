import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('integration_ssh_keys')
export class IntegrationSshKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'integration_id' }) integrationId: string;
  @Column('text') algorithm: string;
  /** The key in OpenSSH authorized_keys form (`ssh-ed25519 AAAA...`). */
  @Column('text', { name: 'public_key' }) publicKey: string;
  @Column('text') fingerprint: string;
  @Column('text', { nullable: true }) comment: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
