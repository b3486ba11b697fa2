import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { ServiceConfig } from '@bpo/service-kit';

export class SftpIngestConfig extends ServiceConfig {
  override HTTP_PORT = 3001;

  /** Port of the SFTP server; 0 picks a free port (tests). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  SFTP_PORT = 2222;

  /** Address the SFTP server binds; 0.0.0.0 inside a container. */
  @IsOptional() @IsString() @IsNotEmpty()
  SFTP_HOST = '127.0.0.1';

  /** The server's private host key; generated on first start and kept, so clients' known_hosts stay valid. */
  @IsOptional() @IsString() @IsNotEmpty()
  SFTP_HOST_KEY_PATH = defaultHostKeyPath();

  /** Largest file accepted, in bytes (default 512 MiB: a 5,000,000-row export is about 360 MB); a bigger upload is refused and discarded. */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_MAX_FILE_BYTES = 536_870_912;

  /** A connection with no SFTP request for this long is closed (its unfinished upload discarded). */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_IDLE_TIMEOUT_SECONDS = 600;

  // --- stale integrations (see README, "Stale integrations") ------------------------------------

  /**
   * An integration with no file for its expected cadence (the API's `expectedCadenceMinutes`,
   * default 15) times this multiple is marked stale, once per episode.
   */
  @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.01) @Max(1000)
  STALE_INTEGRATION_MULTIPLE = 4;

  /** How often the stale check runs, in seconds (every instance runs it; only one marks each episode). */
  @Type(() => Number) @IsInt() @Min(1) @Max(3600)
  STALE_CHECK_SECONDS = 60;

  // --- defences (see README, "SFTP defences") ---------------------------------------------------

  /** Refused passwords for one username within the window that lock it (password logins only). */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_LOCKOUT_USERNAME_FAILURES = 5;

  /** Refused logins from one address within the window that lock the address (every method). */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_LOCKOUT_ADDRESS_FAILURES = 20;

  /** The window failures are counted in, in seconds. */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_LOCKOUT_WINDOW_SECONDS = 900;

  /** How long a lockout lasts, in seconds (a manager may lift it sooner through the API). */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_LOCKOUT_SECONDS = 900;

  /** Connections at once on this instance, in all... */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_MAX_CONNECTIONS = 200;

  /** ...from one source address... */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_MAX_CONNECTIONS_PER_ADDRESS = 20;

  /** ...and logged in as one integration. */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_MAX_CONNECTIONS_PER_INTEGRATION = 10;

  /** A client must have logged in this many seconds after connecting. */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_LOGIN_TIMEOUT_SECONDS = 30;

  /** A logged-in client must have opened its SFTP channel this many seconds after logging in. */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_CHANNEL_TIMEOUT_SECONDS = 60;

  /** An upload not stored this many seconds after it was opened is discarded (default 2 h). */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_MAX_UPLOAD_SECONDS = 7200;

  /** An upload receiving fewer bytes per second than this, averaged over the rate window, is discarded (0 = no minimum). */
  @Type(() => Number) @IsInt() @Min(0)
  SFTP_MIN_UPLOAD_BYTES_PER_SECOND = 10_240;

  /** The window the transfer rate is averaged over, in seconds; an upload's first window is free. */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_MIN_UPLOAD_RATE_WINDOW_SECONDS = 60;
}

/** `<repo>/.data/sftp/host_key`: next to the stack's other local state, which git ignores. */
function defaultHostKeyPath(): string {
  return join(repositoryRoot(), '.data', 'sftp', 'host_key');
}

/** The folder holding nx.json above this file (sources and dist/ alike), else the working directory. */
function repositoryRoot(): string {
  for (let folder = __dirname; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'nx.json'))) return folder;
    if (dirname(folder) === folder) return resolve('.');
  }
}
