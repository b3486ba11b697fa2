import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SYNC_STATUS_MAX_ERRORS } from '@bpo/contracts';
import { generateSecret, hashSecret } from '@bpo/service-kit';
import { templateFor } from '@bpo/schedule-time';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { ConfigApiConfig } from '../config-api.config';
import { templateUrl } from '../platforms/platform-links.util';
import { toSyncErrorResponse } from '../sync/sync-run.mapper';
import { SyncRepository } from '../sync/sync.repository';
import type {
  ConnectedIntegrationResponse,
  ConnectIntegrationDto,
  IntegrationDetailResponse,
  IntegrationListResponse,
  SftpCredentialsResponse,
  UpdateIntegrationDto,
} from './integration.dto';
import { toIntegrationResponse } from './integration.mapper';
import { IntegrationsRepository } from './integrations.repository';
import { sftpUsername } from './sftp-username.util';

const USERNAME_ATTEMPTS = 5;
const PASSWORD_LENGTH = 32;
const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

@Injectable()
export class IntegrationsService {
  constructor(
    private readonly integrations: IntegrationsRepository,
    private readonly sync: SyncRepository,
    private readonly config: ConfigApiConfig,
  ) {}

  /** Connects a BPO site: one integration per site, a fresh SFTP login whose password is shown this once. */
  async connect(organizationId: string, siteId: string, dto: ConnectIntegrationDto): Promise<ConnectedIntegrationResponse> {
    const site = await this.integrations.site(organizationId, siteId);
    if (!site.isBpo) {
      throw new ConfigApiException(ConfigApiErrorCode.SiteNotBpo, `site ${site.id} is not marked as a BPO; mark it first (PATCH /v1/sites/${site.id} {"isBpo": true})`);
    }
    const existing = await this.integrations.integrationOfSite(site.id);
    if (existing) throw new ConfigApiException(ConfigApiErrorCode.SiteHasIntegration, `site ${site.id} already has integration ${existing}; change it or delete it first`);
    const password = generateSecret(PASSWORD_LENGTH);
    const sftpPasswordHash = await hashSecret(password);
    for (let attempt = 0; attempt < USERNAME_ATTEMPTS; attempt += 1) {
      const username = sftpUsername(site.name, randomSuffix());
      const id = await this.integrations.create({
        organizationId,
        siteId: site.id,
        platform: dto.platform,
        sftpUsername: username,
        sftpPasswordHash,
        dateOrder: templateFor(dto.platform).defaultDateOrder,
      });
      if (id) {
        return {
          integration: await this.get(organizationId, id),
          sftp: { host: this.config.SFTP_PUBLIC_HOST, port: this.config.SFTP_PUBLIC_PORT, username, password },
          templateUrl: templateUrl(this.config.PUBLIC_URL, dto.platform),
        };
      }
    }
    throw new ConfigApiException(ConfigApiErrorCode.SftpUsernameUnavailable, 'no free SFTP username was found for this site name; try again');
  }

  async list(organizationId: string): Promise<IntegrationListResponse> {
    const rows = await this.integrations.list(organizationId);
    const latest = await this.sync.latestRuns(rows.map((row) => row.id));
    return { items: rows.map((row) => toIntegrationResponse(row, latest.get(row.id), this.config)) };
  }

  /** The integration with its sync status: the latest sync run, its file and its first errors. */
  async get(organizationId: string, id: string): Promise<IntegrationDetailResponse> {
    const row = await this.integrations.get(organizationId, id);
    const lastRun = (await this.sync.latestRuns([id])).get(id);
    const window = { limit: SYNC_STATUS_MAX_ERRORS, after: null, offset: 0 };
    const errors = lastRun ? await this.sync.errors(lastRun.run.id, window) : [];
    return {
      ...toIntegrationResponse(row, lastRun, this.config),
      lastErrors: errors.slice(0, SYNC_STATUS_MAX_ERRORS).map(toSyncErrorResponse),
      lastErrorCount: lastRun ? await this.sync.errorCount(lastRun.run.id) : 0,
    };
  }

  async update(organizationId: string, id: string, dto: UpdateIntegrationDto): Promise<IntegrationDetailResponse> {
    await this.integrations.entity(organizationId, id);
    if (dto.targetScheduleId) await this.integrations.requireSchedule(organizationId, dto.targetScheduleId);
    await this.integrations.update(id, {
      targetScheduleId: dto.targetScheduleId,
      syncPastEvents: dto.syncPastEvents,
      replaceScope: dto.replaceScope,
      timezone: dto.timezone,
      dateOrder: dto.dateOrder,
      encoding: dto.encoding,
      titleLines: dto.titleLines,
      expectedCadenceMinutes: dto.expectedCadenceMinutes,
    });
    return this.get(organizationId, id);
  }

  async delete(organizationId: string, id: string): Promise<void> {
    await this.integrations.entity(organizationId, id);
    await this.integrations.delete(id);
  }

  /** A new SFTP password; the old one stops working at once. */
  async rotateCredentials(organizationId: string, id: string): Promise<SftpCredentialsResponse> {
    const integration = await this.integrations.entity(organizationId, id);
    const password = generateSecret(PASSWORD_LENGTH);
    await this.integrations.setPasswordHash(id, await hashSecret(password));
    return { host: this.config.SFTP_PUBLIC_HOST, port: this.config.SFTP_PUBLIC_PORT, username: integration.sftpUsername, password };
  }
}

function randomSuffix(): string {
  return Array.from({ length: 4 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join('');
}
