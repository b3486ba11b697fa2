import { createTestDatabase, startServiceProcess, uniqueName, type TestDatabase } from '@bpo/testing';

// The built services, each started as its own process exactly as `npm start` runs them.
const services = ['sftp-ingest', 'parser', 'mapping', 'agent-resolution', 'schedule-writer', 'config-api'];
const extraEnv: Record<string, Record<string, string>> = {
  'sftp-ingest': { SFTP_PORT: '0' },
  'config-api': { OPERATOR_TOKEN: 'operator-token-for-the-health-test-0123456789' },
};

describe('every service boots against the real broker and database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it.each(services)('%s reports healthy, and stops gracefully on SIGTERM', async (name) => {
    const service = await startServiceProcess(name, { databaseUrl: database.url, namespace: uniqueName('health'), env: extraEnv[name] });
    try {
      const response = await fetch(`${service.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', service: name, checks: { database: { status: 'up' }, kafka: { status: 'up' } } });
      expect(service.output()).toContain('"level":"log"');
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('refuses to start with one clear line naming each bad variable', async () => {
    const service = await startServiceProcess('parser', {
      databaseUrl: 'mysql://somewhere/db',
      namespace: 'x',
      env: { KAFKA_BROKERS: 'not a broker list' },
      waitForHealth: false,
    });
    expect(await service.exited).toBe(1);
    const lines = service.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'fatal',
      service: 'parser',
      message: 'parser: invalid configuration: KAFKA_BROKERS: must be host:port[,host:port...]; DATABASE_URL: must be a postgres:// URL',
    });
  });
});
