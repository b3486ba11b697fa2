import { agentResolutionService } from '../../apps/agent-resolution/src/agent-resolution.service-definition';
import { configApiService } from '../../apps/config-api/src/config-api.service-definition';
import { mappingService } from '../../apps/mapping/src/mapping.service-definition';
import { parserService } from '../../apps/parser/src/parser.service-definition';
import { scheduleWriterService } from '../../apps/schedule-writer/src/schedule-writer.service-definition';
import { sftpIngestService } from '../../apps/sftp-ingest/src/sftp-ingest.service-definition';
import { createService, ConfigurationError } from '@bpo/service-kit';
import { createTestDatabase, startTestService, uniqueName, type TestDatabase } from '@bpo/testing';

const services = [sftpIngestService, parserService, mappingService, agentResolutionService, scheduleWriterService, configApiService];

describe('every service boots against the real broker and database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it.each(services.map((service) => [service.name, service] as const))('%s reports healthy', async (_name, definition) => {
    const service = await startTestService(definition as never, { databaseUrl: database.url, namespace: uniqueName('health'), env: { SFTP_PORT: '0' } });
    try {
      const response = await fetch(`${service.url}/health`);
      const body = await response.json();
      expect(response.status).toBe(200);
      expect(body).toEqual({ status: 'ok', service: definition.name, checks: { database: { status: 'up' }, kafka: { status: 'up' } } });
    } finally {
      await service.stop();
    }
  });

  it('refuses to start with a configuration error that names the variable', async () => {
    await expect(createService(parserService, { KAFKA_BROKERS: 'not a broker list', DATABASE_URL: 'mysql://x', HTTP_PORT: '0' })).rejects.toThrow(
      new ConfigurationError('invalid configuration: KAFKA_BROKERS: must be host:port[,host:port...]; DATABASE_URL: must be a postgres:// URL'),
    );
  });
});
