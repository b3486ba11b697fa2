import { Module } from '@nestjs/common';
import { FileCheckController } from './file-check.controller';
import { FileCheckRepository } from './file-check.repository';
import { FileCheckService } from './file-check.service';

@Module({ controllers: [FileCheckController], providers: [FileCheckService, FileCheckRepository] })
export class FileCheckModule {}
