import { Module } from '@nestjs/common';
import { EventTypesController } from './event-types.controller';
import { EventTypesRepository } from './event-types.repository';
import { EventTypesService } from './event-types.service';

@Module({ controllers: [EventTypesController], providers: [EventTypesService, EventTypesRepository] })
export class EventTypesModule {}
