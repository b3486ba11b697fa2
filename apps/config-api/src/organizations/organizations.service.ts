import { Injectable } from '@nestjs/common';
import { toScheduleResponse } from '../schedules/schedule.dto';
import { toCreatedTokenResponse } from '../tokens/token.dto';
import { issueToken } from '../tokens/token.util';
import { CreatedOrganizationResponse, toOrganizationResponse, type CreateOrganizationDto } from './organization.dto';
import { OrganizationsRepository } from './organizations.repository';

@Injectable()
export class OrganizationsService {
  constructor(private readonly organizations: OrganizationsRepository) {}

  async create(dto: CreateOrganizationDto): Promise<CreatedOrganizationResponse> {
    const { token, tokenHash } = issueToken();
    const created = await this.organizations.create(dto.name, dto.timezone, tokenHash);
    return {
      organization: toOrganizationResponse(created.organization),
      token: toCreatedTokenResponse(created.adminToken, token),
      defaultSchedule: toScheduleResponse(created.defaultSchedule),
    };
  }
}
