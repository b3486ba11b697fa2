import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { DEFAULT_ROW_HORIZON, MAX_HORIZON_DAYS } from '@bpo/schedule-time';
import { ServiceConfig } from '@bpo/service-kit';

export class ConfigApiConfig extends ServiceConfig {
  override HTTP_PORT = 3000;

  /** The only credential that may create organizations; each organization then manages its own tokens. */
  @IsString() @MinLength(24)
  OPERATOR_TOKEN: string;

  /** The SFTP address BPOs are told to upload to (what sftp-ingest is reachable at from outside). */
  @IsOptional() @IsString() @IsNotEmpty()
  SFTP_PUBLIC_HOST = '127.0.0.1';

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  SFTP_PUBLIC_PORT = 2222;

  /** Base URL of this API as clients reach it; used for links such as a platform's template. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_URL = 'http://127.0.0.1:3000';

  /** The built web console (`nx build console`), served at /console when it exists. */
  @IsString() @IsNotEmpty()
  CONSOLE_DIR = 'dist/apps/console';

  /** Public keys an integration may hold; adding one more is refused (409 ssh_key_limit). */
  @Type(() => Number) @IsInt() @Min(1)
  SSH_KEYS_MAX_PER_INTEGRATION = 10;

  /** Smallest RSA key accepted, in bits (shorter ones are refused with 400 invalid_ssh_key). */
  @Type(() => Number) @IsInt() @Min(1024)
  SSH_RSA_MIN_BITS = 2048;

  /** The date horizon a file check judges rows by: set it as the parser's (ROW_MAX_DAYS_AHEAD / _BEHIND). */
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX_HORIZON_DAYS)
  ROW_MAX_DAYS_AHEAD: number = DEFAULT_ROW_HORIZON.maxDaysAhead;

  @Type(() => Number) @IsInt() @Min(0) @Max(MAX_HORIZON_DAYS)
  ROW_MAX_DAYS_BEHIND: number = DEFAULT_ROW_HORIZON.maxDaysBehind;
}
