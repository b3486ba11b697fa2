import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgentEntity, ReceivedFileRepository, ScheduleEntity, SiteEntity } from '@bpo/persistence';
import { requireOwned } from '../common/organization-scope.util';
import { pageSql, type PageWindow } from '../common/pagination.util';

export interface EventRow {
  id: string;
  schedule_id: string;
  agent_id: string;
  agent_name: string;
  site_id: string;
  event_type_id: string;
  event_type_name: string;
  event_type_color: string | null;
  start_at: Date;
  end_at: Date;
  day: string;
  source_integration_id: string | null;
  source_file_id: string | null;
  filename: string | null;
  start_key: string;
}

export interface EventFilters {
  scheduleId?: string;
  siteId?: string;
  agentId?: string;
  from?: string;
  to?: string;
}

@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The filters' ids must be the organization's: another organization's id answers 404, not an empty page. */
  async requireFilters(organizationId: string, filters: EventFilters): Promise<void> {
    const manager = this.dataSource.manager;
    if (filters.scheduleId) await requireOwned(manager, ScheduleEntity, organizationId, [filters.scheduleId]);
    if (filters.siteId) await requireOwned(manager, SiteEntity, organizationId, [filters.siteId]);
    if (filters.agentId) await requireOwned(manager, AgentEntity, organizationId, [filters.agentId]);
  }

  async list(organizationId: string, filters: EventFilters, window: PageWindow): Promise<EventRow[]> {
    const params: unknown[] = [organizationId];
    const conditions = ['e.organization_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filters.scheduleId) add('e.schedule_id = ?', filters.scheduleId);
    if (filters.siteId) add('a.site_id = ?', filters.siteId);
    if (filters.agentId) add('e.agent_id = ?', filters.agentId);
    if (filters.from) add('e.start_at >= ?::timestamptz', filters.from);
    if (filters.to) add('e.start_at < ?::timestamptz', filters.to);
    const page = pageSql(window, [{ sql: 'e.start_at', cast: 'timestamptz' }, { sql: 'e.id', cast: 'bigint' }], 'ASC', params);
    const rows: Omit<EventRow, 'filename'>[] = await this.dataSource.query(
      `SELECT e.id::text AS id, e.schedule_id, e.agent_id, a.name AS agent_name, a.site_id, e.event_type_id, t.name AS event_type_name,
              t.color AS event_type_color, e.start_at, e.end_at, e.day::text AS day, e.source_integration_id, e.source_file_id,
              e.start_at::text AS start_key
         FROM schedule_events e
         JOIN agents a ON a.id = e.agent_id
         JOIN event_types t ON t.id = e.event_type_id
        WHERE ${conditions.join(' AND ')} AND ${page.where} ${page.tail}`,
      params,
    );
    // Each event's file name, from the few files a page's events came from.
    const sourceFileIds = [...new Set(rows.flatMap((row) => (row.source_file_id ? [row.source_file_id] : [])))];
    const files = await new ReceivedFileRepository(this.dataSource).listingOf(sourceFileIds);
    return rows.map((row) => ({ ...row, filename: row.source_file_id ? (files.get(row.source_file_id)?.filename ?? null) : null }));
  }
}
