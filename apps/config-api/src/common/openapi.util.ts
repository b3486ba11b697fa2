import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export function createOpenApiDocument(app: INestApplication, serverUrl: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('bpo-schedule-sync config API')
    .setDescription(
      'Organizations, sites, SFTP integrations, mapping rules, agents, schedules, events and sync reports. ' +
        'Every call carries `Authorization: Bearer <token>`; errors are `application/problem+json` (RFC 7807).',
    )
    .setVersion('1')
    .addServer(serverUrl)
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** The document at /docs-json and its browsable form at /docs (both public: they hold no data). */
export function serveOpenApi(app: INestApplication, serverUrl: string): void {
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app, serverUrl), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
