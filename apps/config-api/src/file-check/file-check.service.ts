import { Injectable, Logger } from '@nestjs/common';
import type { RowErrorCode } from '@bpo/contracts';
import { MappingRuleSet } from '@bpo/mapping-rules';
import { unknownAgentError } from '@bpo/pipeline';
import { DEFAULT_PARSE_LIMITS, readScheduleFile } from '@bpo/schedule-file';
import { endOfLocalDay, type NormalizedRow } from '@bpo/schedule-time';
import { planSnapshotSync, windowChunks, type IncomingEvent } from '@bpo/snapshot-sync';
import { ConfigApiConfig } from '../config-api.config';
import type { FileCheckResponse } from './file-check.dto';
import { FileCheckRepository, type FileCheckReads } from './file-check.repository';

/** Row errors listed in an answer at most; `errors.total` says how many there are. */
export const FILE_CHECK_MAX_ERRORS = 1000;

/** Rows planned at once, as the writer's default WRITER_ROWS_PER_RANGE: the stored events of one range are in memory at a time. */
const ROWS_PER_RANGE = 25_000;

/** Chunks the body is read in, as a stored file is. */
const CHUNK_BYTES = 64 * 1024;

interface CheckError {
  line: number;
  column: string | null;
  code: RowErrorCode;
  message: string;
}

/**
 * A dry run of a file: what a sync of it would do to the integration's schedule now, with the
 * integration's real settings, mapping rules and agents, computed by the same code the pipeline
 * runs (the shared reader, MappingRuleSet, the snapshot rule) and writing nothing.
 */
@Injectable()
export class FileCheckService {
  private readonly logger = new Logger(FileCheckService.name);

  constructor(
    private readonly repository: FileCheckRepository,
    private readonly config: ConfigApiConfig,
  ) {}

  check(organizationId: string, integrationId: string, content: Buffer, now: Date = new Date()): Promise<FileCheckResponse> {
    return this.repository.readOnly(async (reads) => {
      const started = performance.now();
      const answer = await this.plan(reads, organizationId, integrationId, content, now);
      this.logger.log({ message: 'file checked', organizationId, integrationId, bytes: content.length, status: answer.status, counts: answer.counts, ms: Math.round(performance.now() - started) });
      return answer;
    });
  }

  private async plan(reads: FileCheckReads, organizationId: string, integrationId: string, content: Buffer, now: Date): Promise<FileCheckResponse> {
    const integration = await reads.integration(organizationId, integrationId);
    const checkedAt = now.toISOString();
    const counts = { rows: 0, created: 0, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 0 };
    const days = { applied: [] as string[], superseded: [] as string[] };
    const errors: CheckError[] = [];

    // 1. The parser: the same reader, with the integration's settings, as if the file were received now.
    const rows: NormalizedRow[] = [];
    let summary;
    const settings = { ...integration, rowHorizon: { maxDaysAhead: this.config.ROW_MAX_DAYS_AHEAD, maxDaysBehind: this.config.ROW_MAX_DAYS_BEHIND }, receivedAt: checkedAt };
    for await (const part of readScheduleFile(chunksOf(content), settings, { limits: DEFAULT_PARSE_LIMITS })) {
      if (part.kind === 'end') {
        summary = part.summary;
        continue;
      }
      for (const reading of part.readings) {
        if (reading.ok) rows.push(reading.row);
        else for (const problem of reading.problems) errors.push({ line: problem.line, column: problem.column ?? null, code: problem.code, message: problem.message });
      }
    }
    if (!summary || summary.failure) {
      return { status: 'failed', reason: summary?.failure ?? 'the file could not be read', counts, window: null, days, errors: { items: [], total: 0 }, scheduleId: integration.scheduleId, checkedAt };
    }
    counts.rows = summary.rowCount;
    if (!integration.scheduleId) {
      return { status: 'failed', reason: 'the integration has no target schedule and the organization no default one', counts, window: null, days, errors: { items: [], total: 0 }, scheduleId: null, checkedAt };
    }

    // 2. Mapping: each distinct activity resolved once by the integration's rules, else its default mapping.
    const ruleSet = MappingRuleSet.compile(await reads.mappingRules(integrationId), integration.defaultEventTypeId);
    const mapped: Array<{ row: NormalizedRow; eventTypeId: string }> = [];
    for (const row of rows) {
      const resolution = ruleSet.resolve(row.activity);
      if (resolution.kind === 'unmapped') {
        errors.push({ line: row.line, column: 'activity', code: 'unmapped_activity', message: `activity "${row.activity}" matches no mapping rule and the integration has no default mapping` });
      } else {
        mapped.push({ row, eventTypeId: resolution.eventTypeId });
      }
    }

    // 3. Agent resolution: by the platform's ID field among the site's agents; unknown ids folded one per id, as a sync reports them.
    const platformIds = [...new Set(mapped.map(({ row }) => row.platformAgentId))];
    const agents = await reads.agentsByPlatformIds(integration.siteId, integration.platform, platformIds);
    const incoming: IncomingEvent[] = [];
    const unknown = new Map<string, number[]>();
    for (const { row, eventTypeId } of mapped) {
      const agentId = agents.get(row.platformAgentId);
      if (agentId) {
        incoming.push({ line: row.line, agentId, eventTypeId, startAt: new Date(row.startAt).toISOString(), endAt: new Date(row.endAt).toISOString(), day: row.day });
      } else {
        const lines = unknown.get(row.platformAgentId);
        if (lines) lines.push(row.line);
        else unknown.set(row.platformAgentId, [row.line]);
      }
    }
    counts.rowErrors = errors.length + [...unknown.values()].reduce((sum, lines) => sum + lines.length, 0);
    for (const [platformAgentId, lines] of unknown) errors.push(unknownAgentError(platformAgentId, lines.length, lines));

    // 4. The writer: the window in day ranges, each planned by the snapshot rule against the stored events and day versions.
    const window = summary.window ?? null;
    if (window) {
      const rowsPerDay = new Map<string, number>();
      for (const event of incoming) rowsPerDay.set(event.day, (rowsPerDay.get(event.day) ?? 0) + 1);
      const agentsInFile = [...new Set(incoming.map((event) => event.agentId))];
      const pastCutoff = integration.syncPastEvents ? null : endOfLocalDay(now, integration.siteTimezone).toISOString();
      for (const range of windowChunks(window, rowsPerDay, ROWS_PER_RANGE)) {
        const dayVersions = await reads.dayVersions(integrationId, range);
        const stored = await reads.storedEvents(integrationId, integration.scheduleId, range);
        const inRange = incoming.filter((event) => event.day >= range.from && event.day <= range.to);
        const plan = planSnapshotSync({ incoming: inRange, stored, window: range, replaceScope: integration.replaceScope, agentsInFile, fileReceivedAt: checkedAt, dayVersions, pastCutoff });
        counts.created += plan.create.length;
        counts.updated += plan.update.length;
        counts.deleted += plan.delete.length;
        counts.unchanged += plan.unchanged.length;
        counts.skippedPast += plan.skippedPast;
        days.applied.push(...plan.appliedDays);
        days.superseded.push(...plan.supersededDays);
      }
    }

    errors.sort((a, b) => a.line - b.line);
    const windowDays = days.applied.length + days.superseded.length;
    const status = windowDays > 0 && days.superseded.length === windowDays ? 'superseded' : counts.rowErrors > 0 ? 'succeeded_with_errors' : 'succeeded';
    return { status, reason: null, counts, window, days, errors: { items: errors.slice(0, FILE_CHECK_MAX_ERRORS), total: errors.length }, scheduleId: integration.scheduleId, checkedAt };
  }
}

async function* chunksOf(content: Buffer): AsyncIterable<Buffer> {
  for (let at = 0; at < content.length; at += CHUNK_BYTES) yield content.subarray(at, at + CHUNK_BYTES);
}
