import { Module } from '@nestjs/common';
import { MappingRulesController } from './mapping-rules.controller';
import { MappingRulesRepository } from './mapping-rules.repository';
import { MappingRulesService } from './mapping-rules.service';

@Module({ controllers: [MappingRulesController], providers: [MappingRulesService, MappingRulesRepository] })
export class MappingRulesModule {}
