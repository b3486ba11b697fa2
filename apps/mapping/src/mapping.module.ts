import { Module, type DynamicModule } from '@nestjs/common';
import { laneTopics, Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { MappingConfig } from './mapping.config';
import { MappingConsumer } from './mapping.consumer';
import { MappingRuleSnapshots, TypeOrmMappingRuleSnapshots } from './mapping-rule-snapshots.repository';
import { MappingService } from './mapping.service';

@Module({})
export class MappingModule {
  static register(config: MappingConfig): DynamicModule {
    return {
      module: MappingModule,
      imports: infrastructureModules('mapping', config, { topics: [...laneTopics('rowsParsed', 'rowsMapped'), Topics.FileFailedV1], outboxRelay: false }),
      providers: [
        { provide: MappingConfig, useValue: config },
        { provide: MappingRuleSnapshots, useClass: TypeOrmMappingRuleSnapshots },
        MappingService,
        MappingConsumer,
      ],
    };
  }
}
