import { Injectable } from '@nestjs/common';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { ScheduleListResponse, ScheduleResponse, toScheduleResponse, type CreateScheduleDto, type UpdateScheduleDto } from './schedule.dto';
import { SchedulesRepository } from './schedules.repository';

@Injectable()
export class SchedulesService {
  constructor(private readonly schedules: SchedulesRepository) {}

  async create(organizationId: string, dto: CreateScheduleDto): Promise<ScheduleResponse> {
    return toScheduleResponse(await this.schedules.create(organizationId, dto.name));
  }

  async list(organizationId: string): Promise<ScheduleListResponse> {
    return { items: (await this.schedules.list(organizationId)).map(toScheduleResponse) };
  }

  async get(organizationId: string, id: string): Promise<ScheduleResponse> {
    return toScheduleResponse(await this.schedules.get(organizationId, id));
  }

  async update(organizationId: string, id: string, dto: UpdateScheduleDto): Promise<ScheduleResponse> {
    const schedule = dto.name === undefined ? await this.schedules.get(organizationId, id) : await this.schedules.rename(organizationId, id, dto.name);
    return toScheduleResponse(schedule);
  }

  async delete(organizationId: string, id: string): Promise<void> {
    const schedule = await this.schedules.get(organizationId, id);
    if (schedule.isDefault) {
      throw new ConfigApiException(ConfigApiErrorCode.DefaultScheduleUndeletable, 'the default schedule receives events of integrations without a target schedule; it cannot be deleted');
    }
    await this.schedules.delete(id);
  }
}
