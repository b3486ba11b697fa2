import type { INestApplication } from '@nestjs/common';
import { createService, type ServiceConfig, type ServiceDefinition } from '@bpo/service-kit';
import { testInfrastructure } from './infrastructure';

export interface RunningService {
  app: INestApplication;
  url: string;
  stop(): Promise<void>;
}

/**
 * Boots a real service (its real root module) against the test broker and a test database, with
 * its own topic namespace and a free HTTP port. `env` adds or overrides variables.
 */
export async function startTestService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  { databaseUrl, namespace, env = {} }: { databaseUrl: string; namespace: string; env?: Record<string, string> },
): Promise<RunningService> {
  const { kafkaBrokers } = testInfrastructure();
  const { app, url } = await createService(definition, {
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    KAFKA_TOPIC_NAMESPACE: namespace,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    ...env,
  });
  return { app, url, stop: () => app.close() };
}
