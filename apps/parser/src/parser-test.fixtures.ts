// Test helpers: the parser over an in-memory stored file (no database, no broker).
import { agentDaysOf, rowsOf, type FileReceivedV1, type RowsBatchV2 } from '@bpo/contracts';
import { DEFAULT_ROW_HORIZON } from '@bpo/schedule-time';
import { ParserRepository, type IntegrationParseSettings, type StoredDigests } from './parser.repository';
import { ParserService, type FileMessage } from './parser.service';
import type { ParseLimits } from '@bpo/schedule-file';
import type { DigestTable } from '@bpo/snapshot-sync';

/** What the in-memory stored digests were read from, as the parser's end message should say. */
export const STORED_DIGESTS_BASIS = { agentIdsVersion: '7', days: [{ day: '2026-11-27', syncRunId: '00000000-0000-4000-8000-0000000000aa' }] };

class InMemoryParserRepository extends ParserRepository {
  /** The days the service asked digests from. */
  readonly digestsAskedFrom: string[] = [];

  constructor(
    private readonly content: Buffer,
    private readonly overrides: Partial<IntegrationParseSettings> = {},
    private readonly chunkBytes = 7,
    private readonly stored: DigestTable | null = null,
  ) {
    super();
  }
  async storedDigests(_file: FileReceivedV1, fromDay: string): Promise<StoredDigests | null> {
    this.digestsAskedFrom.push(fromDay);
    return this.stored && { table: this.stored, basis: STORED_DIGESTS_BASIS };
  }
  async settings(): Promise<IntegrationParseSettings> {
    return { platform: 'custom', timezone: 'America/New_York', siteTimezone: 'America/New_York', dateOrder: 'YYYY-MM-DD', encoding: 'utf-8', titleLines: 0, rowHorizon: { ...DEFAULT_ROW_HORIZON }, ...this.overrides };
  }
  async *fileChunks(): AsyncIterable<Buffer> {
    // Small chunks: multi-byte characters and lines are split across chunk borders.
    for (let at = 0; at < this.content.length; at += this.chunkBytes) yield this.content.subarray(at, at + this.chunkBytes);
  }
}

export const file: FileReceivedV1 = {
  messageId: 'file-received:r',
  occurredAt: '2026-11-25T10:00:00.000Z',
  organizationId: '00000000-0000-4000-8000-000000000001',
  integrationId: '00000000-0000-4000-8000-000000000002',
  fileId: '00000000-0000-4000-8000-000000000003',
  syncRunId: '00000000-0000-4000-8000-000000000004',
  filename: 'schedule_20261125.csv',
  sizeBytes: 1,
  sha256: 'a'.repeat(64),
  receivedAt: '2026-11-25T10:00:00.000Z',
  platform: 'custom',
};

/** What a file was last applied as (its agent-day digests), and how it is announced. */
export interface ParseOptions {
  stored?: DigestTable;
  announced?: Partial<FileReceivedV1>;
}

export async function parse(content: string | Buffer, overrides: Partial<IntegrationParseSettings> = {}, limits?: ParseLimits, chunkBytes?: number, options: ParseOptions = {}) {
  const sent: FileMessage[] = [];
  const repository = new InMemoryParserRepository(Buffer.isBuffer(content) ? content : Buffer.from(content), overrides, chunkBytes, options.stored ?? null);
  const service = new ParserService(repository, limits);
  const end = await service.parseFile({ ...file, ...options.announced }, async (message) => {
    sent.push(message);
  });
  const batches = sent.filter((m): m is RowsBatchV2 => m.kind === 'rows');
  // Rows read back from the columns, instants as ISO text (as they were written in the tests).
  const rows = batches.flatMap(rowsOf).map((row) => ({ ...row, startAt: new Date(row.startAt).toISOString(), endAt: new Date(row.endAt).toISOString() }));
  return { end, batches, rows, errors: batches.flatMap((b) => b.errors), agentDays: batches.flatMap(agentDaysOf), sent, repository };
}

