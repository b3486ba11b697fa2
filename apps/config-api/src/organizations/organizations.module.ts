import { Module } from '@nestjs/common';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

@Module({ controllers: [OrganizationsController], providers: [OrganizationsService, OrganizationsRepository] })
export class OrganizationsModule {}
