import { metricsRegistry } from '@bpo/service-kit';
import { recordSyncRunMetrics, syncDurationSeconds } from './sync-metrics';

describe('sync run metrics', () => {
  it('measures a run from its start to its end, never negative', () => {
    expect(syncDurationSeconds('2026-11-25T07:00:03.000Z', '2026-11-25T07:00:04.500Z')).toBe(1.5);
    expect(syncDurationSeconds(new Date('2026-11-25T07:00:04Z'), new Date('2026-11-25T07:00:03Z'))).toBe(0);
  });

  it('observes the duration by status and counts row errors by code', async () => {
    metricsRegistry.resetMetrics();
    recordSyncRunMetrics({ status: 'succeeded_with_errors', startedAt: '2026-11-25T07:00:00Z', finishedAt: '2026-11-25T07:00:03Z', rowErrorsByCode: { unknown_agent: 3, invalid_time: 1, missing_value: 0 } });
    recordSyncRunMetrics({ status: 'failed', startedAt: '2026-11-25T07:00:00Z', finishedAt: '2026-11-25T07:00:00.2Z', rowErrorsByCode: {} });
    const text = await metricsRegistry.metrics();
    expect(text).toContain('bpo_sync_duration_seconds_count{status="succeeded_with_errors"} 1');
    expect(text).toContain('bpo_sync_duration_seconds_bucket{le="5",status="succeeded_with_errors"} 1');
    expect(text).toContain('bpo_sync_duration_seconds_bucket{le="2",status="succeeded_with_errors"} 0');
    expect(text).toContain('bpo_sync_duration_seconds_count{status="failed"} 1');
    expect(text).toContain('bpo_row_errors_total{code="unknown_agent"} 3');
    expect(text).toContain('bpo_row_errors_total{code="invalid_time"} 1');
    expect(text).not.toContain('code="missing_value"');
  });
});
