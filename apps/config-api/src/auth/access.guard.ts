import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_REQUIREMENT, type AccessRequirement, type AuthenticatedRequest } from './access.decorator';
import { AccessService } from './access.service';

const DEFAULT_REQUIREMENT: AccessRequirement = { kind: 'role', role: 'basic' };

/** The one role guard: reads @RequiresRole / @OperatorOnly (handler over class), `basic` otherwise. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: { authorization?: string } } & AuthenticatedRequest>();
    const requirement = this.reflector.getAllAndOverride<AccessRequirement>(ACCESS_REQUIREMENT, [context.getHandler(), context.getClass()]) ?? DEFAULT_REQUIREMENT;
    request.principal = (await this.access.authorize(request.headers.authorization, requirement)) ?? undefined;
    return true;
  }
}
