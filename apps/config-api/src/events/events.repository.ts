import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AgentEntity,
  ReceivedFileRepository,
  ScheduleEntity,
  ScheduleEventRepository,
  SiteEntity,
  type ScheduleEventListing,
  type ScheduleEventListingFilters,
  type ScheduleEventPage,
} from '@bpo/persistence';
import { requireOwned } from '../common/organization-scope.util';
import { cursorKeys, type PageWindow } from '../common/pagination.util';

export interface EventRow extends ScheduleEventListing {
  filename: string | null;
}

export type EventFilters = ScheduleEventListingFilters;

/** An events page's cursor keys: a forged cursor answers 400, never a database error. */
function after(window: PageWindow): ScheduleEventPage['after'] {
  const [startKey, id] = cursorKeys(window, ['timestamptz', 'bigint']) ?? [];
  return startKey === undefined ? null : { startKey, id };
}

/** The API's schedule events: their listing through ScheduleEventRepository, each event's file name through ReceivedFileRepository. */
@Injectable()
export class EventsRepository {
  private readonly events: ScheduleEventRepository;
  private readonly files: ReceivedFileRepository;

  constructor(private readonly dataSource: DataSource) {
    this.events = new ScheduleEventRepository(dataSource);
    this.files = new ReceivedFileRepository(dataSource);
  }

  /** The filters' ids must be the organization's: another organization's id answers 404, not an empty page. */
  async requireFilters(organizationId: string, filters: EventFilters): Promise<void> {
    const manager = this.dataSource.manager;
    if (filters.scheduleId) await requireOwned(manager, ScheduleEntity, organizationId, [filters.scheduleId]);
    if (filters.siteId) await requireOwned(manager, SiteEntity, organizationId, [filters.siteId]);
    if (filters.agentId) await requireOwned(manager, AgentEntity, organizationId, [filters.agentId]);
  }

  async list(organizationId: string, filters: EventFilters, window: PageWindow): Promise<EventRow[]> {
    // One row more than the page: it only says that there is a next page (toPage).
    const rows = await this.events.list(organizationId, filters, {
      limit: window.limit + 1,
      offset: window.after ? 0 : window.offset,
      after: after(window),
    });
    // Each event's file name, from the few files a page's events came from.
    const sourceFileIds = [...new Set(rows.flatMap((row) => (row.source_file_id ? [row.source_file_id] : [])))];
    const files = await this.files.listingOf(sourceFileIds);
    return rows.map((row) => ({ ...row, filename: row.source_file_id ? (files.get(row.source_file_id)?.filename ?? null) : null }));
  }
}
