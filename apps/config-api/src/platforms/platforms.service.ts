import { Injectable, StreamableFile } from '@nestjs/common';
import { isPlatform, PlatformAgentIdFields, PlatformNames, Platforms } from '@bpo/contracts';
import { renderTemplateCsv } from '@bpo/schedule-time';
import { notFound } from '../common/config-api.exception';
import { ConfigApiConfig } from '../config-api.config';
import type { PlatformListResponse } from './platform.dto';
import { templateUrl } from './platform-links.util';

@Injectable()
export class PlatformsService {
  constructor(private readonly config: ConfigApiConfig) {}

  list(): PlatformListResponse {
    return {
      items: Platforms.map((platform) => ({
        platform,
        name: PlatformNames[platform],
        agentIdField: PlatformAgentIdFields[platform],
        templateUrl: templateUrl(this.config.PUBLIC_URL, platform),
      })),
    };
  }

  template(platform: string): StreamableFile {
    if (!isPlatform(platform)) throw notFound('platform', platform);
    return new StreamableFile(Buffer.from(renderTemplateCsv(platform), 'utf8'), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${platform}-schedule-template.csv"`,
    });
  }
}
