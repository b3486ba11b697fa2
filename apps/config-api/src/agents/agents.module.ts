import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';

@Module({ controllers: [AgentsController], providers: [AgentsService, AgentsRepository] })
export class AgentsModule {}
