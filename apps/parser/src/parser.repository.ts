import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PlatformAgentIdFields, type AgentDayBasisV1, type FileReceivedV1 } from '@bpo/contracts';
import { IntegrationRepository, ReceivedFileRepository } from '@bpo/persistence';
import { agentDayKey, DigestTable } from '@bpo/snapshot-sync';
import { PermanentMessageError } from '@bpo/messaging';
import type { ScheduleFileSettings } from '@bpo/schedule-file';
import { DEFAULT_ROW_HORIZON, isDateOrder } from '@bpo/schedule-time';
import { ParserConfig } from './parser.config';

/** How a file is read (the reader's own settings), but when it was received, which its message says. */
export type IntegrationParseSettings = Omit<ScheduleFileSettings, 'receivedAt'>;

/** What the parser reads from PostgreSQL. A port, so the parsing service can be tested without a database. */
export abstract class ParserRepository {
  /** The file's parse settings: those its message carries, else (a message announced before they were) the integration's. */
  abstract settings(file: FileReceivedV1): Promise<IntegrationParseSettings | null>;
  /** The stored file's bytes, chunk by chunk, never the whole file at once. */
  abstract fileChunks(fileId: string): AsyncIterable<Buffer>;
  /**
   * The digests of the integration's agent-days from `fromDay` on, as last applied, that a file
   * may leave out when its rows give the same digest: only those applied to the integration's
   * current schedule under its current mapping rules, whose agent still has that platform id.
   * Null when there are none to compare with. With them, what they were read from (each day's last
   * applier, and the site's agent-ID version read before them), which the writer checks is still so.
   */
  abstract storedDigests(file: FileReceivedV1, fromDay: string): Promise<StoredDigests | null>;
}

/** The digests a file's agent-days are compared with, and what they were read from. */
export interface StoredDigests {
  table: DigestTable;
  basis: AgentDayBasisV1;
}

/**
 * The parse settings a file-received message carries (as of the file's announcement). A date order
 * no template knows can never parse: the message is refused as permanent (dead-lettered, file failed).
 */
export function announcedParseSettings(file: FileReceivedV1, rowHorizon: IntegrationParseSettings['rowHorizon']): IntegrationParseSettings | null {
  const { settings } = file;
  if (!settings) return null;
  if (!isDateOrder(settings.dateOrder)) throw new PermanentMessageError(`unknown date order ${JSON.stringify(settings.dateOrder)}`);
  return { platform: file.platform, timezone: settings.timezone, siteTimezone: settings.siteTimezone, dateOrder: settings.dateOrder, encoding: settings.encoding, titleLines: settings.titleLines, rowHorizon };
}

@Injectable()
export class TypeOrmParserRepository extends ParserRepository {
  private readonly rowHorizon: IntegrationParseSettings['rowHorizon'];
  private readonly integrations: IntegrationRepository;
  private readonly files: ReceivedFileRepository;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() config?: ParserConfig,
  ) {
    super();
    this.integrations = new IntegrationRepository(dataSource);
    this.files = new ReceivedFileRepository(dataSource);
    this.rowHorizon = config ? { maxDaysAhead: config.ROW_MAX_DAYS_AHEAD, maxDaysBehind: config.ROW_MAX_DAYS_BEHIND } : { ...DEFAULT_ROW_HORIZON };
  }

  async settings(file: FileReceivedV1): Promise<IntegrationParseSettings | null> {
    if (file.settings) return announcedParseSettings(file, this.rowHorizon);
    // Only for a file-received message queued before messages carried settings (during an upgrade).
    const settings = await this.integrations.settings(file.integrationId);
    if (!settings) return null;
    if (!isDateOrder(settings.dateOrder)) throw new Error(`integration ${file.integrationId} has an unknown date order`);
    const { platform, timezone, siteTimezone, dateOrder, encoding, titleLines } = settings;
    return { platform, timezone, siteTimezone, dateOrder, encoding, titleLines, rowHorizon: this.rowHorizon };
  }

  fileChunks(fileId: string): AsyncIterable<Buffer> {
    // By binary COPY, a few chunks at a time: no snapshot is held while the file is parsed.
    return this.files.chunks(fileId);
  }

  async storedDigests(file: FileReceivedV1, fromDay: string): Promise<StoredDigests | null> {
    const siteId = file.settings?.siteId;
    if (!siteId) return null;
    // Read first: a change of the site's agent IDs from now on changes it, whatever the entries show.
    const agentIdsVersion = await this.integrations.agentIdsVersion(file.integrationId);
    // The days whose last applier ran on the integration's schedule and rules as they are now.
    const days = await this.integrations.daysAppliedAsNow(file.integrationId, fromDay);
    if (agentIdsVersion === null || days.length === 0) return null;
    const table = new DigestTable();
    // A day at a time: a 5,000,000-row file's 1.4 million agent-days are never one result in memory.
    for (const { day, syncRunId } of days) {
      const rows: Array<{ platform_agent_id: string; digest: string }> = await this.dataSource.query(
        `SELECT a.platform_agent_id, a.digest FROM sync_run_agent_days a
           JOIN agent_platform_ids p ON p.site_id = $3 AND p.field = $4 AND p.platform_agent_id = a.platform_agent_id AND p.agent_id = a.agent_id
          WHERE a.sync_run_id = $1 AND a.day = $2 AND a.complete`,
        [syncRunId, day, siteId, PlatformAgentIdFields[file.platform]],
      );
      for (const row of rows) table.set(agentDayKey(row.platform_agent_id, day), Number(row.digest));
    }
    return table.size > 0 ? { table, basis: { agentIdsVersion, days } } : null;
  }
}
