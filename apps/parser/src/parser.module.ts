import { Module, type DynamicModule } from '@nestjs/common';
import { laneTopics, Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { ParserConfig, parseLimitsOf } from './parser.config';
import { ParserConsumer } from './parser.consumer';
import { ParserRepository, TypeOrmParserRepository } from './parser.repository';
import { BATCH_ROWS, PARSE_LIMITS, ParserService } from './parser.service';

@Module({})
export class ParserModule {
  static register(config: ParserConfig): DynamicModule {
    return {
      module: ParserModule,
      imports: infrastructureModules('parser', config, { topics: [...laneTopics('fileReceived', 'rowsParsed'), Topics.FileFailedV1], outboxRelay: false }),
      providers: [
        { provide: ParserConfig, useValue: config },
        { provide: PARSE_LIMITS, useValue: parseLimitsOf(config) },
        { provide: BATCH_ROWS, useValue: config.PARSER_BATCH_ROWS },
        { provide: ParserRepository, useClass: TypeOrmParserRepository },
        ParserService,
        ParserConsumer,
      ],
    };
  }
}
