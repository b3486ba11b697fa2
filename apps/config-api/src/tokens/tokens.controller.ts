import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { OrganizationId, RequiresRole } from '../auth/access.decorator';
import { ApiController } from '../common/api-controller.decorator';
import { uuidPipe } from '../common/validation.util';
import { CreatedTokenResponse, CreateTokenDto, TokenListResponse } from './token.dto';
import { TokensService } from './tokens.service';

@ApiController('tokens', 'tokens')
@RequiresRole('admin')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post() @ApiCreatedResponse({ type: CreatedTokenResponse })
  create(@OrganizationId() organizationId: string, @Body() dto: CreateTokenDto): Promise<CreatedTokenResponse> {
    return this.tokens.create(organizationId, dto);
  }

  @Get() @ApiOkResponse({ type: TokenListResponse })
  list(@OrganizationId() organizationId: string): Promise<TokenListResponse> {
    return this.tokens.list(organizationId);
  }

  @Delete(':id') @HttpCode(HttpStatus.NO_CONTENT) @ApiNoContentResponse()
  delete(@OrganizationId() organizationId: string, @Param('id', uuidPipe('id')) id: string): Promise<void> {
    return this.tokens.delete(organizationId, id);
  }
}
