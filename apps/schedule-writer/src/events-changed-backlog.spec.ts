import { metricsRegistry } from '@bpo/service-kit';
import { EventsChangedBacklog } from './events-changed-backlog';
import type { SyncRunRepository } from './sync-run.repository';

describe('EventsChangedBacklog', () => {
  it('reports the runs still owing events-changed parts and the oldest one\'s wait', async () => {
    metricsRegistry.resetMetrics();
    const pending = jest.fn().mockResolvedValueOnce({ runs: 2, oldestAgeSeconds: 42.5 }).mockResolvedValueOnce({ runs: 0, oldestAgeSeconds: 0 });
    const backlog = new EventsChangedBacklog({ pendingReports: pending } as unknown as SyncRunRepository);
    await backlog.measure();
    let text = await metricsRegistry.metrics();
    expect(text).toContain('bpo_events_changed_pending_runs 2');
    expect(text).toContain('bpo_events_changed_oldest_pending_seconds 42.5');
    await backlog.measure();
    text = await metricsRegistry.metrics();
    expect(text).toContain('bpo_events_changed_pending_runs 0');
    expect(text).toContain('bpo_events_changed_oldest_pending_seconds 0');
  });
});
