import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

const PARTITIONS = { message: 'must be a whole number from 1 to 1000' };

/** What every service reads from its environment. Each app's config class extends this. */
export class ServiceConfig {
  /** Comma-separated host:port list. */
  @IsString() @IsNotEmpty() @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'must be host:port[,host:port...]' })
  KAFKA_BROKERS: string;

  @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL: string;

  /** Prefix for every topic name; empty in production. Tests use it to give each run its own topics. */
  @IsOptional() @Matches(/^[a-z0-9._-]*$/, { message: 'may only hold a-z 0-9 . _ -' })
  KAFKA_TOPIC_NAMESPACE = '';

  /**
   * Partitions of each topic the service creates at start-up (existing topics keep theirs).
   * Messages are keyed by integration, so this bounds how many instances of one stage share its work.
   */
  @IsOptional() @Type(() => Number) @IsInt(PARTITIONS) @Min(1, PARTITIONS) @Max(1000, PARTITIONS)
  KAFKA_TOPIC_PARTITIONS = 12; // the messaging lib's DEFAULT_TOPIC_PARTITIONS

  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** Port of the service's HTTP server (health check; the REST API for config-api). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  HTTP_PORT: number;

  /**
   * How long a consumer keeps retrying a message whose failures are transient (database or broker
   * unreachable, restarting, a leader moving) before it gives up and fails the file. Minutes.
   */
  @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.1) @Max(1440)
  TRANSIENT_RETRY_MINUTES = 10;

  /**
   * OpenTelemetry: the OTLP/HTTP endpoint traces are exported to (`<endpoint>/v1/traces`, JSON),
   * e.g. http://otel-collector:4318. Unset or empty: tracing is off and costs nothing.
   */
  @ValidateIf((config: ServiceConfig) => config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined && config.OTEL_EXPORTER_OTLP_ENDPOINT !== '')
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'must be an http:// or https:// URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Address the HTTP server binds; 0.0.0.0 inside a container. */
  @IsOptional() @IsString() @IsNotEmpty()
  HTTP_HOST = '127.0.0.1';
}
