import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { CreateScheduleDto, ScheduleListResponse, ScheduleResponse, UpdateScheduleDto } from './schedule.dto';
import { SchedulesService } from './schedules.service';

@ApiController('schedules', 'schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get() @ApiOkResponse({ type: ScheduleListResponse })
  list(@OrganizationId() organizationId: string): Promise<ScheduleListResponse> {
    return this.schedules.list(organizationId);
  }

  @Post() @RequiresRole('manager') @ApiCreatedResponse({ type: ScheduleResponse })
  create(@OrganizationId() organizationId: string, @Body() dto: CreateScheduleDto): Promise<ScheduleResponse> {
    return this.schedules.create(organizationId, dto);
  }

  @Get(':id') @ApiOkResponse({ type: ScheduleResponse })
  get(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<ScheduleResponse> {
    return this.schedules.get(organizationId, id);
  }

  @Patch(':id') @RequiresRole('manager') @ApiOkResponse({ type: ScheduleResponse })
  update(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string, @Body() dto: UpdateScheduleDto): Promise<ScheduleResponse> {
    return this.schedules.update(organizationId, id, dto);
  }

  @Delete(':id') @RequiresRole('manager') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<void> {
    return this.schedules.delete(organizationId, id);
  }
}
