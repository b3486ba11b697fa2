import { Get, Param, type StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { ApiController } from '../common/api-controller.decorator';
import { PlatformListResponse } from './platform.dto';
import { PlatformsService } from './platforms.service';

@ApiController('platforms', 'platforms')
export class PlatformsController {
  constructor(private readonly platforms: PlatformsService) {}

  @Get() @ApiOkResponse({ type: PlatformListResponse })
  list(): PlatformListResponse {
    return this.platforms.list();
  }

  @Get(':platform/template.csv') @ApiProduces('text/csv') @ApiOkResponse({ description: 'Header and two example rows', schema: { type: 'string' } })
  template(@Param('platform') platform: string): StreamableFile {
    return this.platforms.template(platform);
  }
}
