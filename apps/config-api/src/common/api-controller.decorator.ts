import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AccessGuard } from '../auth/access.guard';

export const API_PREFIX = 'v1';

/** A controller of the public API: under /v1, behind the role guard, documented under its tag. */
export function ApiController(path: string, tag: string): ClassDecorator {
  return applyDecorators(Controller(path ? `${API_PREFIX}/${path}` : API_PREFIX), UseGuards(AccessGuard), ApiBearerAuth(), ApiTags(tag));
}
