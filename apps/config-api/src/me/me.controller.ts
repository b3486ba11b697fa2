import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { MeResponse } from './me.dto';
import { MeService } from './me.service';

@ApiController('me', 'me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @ApiOperation({ summary: 'The calling token: its organization, role and permissions (any organization token)' })
  @ApiOkResponse({ type: MeResponse })
  get(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    return this.me.describe(principal);
  }
}
