import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceDefinition } from '@bpo/service-kit';
import { serveConsole } from './common/console.util';
import { refuseDeepJson } from './common/json-depth.util';
import { serveOpenApi } from './common/openapi.util';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { createValidationPipe } from './common/validation.util';
import { ConfigApiConfig } from './config-api.config';
import { ConfigApiModule } from './config-api.module';
import { FILE_CHECK_MAX_BYTES, isFileCheckRequest } from './file-check/file-check.constant';

/** Largest JSON or CSV body (agent imports are the big ones). */
const BODY_LIMIT = '5mb';

export const configApiService: ServiceDefinition<ConfigApiConfig> = {
  name: 'config-api',
  config: ConfigApiConfig,
  module: (config) => ConfigApiModule.register(config),
  configure: (app, config) => {
    const express = app as NestExpressApplication;
    // A file check's body is the file's bytes, whatever its content type (read in the integration's
    // encoding, not as UTF-8 text); parsed here first, the parsers below then leave it alone.
    express.useBodyParser('raw', { type: isFileCheckRequest, limit: FILE_CHECK_MAX_BYTES });
    // Registered before Nest's defaults, which then stand aside (same parser names).
    express.useBodyParser('json', { limit: BODY_LIMIT, verify: refuseDeepJson });
    express.useBodyParser('text', { type: 'text/csv', limit: BODY_LIMIT });
    app.useGlobalPipes(createValidationPipe());
    app.useGlobalFilters(new ProblemDetailsFilter());
    serveOpenApi(app, config.PUBLIC_URL);
    // The web console (apps/console), when built: same origin as the API.
    serveConsole(app, config.CONSOLE_DIR);
  },
};
