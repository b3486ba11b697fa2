import { Injectable } from '@nestjs/common';
import type { PlatformAgentIdField } from '@bpo/contracts';
import { ConfigApiErrorCode, ConfigApiException, invalidField } from '../common/config-api.exception';
import { pageWindow, toPage } from '../common/pagination.util';
import type { AgentListResponse, AgentResponse, AgentsQuery, CreateAgentDto, ImportAgentsResponse, PlatformIdsDto, UpdateAgentDto } from './agent.dto';
import { parseAgentImport, planAgentImport } from './agent-import.util';
import { AgentsRepository, type AgentRow } from './agents.repository';
import { platformFieldProblem, platformIdKey, takenMessage, type PlatformIds } from './platform-ids.util';

@Injectable()
export class AgentsService {
  constructor(private readonly agents: AgentsRepository) {}

  async list(organizationId: string, query: AgentsQuery): Promise<AgentListResponse> {
    if (query.platformAgentId !== undefined && !query.platformField) throw invalidField('platformAgentId', 'platformAgentId needs platformField (e.g. platformField=nice_iex_sftp)');
    if (query.siteId) await this.agents.site(organizationId, query.siteId);
    const window = pageWindow(query, 2);
    const rows = await this.agents.list(organizationId, query, window);
    return toPage(rows, window, (row) => [row.name, row.id], toAgentResponse);
  }

  async get(organizationId: string, id: string): Promise<AgentResponse> {
    return toAgentResponse(await this.agents.get(organizationId, id));
  }

  async create(organizationId: string, dto: CreateAgentDto): Promise<AgentResponse> {
    await this.agents.site(organizationId, dto.siteId);
    const platformIds = cleaned(dto.platformIds);
    await this.checkPlatformIds(dto.siteId, platformIds, null);
    return toAgentResponse(await this.agents.create(organizationId, { name: dto.name, email: dto.email ?? null, siteId: dto.siteId }, platformIds));
  }

  /** Given platform fields are set (null removes one); a move to another site re-checks every id the agent keeps. */
  async update(organizationId: string, id: string, dto: UpdateAgentDto): Promise<AgentResponse> {
    const agent = await this.agents.get(organizationId, id);
    const siteId = dto.siteId ?? agent.site_id;
    if (siteId !== agent.site_id) await this.agents.site(organizationId, siteId);
    const merged: PlatformIds = { ...agent.platform_ids };
    for (const [field, value] of Object.entries(dto.platformIds ?? {}) as [PlatformAgentIdField, string | null | undefined][]) {
      if (value === null) delete merged[field];
      else if (value !== undefined) merged[field] = value.trim();
    }
    const changed = siteId !== agent.site_id ? merged : cleaned(dto.platformIds);
    await this.checkPlatformIds(siteId, changed, agent.id);
    const values = { name: dto.name ?? agent.name, email: dto.email === undefined ? agent.email : dto.email, siteId };
    return toAgentResponse(await this.agents.update(organizationId, id, values, merged));
  }

  delete(organizationId: string, id: string): Promise<void> {
    return this.agents.delete(organizationId, id);
  }

  /** Sets platform ids from a CSV, line by line: each line is updated or refused with its reason. */
  async import(organizationId: string, csv: string): Promise<ImportAgentsResponse> {
    const parsed = parseAgentImport(csv);
    if (!parsed.ok) throw new ConfigApiException(ConfigApiErrorCode.InvalidImport, parsed.reason);
    const { results, writes } = planAgentImport(parsed.lines, await this.agents.importDirectory(organizationId, parsed.lines));
    await this.agents.applyImport(writes);
    const count = (status: string) => results.filter((result) => result.status === status).length;
    return { summary: { updated: count('updated'), unchanged: count('unchanged'), refused: count('refused') }, lines: results };
  }

  /** A platform field is accepted only when the site is integrated with that platform, and each id only once per site. */
  private async checkPlatformIds(siteId: string, platformIds: PlatformIds, agentId: string | null): Promise<void> {
    const fields = Object.keys(platformIds) as PlatformAgentIdField[];
    if (fields.length === 0) return;
    const platform = await this.agents.sitePlatform(siteId);
    for (const field of fields) {
      const problem = platformFieldProblem(field, siteId, platform);
      if (problem) throw new ConfigApiException(ConfigApiErrorCode.PlatformNotIntegrated, problem);
    }
    const owners = await this.agents.owners(siteId, platformIds, agentId);
    for (const field of fields) {
      const owner = owners.get(platformIdKey(siteId, field, platformIds[field]!));
      if (owner) throw new ConfigApiException(ConfigApiErrorCode.PlatformAgentIdTaken, takenMessage(field, platformIds[field]!, owner));
    }
  }
}

/** The platform ids a body sets (trimmed; null and absent fields left out). */
function cleaned(dto: PlatformIdsDto | undefined): PlatformIds {
  return Object.fromEntries(
    Object.entries(dto ?? {})
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([field, value]) => [field, value.trim()]),
  );
}

function toAgentResponse(row: AgentRow): AgentResponse {
  return { id: row.id, name: row.name, email: row.email, siteId: row.site_id, platformIds: row.platform_ids, createdAt: row.created_at.toISOString() };
}
