import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Integration, ReceivedFile, Site } from '../api/api.types';
import { jsonResponse, renderSignedIn } from '../test-providers';
import { SyncStatusPanel } from './sync-status.panel';

const site = { id: 's1', name: 'Manila BPO', timezone: 'Asia/Manila', isBpo: true, integrationId: 'i1', createdAt: '2026-11-01T00:00:00Z' } as Site;
const integration = { id: 'i1', siteId: 's1', sftpHost: '127.0.0.1', sftpPort: 2222, sftpUsername: 'bpo-manila' } as Integration;
const run = (status: string, counts: object | null) => ({ id: `r-${status}`, status, stage: null, reason: null, counts, window: null, scheduleId: null, startedAt: '2026-11-30T07:00:00Z', finishedAt: null, durationMs: null });

describe('SyncStatusPanel', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists files newest first as the API gives them, a processing one (no counts yet) too', async () => {
    const files: ReceivedFile[] = [
      { id: 'f2', filename: 'schedule_0715.csv', sizeBytes: 2048, sha256: 'x', receivedAt: '2026-11-30T07:15:00Z', syncRun: run('processing', null) },
      { id: 'f1', filename: 'schedule_0700.csv', sizeBytes: 100, sha256: 'y', receivedAt: '2026-11-30T07:00:00Z', syncRun: { ...run('succeeded_with_errors', { rows: 8, created: 4, updated: 1, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 3 }), durationMs: 1500 } },
      { id: 'f0', filename: 'schedule_0645.csv', sizeBytes: 10, sha256: 'z', receivedAt: '2026-11-30T06:45:00Z', syncRun: null },
    ] as ReceivedFile[];
    vi.stubGlobal('fetch', async () => jsonResponse(200, { items: files, nextCursor: null }));
    renderSignedIn(<SyncStatusPanel integration={integration} site={site} />);
    const table = await screen.findByRole('table', { name: 'Files received, newest first' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByRole('link').textContent)).toEqual(['schedule_0715.csv', 'schedule_0700.csv', 'schedule_0645.csv']);
    expect(rows[0].textContent).toContain('Processing');
    expect(rows[1].textContent).toContain('Synced with errors');
    expect(rows[1].textContent).toContain('4 / 1 / 0');
    expect(rows[1].textContent).toContain('1.5 s');
    expect(within(rows[1]).getByRole('link').getAttribute('href')).toBe('/sites/s1/sync/f1');
  });

  it('says where the BPO uploads while no file came yet', async () => {
    vi.stubGlobal('fetch', async () => jsonResponse(200, { items: [], nextCursor: null }));
    renderSignedIn(<SyncStatusPanel integration={integration} site={site} />);
    expect((await screen.findByText(/No file received yet/)).textContent).toContain('127.0.0.1:2222 as bpo-manila');
  });
});
