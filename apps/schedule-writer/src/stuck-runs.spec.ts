import { stuckRunFailure } from './stuck-runs';

describe('stuckRunFailure', () => {
  const thirty = 30 * 60_000;
  it.each([
    [{ mapped: false, batches: 0, batchCount: null }, 'parser', 'no progress for 30 minutes at stage parser (no rows reached mapping); replay the file'],
    [{ mapped: true, batches: 0, batchCount: null }, 'mapping', 'no progress for 30 minutes at stage mapping (no rows reached the schedule-writer); replay the file'],
    [{ mapped: true, batches: 3, batchCount: null }, 'schedule-writer', 'no progress for 30 minutes at stage schedule-writer (3 batches of rows arrived, the end of the file did not); replay the file'],
    [{ mapped: true, batches: 3, batchCount: 5 }, 'schedule-writer', 'no progress for 30 minutes at stage schedule-writer (3 of 5 batches of rows arrived); replay the file'],
    [{ mapped: true, batches: 5, batchCount: 5 }, 'schedule-writer', 'no progress for 30 minutes at stage schedule-writer (all of its rows arrived but it was not applied); replay the file'],
  ])('%j', (run, stage, reason) => {
    expect(stuckRunFailure({ id: 'r', ...run }, thirty)).toEqual({ stage, reason });
  });
});
