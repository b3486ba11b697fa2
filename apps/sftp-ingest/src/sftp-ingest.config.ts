import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
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

  /** Largest file accepted, in bytes (default 256 MiB); a bigger upload is refused and discarded. */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_MAX_FILE_BYTES = 268_435_456;

  /** A connection with no SFTP request for this long is closed (its unfinished upload discarded). */
  @Type(() => Number) @IsInt() @Min(1)
  SFTP_IDLE_TIMEOUT_SECONDS = 600;
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
