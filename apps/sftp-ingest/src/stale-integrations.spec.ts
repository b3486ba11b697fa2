import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IntegrationStaleV1, Topics } from '@bpo/contracts';
import { integrationStaleMessage, staleAfterMinutes, staleDeadline } from './stale-integrations';

describe('stale integrations', () => {
  const created = new Date('2026-11-25T07:00:00Z');

  it.each([
    ['the default: 15 minutes x 4', null, 15, 4, '2026-11-25T08:00:00.000Z'],
    ['counted from the last file, not the creation', new Date('2026-11-25T09:10:00Z'), 15, 4, '2026-11-25T10:10:00.000Z'],
    ['a daily BPO', new Date('2026-11-25T06:00:00Z'), 1440, 2, '2026-11-27T06:00:00.000Z'],
    ['a fractional multiple', null, 10, 1.5, '2026-11-25T07:15:00.000Z'],
  ])('%s', (_what, lastFile, cadence, multiple, deadline) => {
    expect(staleDeadline(lastFile, created, cadence, multiple).toISOString()).toBe(deadline);
  });

  it('sends one valid message per episode, keyed and identified by integration and episode', () => {
    const stale = {
      id: '0b5f8a55-3c1e-4c59-9d1c-6f1f0d3c2a11',
      organizationId: '7f0e2b8e-5a55-4a8e-8f0e-2f1d6b0c9a01',
      siteId: '2d3c4b5a-6978-4a1b-8c2d-3e4f5a6b7c8d',
      platform: 'nice_iex' as const,
      staleSince: new Date('2026-11-25T08:00:00Z'),
      lastFileReceivedAt: null,
      expectedCadenceMinutes: 15,
    };
    const message = integrationStaleMessage(stale, 4, new Date('2026-11-25T08:00:30Z'));
    expect(message.topic).toBe(Topics.IntegrationStaleV1);
    expect(message.key).toBe(stale.id);
    expect(message.value).toEqual({
      messageId: `integration-stale:${stale.id}:2026-11-25T08:00:00.000Z`,
      occurredAt: '2026-11-25T08:00:30.000Z',
      organizationId: stale.organizationId,
      integrationId: stale.id,
      siteId: stale.siteId,
      platform: 'nice_iex',
      staleSince: '2026-11-25T08:00:00.000Z',
      lastFileReceivedAt: null,
      expectedCadenceMinutes: 15,
      staleAfterMinutes: 60,
    });
    expect(validateSync(plainToInstance(IntegrationStaleV1, message.value))).toEqual([]);
    expect(staleAfterMinutes(15, 4)).toBe(60);
  });
});
