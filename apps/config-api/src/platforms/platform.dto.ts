import { ApiProperty } from '@nestjs/swagger';
import { PlatformAgentIdFieldNames, Platforms, type Platform, type PlatformAgentIdField } from '@bpo/contracts';

export class PlatformResponse {
  @ApiProperty({ enum: Platforms }) platform: Platform;
  @ApiProperty({ example: 'NICE IEX' }) name: string;
  @ApiProperty({ enum: PlatformAgentIdFieldNames, description: 'The agent field holding agent IDs of this platform' }) agentIdField: PlatformAgentIdField;
  @ApiProperty({ description: 'Where to download the schedule template (CSV)' }) templateUrl: string;
}

export class PlatformListResponse {
  @ApiProperty({ type: [PlatformResponse] }) items: PlatformResponse[];
}
