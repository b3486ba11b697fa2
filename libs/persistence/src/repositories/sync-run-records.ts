import type { PipelineStage } from '@bpo/contracts';
import type { MappingRule } from '@bpo/mapping-rules';
import type { SyncCounts, SyncRunStatus } from '../entities/sync-run.entity';
import type { Queryable } from './integration.repository';
import { mappingRulesJsonSql } from './mapping-rules-key';

/** A sync run as it starts: `processing`, of a stored file. */
export interface NewSyncRun {
  id: string;
  organizationId: string;
  integrationId: string;
  siteId: string;
  fileId: string;
  startedAt: Date;
}

/** A sync run as the API lists it (columns as stored; its window's days as YYYY-MM-DD text). */
export interface SyncRunListing {
  id: string;
  integration_id: string;
  file_id: string;
  status: SyncRunStatus;
  stage: PipelineStage | null;
  reason: string | null;
  counts: SyncCounts | null;
  window_from: string | null;
  window_to: string | null;
  schedule_id: string | null;
  started_at: Date;
  finished_at: Date | null;
}

/** One reported error of a sync run (columns as stored); `seq` orders them. */
export interface SyncRunErrorListing {
  seq: number;
  line: number;
  column: string | null;
  code: string;
  message: string;
}

/** A page of a run's errors by `seq`: `limit` rows after the last one's `seq` (`afterSeq`), or from `offset`. */
export interface SyncRunErrorPage {
  limit: number;
  offset: number;
  /** The last listed error's seq; checked by the caller (it is bound as int). */
  afterSeq: string | null;
}

/** The mapping rules and default event type frozen for a sync run. */
export interface FrozenMappingRules {
  rules: MappingRule[];
  defaultEventTypeId: string | null;
}

/** A processing run and how far it got. */
export interface ProcessingRun {
  id: string;
  /** Rows reached mapping (it froze the integration's rules at the first batch). */
  mapped: boolean;
  /** Batches staged at the writer, and how many the file has (once its end arrived). */
  batches: number;
  batchCount: number | null;
}

const LISTING_COLUMNS = `r.id, r.integration_id, r.file_id, r.status, r.stage, r.reason, r.counts,
  r.window_from::text AS window_from, r.window_to::text AS window_to, r.schedule_id, r.started_at, r.finished_at`;

/**
 * The owner of the `sync_runs` SQL outside the schedule-writer's apply, and of `sync_run_errors`'
 * and `sync_run_mapping_rules`' reads and the freeze: the pipeline starts runs (sftp-ingest and the
 * API's replay), mapping freezes and reads a run's rules, the writer's sweeper finds stuck runs and
 * the API lists runs and their errors, all through here. Each method runs on what it was built
 * with: the DataSource, or a transaction's EntityManager.
 *
 * App-owned SQL that stays, and why:
 * - apps/schedule-writer/src/sync-run.repository.ts: the writer's own staging tables
 *   (`sync_run_rows`, `sync_run_batches`, `sync_run_changes`, `sync_run_agent_days`), the apply,
 *   the run's lock, its result, `file_end`, `events_changed`, `mapping_key`, the writing of
 *   `sync_run_errors`: one transaction per file on the hot path, tuned as a whole.
 * - apps/parser/src/parser.repository.ts: the stored digests (`sync_run_agent_days`, the writer's
 *   staging, joined to `agent_platform_ids`), read a day at a time for up to 1.4 million agent-days.
 * - IntegrationRepository.daysAppliedAsNow joins `sync_runs` to the integration's current schedule
 *   and rules, in one statement per file.
 * `stuck` reads the writer's `sync_run_batches` (a count and the last `staged_at`) without writing it.
 */
export class SyncRunRecords {
  constructor(private readonly db: Queryable) {}

  /** Opens a `processing` run of the file (in the transaction that queues its file-received message). */
  async start(run: NewSyncRun): Promise<void> {
    await this.db.query(
      `INSERT INTO sync_runs (id, organization_id, integration_id, site_id, file_id, status, started_at)
       VALUES ($1, $2, $3, $4, $5, 'processing', $6)`,
      [run.id, run.organizationId, run.integrationId, run.siteId, run.fileId, run.startedAt],
    );
  }

  /** The id of a run of the file that is still `processing`; null when none is. */
  async processingOf(fileId: string): Promise<string | null> {
    const [row]: Array<{ id: string }> = await this.db.query(`SELECT id FROM sync_runs WHERE file_id = $1 AND status = 'processing' LIMIT 1`, [fileId]);
    return row?.id ?? null;
  }

  /** Each integration's latest run (by start, then id), by integration; integrations without one are absent. */
  async latestOfIntegrations(integrationIds: readonly string[]): Promise<Map<string, SyncRunListing>> {
    if (integrationIds.length === 0) return new Map();
    const rows: SyncRunListing[] = await this.db.query(
      `SELECT DISTINCT ON (r.integration_id) ${LISTING_COLUMNS}
         FROM sync_runs r
        WHERE r.integration_id = ANY($1::uuid[])
        ORDER BY r.integration_id, r.started_at DESC, r.id DESC`,
      [integrationIds],
    );
    return new Map(rows.map((row) => [row.integration_id, row]));
  }

  /** Each file's latest run (by start, then id), by file; files without one are absent. */
  async latestOfFiles(fileIds: readonly string[]): Promise<Map<string, SyncRunListing>> {
    if (fileIds.length === 0) return new Map();
    const rows: SyncRunListing[] = await this.db.query(
      `SELECT ${LISTING_COLUMNS} FROM unnest($1::uuid[]) AS f(id)
         CROSS JOIN LATERAL (SELECT * FROM sync_runs WHERE file_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1) r`,
      [fileIds],
    );
    return new Map(rows.map((row) => [row.file_id, row]));
  }

  /** Every run of the file, newest first (by start, then id). */
  ofFile(fileId: string): Promise<SyncRunListing[]> {
    return this.db.query(`SELECT ${LISTING_COLUMNS} FROM sync_runs r WHERE r.file_id = $1 ORDER BY r.started_at DESC, r.id DESC`, [fileId]);
  }

  /** A page of the run's reported errors, by `seq`. */
  errors(syncRunId: string, page: SyncRunErrorPage): Promise<SyncRunErrorListing[]> {
    const params: unknown[] = [syncRunId, page.limit, page.afterSeq === null ? page.offset : 0];
    let after = '';
    if (page.afterSeq !== null) {
      params.push(page.afterSeq);
      after = 'AND seq > $4::int';
    }
    return this.db.query(`SELECT seq, line, "column", code, message FROM sync_run_errors WHERE sync_run_id = $1 ${after} ORDER BY seq ASC LIMIT $2 OFFSET $3`, params);
  }

  /** How many errors the run reported. */
  async errorCount(syncRunId: string): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.db.query('SELECT count(*)::int AS count FROM sync_run_errors WHERE sync_run_id = $1', [syncRunId]);
    return count;
  }

  /**
   * Freezes the integration's mapping rules and default event type for the run, in one statement
   * (one snapshot of both); a run frozen already keeps its rules. Nothing is frozen when the
   * integration is gone.
   */
  async freezeMappingRules(syncRunId: string, integrationId: string): Promise<void> {
    await this.db.query(
      // IntegrationRepository and MappingRuleRepository own `integrations` and `mapping_rules`; this read stays: the freeze is one snapshot of both.
      `INSERT INTO sync_run_mapping_rules (sync_run_id, rules, default_event_type_id)
       SELECT $1, ${mappingRulesJsonSql('i')}, i.default_event_type_id
         FROM integrations i WHERE i.id = $2
       ON CONFLICT (sync_run_id) DO NOTHING`,
      [syncRunId, integrationId],
    );
  }

  /** The rules frozen for the run (in the integration's order: by position); null when none were. */
  async frozenMappingRules(syncRunId: string): Promise<FrozenMappingRules | null> {
    const [row]: Array<{ rules: MappingRule[]; default_event_type_id: string | null }> = await this.db.query(
      'SELECT rules, default_event_type_id FROM sync_run_mapping_rules WHERE sync_run_id = $1',
      [syncRunId],
    );
    return row ? { rules: row.rules.map((rule) => ({ ...rule, position: Number(rule.position) })), defaultEventTypeId: row.default_event_type_id } : null;
  }

  /** Processing runs with no progress (no batch staged) for `stuckMs`; oldest first, at most `limit`. */
  async stuck(stuckMs: number, limit: number): Promise<ProcessingRun[]> {
    const rows: Array<{ id: string; mapped: boolean; batches: number; batch_count: number | null }> = await this.db.query(
      `SELECT sr.id, EXISTS (SELECT 1 FROM sync_run_mapping_rules m WHERE m.sync_run_id = sr.id) AS mapped,
              p.batches, (sr.file_end ->> 'batchCount')::int AS batch_count
         FROM sync_runs sr
         CROSS JOIN LATERAL (SELECT count(*)::int AS batches, max(b.staged_at) AS last_staged_at
                               FROM sync_run_batches b WHERE b.sync_run_id = sr.id) p
        WHERE sr.status = 'processing'
          AND sr.started_at < clock_timestamp() - $1 * interval '1 millisecond'
          AND COALESCE(p.last_staged_at, sr.started_at) < clock_timestamp() - $1 * interval '1 millisecond'
        ORDER BY sr.started_at LIMIT $2`,
      [stuckMs, limit],
    );
    return rows.map((row) => ({ id: row.id, mapped: row.mapped, batches: row.batches, batchCount: row.batch_count }));
  }
}
