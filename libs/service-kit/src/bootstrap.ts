import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import { ConfigurationError, validateEnv } from './env.util';
import { JsonLogger } from './json-logger';
import type { ServiceConfig } from './service-config';
import { startTracing, stopTracing } from './tracing';

export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  config: ClassConstructor<C>;
  /** Builds the root module from the validated configuration. */
  module: (config: C) => unknown;
  /** Extra set-up of the HTTP app before it listens (pipes, filters, OpenAPI). */
  configure?: (app: INestApplication, config: C) => void | Promise<void>;
}

/**
 * Creates and starts a service: validated configuration, JSON logs, health check, graceful
 * shutdown on SIGTERM/SIGINT (Nest's shutdown hooks close consumers and connections in order).
 */
export async function createService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ app: INestApplication; config: C; url: string }> {
  const config = validateEnv(definition.config, env);
  const logger = new JsonLogger(definition.name, config.LOG_LEVEL);
  const tracing = await startTracing({ service: definition.name, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT || undefined });
  const app = await NestFactory.create(definition.module(config) as never, { logger, abortOnError: false });
  await definition.configure?.(app, config);
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.HTTP_PORT}`;
  logger.log({ message: `${definition.name} listening`, url, ...(tracing ? { tracesExportedTo: new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT!).host } : {}) }, 'Bootstrap');
  return { app, config, url };
}

/**
 * main.ts entry: a bad configuration ends the process with one clear line; SIGTERM/SIGINT close
 * the app (consumers leave their groups, in-flight work finishes, connections close), then exit 0.
 */
export function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>): void {
  createService(definition).then(({ app }) => {
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      const logger = new JsonLogger(definition.name);
      logger.log({ message: `${signal} received, shutting down` }, 'Bootstrap');
      // The spans still buffered are exported once the app closed (its last messages handled).
      app.close().then(stopTracing).then(
        () => {
          logger.log({ message: 'stopped' }, 'Bootstrap');
          process.exit(0);
        },
        (error: Error) => {
          logger.error({ message: 'shutdown failed', error: error.message }, 'Bootstrap');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  }, (error: unknown) => {
    const line =
      error instanceof ConfigurationError
        ? `${definition.name}: ${error.message}`
        : `${definition.name}: failed to start: ${(error as Error)?.message ?? String(error)}`;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'fatal', service: definition.name, message: line })}\n`);
    process.exit(1);
  });
}
