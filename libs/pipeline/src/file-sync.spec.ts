import { decodeMessage, FileReceivedV1, MessageHeaders, Topics, type FileEndV1, type RowsBatchV2 } from '@bpo/contracts';
import { fileReceivedMessage, withAnnouncedContext } from './file-sync';

describe('fileReceivedMessage', () => {
  const file = {
    organizationId: '5b1e7f0c-2f43-4a5e-9d43-0d8f7f0b2a11',
    integrationId: '0c7d2c55-7a4f-4b7e-a1c2-3c1f2f8b9e22',
    siteId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c44',
    platform: 'verint' as const,
    fileId: '9a3b8d1e-6c5f-4e2a-8b7d-1f0e2d3c4b33',
    filename: 'week-45.csv',
    sizeBytes: 1234,
    sha256: 'a'.repeat(64),
    receivedAt: new Date('2025-11-03T08:00:00Z'),
  };
  const syncRunId = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a55';

  it('is a valid FileReceivedV1 for the new sync run, keyed by integration', () => {
    const message = fileReceivedMessage(file, syncRunId, new Date('2025-11-04T09:00:00Z'));
    expect(message.topic).toBe(Topics.FileReceivedV1);
    expect(message.key).toBe(file.integrationId);
    expect(message.headers).toEqual({ [MessageHeaders.MessageId]: `file-received:${syncRunId}` });
    const decoded = decodeMessage(FileReceivedV1, JSON.stringify(message.value));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message).toMatchObject({
      messageId: `file-received:${syncRunId}`,
      occurredAt: '2025-11-04T09:00:00.000Z',
      receivedAt: '2025-11-03T08:00:00.000Z',
      syncRunId,
      fileId: file.fileId,
      platform: 'verint',
    });
  });

  const settings = { siteId: file.siteId, timezone: 'America/Chicago', siteTimezone: 'America/New_York', dateOrder: 'MM/DD/YYYY', encoding: 'windows-1252', titleLines: 2 };

  it('carries the integration settings it was given, and stays valid without them (messages queued before settings)', () => {
    const withSettings = decodeMessage(FileReceivedV1, JSON.stringify(fileReceivedMessage({ ...file, settings }, syncRunId, new Date()).value));
    if (!withSettings.ok) throw new Error(withSettings.reason);
    expect(withSettings.message.settings).toEqual(settings);
    expect((fileReceivedMessage(file, syncRunId, new Date()).value as FileReceivedV1).settings).toBeUndefined();
  });

  it('refuses settings of the wrong shape', () => {
    const value = { ...(fileReceivedMessage({ ...file, settings }, syncRunId, new Date()).value as FileReceivedV1), settings: { ...settings, siteId: 'nope', titleLines: -1 } };
    const decoded = decodeMessage(FileReceivedV1, JSON.stringify(value));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(/settings\.siteId.*settings\.titleLines|settings\.titleLines.*settings\.siteId/);
  });
});

describe('withAnnouncedContext', () => {
  const envelope = { messageId: 'parser:r:0', occurredAt: '2025-11-03T08:00:00.000Z', organizationId: 'o', integrationId: 'i', fileId: 'f', syncRunId: 'r' };
  const batch = { ...envelope, kind: 'rows', sequence: 0, platformAgentIds: [], activities: [], days: [], rows: { line: [], agent: [], activity: [], startAt: [], endAt: [], day: [] }, errors: [] } as RowsBatchV2;
  const end = { ...envelope, kind: 'end', batchCount: 1, rowCount: 0, rowErrorCount: 0, filename: 'a.csv', receivedAt: envelope.occurredAt } as FileEndV1;
  const announced = { platform: 'nice_iex', settings: { siteId: 'site-1' } } as FileReceivedV1;

  it('gives row batches the site and platform of the announcement', () => {
    expect(withAnnouncedContext(batch, announced)).toEqual({ ...batch, siteId: 'site-1', platform: 'nice_iex' });
  });

  it('leaves end messages, and batches of a file announced without settings, as they are', () => {
    expect(withAnnouncedContext(end, announced)).toBe(end);
    expect(withAnnouncedContext(batch, { platform: 'nice_iex' } as FileReceivedV1)).toBe(batch);
  });
});
