import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { SiteListResponse, SiteResponse, type CreateSiteDto, type MarkBposDto, type UpdateSiteDto } from './site.dto';
import { SitesRepository } from './sites.repository';

@Injectable()
export class SitesService {
  constructor(private readonly sites: SitesRepository) {}

  create(organizationId: string, dto: CreateSiteDto): Promise<SiteResponse> {
    return this.sites.create(organizationId, { name: dto.name, timezone: dto.timezone, isBpo: dto.isBpo ?? false });
  }

  async list(organizationId: string): Promise<SiteListResponse> {
    return { items: await this.sites.list(organizationId) };
  }

  get(organizationId: string, id: string): Promise<SiteResponse> {
    return this.sites.get(organizationId, id);
  }

  update(organizationId: string, id: string, dto: UpdateSiteDto): Promise<SiteResponse> {
    return this.sites.update(organizationId, [id], async (manager) => {
      if (dto.isBpo === false) await this.refuseUnmarkingIntegrated(manager, [id]);
      await this.sites.set(manager, [id], { name: dto.name, timezone: dto.timezone, isBpo: dto.isBpo });
      return this.sites.get(organizationId, id, manager);
    });
  }

  /** All or nothing: one unknown site or one site with an integration refuses the whole request. */
  async markBpos(organizationId: string, dto: MarkBposDto): Promise<SiteListResponse> {
    const items = await this.sites.update(organizationId, dto.siteIds, async (manager) => {
      if (!dto.isBpo) await this.refuseUnmarkingIntegrated(manager, dto.siteIds);
      await this.sites.set(manager, dto.siteIds, { isBpo: dto.isBpo });
      return Promise.all(dto.siteIds.map((id) => this.sites.get(organizationId, id, manager)));
    });
    return { items };
  }

  delete(organizationId: string, id: string): Promise<void> {
    return this.sites.delete(organizationId, id);
  }

  private async refuseUnmarkingIntegrated(manager: EntityManager, ids: readonly string[]): Promise<void> {
    const integrated = await this.sites.withIntegration(manager, ids);
    if (integrated.length > 0) {
      throw new ConfigApiException(
        ConfigApiErrorCode.SiteHasIntegration,
        `site ${integrated.join(', ')} has an SFTP integration; delete the integration (DELETE /v1/integrations/{id}) before unmarking the site as a BPO`,
      );
    }
  }
}
