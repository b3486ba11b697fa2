import { Module } from '@nestjs/common';
import { SchedulesController } from './schedules.controller';
import { SchedulesRepository, TypeOrmSchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

@Module({ controllers: [SchedulesController], providers: [SchedulesService, { provide: SchedulesRepository, useClass: TypeOrmSchedulesRepository }] })
export class SchedulesModule {}
