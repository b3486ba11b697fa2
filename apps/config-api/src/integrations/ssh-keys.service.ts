import { Injectable } from '@nestjs/common';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { ConfigApiConfig } from '../config-api.config';
import { SshKeyListResponse, SshKeyResponse, toSshKeyResponse, type AddSshKeyDto } from './ssh-key.dto';
import { parsePublicKey } from './ssh-key.util';
import { SshKeysRepository } from './ssh-keys.repository';

/** Public keys a BPO may log in with instead of (or besides) the integration's password. */
@Injectable()
export class SshKeysService {
  constructor(
    private readonly keys: SshKeysRepository,
    private readonly config: ConfigApiConfig,
  ) {}

  async list(organizationId: string, integrationId: string): Promise<SshKeyListResponse> {
    await this.keys.requireIntegration(organizationId, integrationId);
    return { items: (await this.keys.list(integrationId)).map(toSshKeyResponse) };
  }

  async add(organizationId: string, integrationId: string, dto: AddSshKeyDto): Promise<SshKeyResponse> {
    await this.keys.requireIntegration(organizationId, integrationId);
    const parsed = parsePublicKey(dto.publicKey, { minRsaBits: this.config.SSH_RSA_MIN_BITS });
    if (!parsed.ok) throw new ConfigApiException(ConfigApiErrorCode.InvalidSshKey, parsed.reason);
    return toSshKeyResponse(await this.keys.add(integrationId, parsed.key, this.config.SSH_KEYS_MAX_PER_INTEGRATION));
  }

  async delete(organizationId: string, integrationId: string, keyId: string): Promise<void> {
    await this.keys.requireIntegration(organizationId, integrationId);
    await this.keys.delete(integrationId, keyId);
  }
}
