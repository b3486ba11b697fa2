import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AccessGuard } from './auth/access.guard';
import { AccessRepository } from './auth/access.repository';
import { AccessService } from './auth/access.service';
import { ConfigApiConfig } from './config-api.config';

/** What every feature module needs: the configuration and the role guard's dependencies. */
@Global()
@Module({})
export class ConfigApiCoreModule {
  static register(config: ConfigApiConfig): DynamicModule {
    return {
      module: ConfigApiCoreModule,
      providers: [{ provide: ConfigApiConfig, useValue: config }, AccessRepository, AccessService, AccessGuard],
      exports: [ConfigApiConfig, AccessRepository, AccessService, AccessGuard],
    };
  }
}
