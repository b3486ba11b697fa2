import { Module } from '@nestjs/common';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';
import { SyncRepository } from './sync.repository';

@Module({ controllers: [FilesController], providers: [FilesService, SyncRepository], exports: [SyncRepository] })
export class SyncModule {}
