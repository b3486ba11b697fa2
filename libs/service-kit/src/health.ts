import { Controller, Get, HttpException, HttpStatus, Inject, Injectable, Logger, Module, type DynamicModule } from '@nestjs/common';

/** Anything a service depends on reports here; /health is healthy only when every check passes. */
export abstract class HealthIndicator {
  abstract readonly name: string;
  abstract check(): Promise<void>;
}

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

/**
 * What /health answers. No error text: the health routes need no token, so why a check failed
 * (host names, users, driver messages) goes to the service's log, never to the caller.
 */
export interface HealthReport {
  status: 'ok' | 'error';
  service: string;
  checks: Record<string, { status: 'up' | 'down' }>;
}

export interface HealthOptions {
  /**
   * How long one round of checks answers every caller (ms). Checks open connections (a Kafka admin
   * client, a database query): however often the routes are called, they run at most once per
   * this period, and concurrent callers share the round in flight.
   */
  cacheMs?: number;
  /** The longest one check may take before it counts as down (ms). */
  timeoutMs?: number;
}

export const DEFAULT_HEALTH_CACHE_MS = 5000;
const DEFAULT_CHECK_TIMEOUT_MS = 3000;

@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private round?: { startedAt: number; report: Promise<HealthReport> };
  /** Each check's last status, so a failure is logged when it starts and not on every probe. */
  private readonly lastStatus = new Map<string, 'up' | 'down'>();

  constructor(
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[],
    @Inject('SERVICE_NAME') private readonly service: string,
    @Inject(HEALTH_OPTIONS) options: HealthOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? DEFAULT_HEALTH_CACHE_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  }

  /** The latest round of checks: a new one only when the last started more than `cacheMs` ago. */
  report(): Promise<HealthReport> {
    const now = Date.now();
    if (!this.round || now - this.round.startedAt >= this.cacheMs) this.round = { startedAt: now, report: this.runChecks() };
    return this.round.report;
  }

  private async runChecks(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {};
    await Promise.all(
      this.indicators.map(async (indicator) => {
        try {
          await withTimeout(indicator.check(), this.timeoutMs, `${indicator.name} did not answer within ${this.timeoutMs} ms`);
          checks[indicator.name] = { status: 'up' };
          if (this.lastStatus.get(indicator.name) === 'down') this.logger.log({ message: 'health check recovered', check: indicator.name });
        } catch (error) {
          checks[indicator.name] = { status: 'down' };
          if (this.lastStatus.get(indicator.name) !== 'down') this.logger.warn({ message: 'health check failed', check: indicator.name, error: (error as Error)?.message ?? String(error) });
        }
        this.lastStatus.set(indicator.name, checks[indicator.name].status);
      }),
    );
    const status = Object.values(checks).every((check) => check.status === 'up') ? 'ok' : 'error';
    return { status, service: this.service, checks };
  }
}

/**
 * `GET /health`: every check, up or down (503 when one is down). `GET /health/live`: the process
 * answers, nothing is checked (a liveness probe must not restart a service because its database
 * is away). `GET /health/ready`: `{"status":"ok"}` or 503 `{"status":"error"}` and nothing more.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  async get(): Promise<HealthReport> {
    const report = await this.health.report();
    if (report.status !== 'ok') throw new HttpException(report, HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok' | 'error' }> {
    const report = await this.health.report();
    if (report.status !== 'ok') throw new HttpException({ status: 'error' }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ok' };
  }
}

@Module({})
export class HealthModule {
  /** `indicators` are provider classes (each a HealthIndicator) available in the importing context. */
  static forRoot(service: string, indicators: Array<new (...args: never[]) => HealthIndicator>, options: HealthOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        HealthService,
        { provide: 'SERVICE_NAME', useValue: service },
        { provide: HEALTH_OPTIONS, useValue: options },
        { provide: HEALTH_INDICATORS, useFactory: (...found: HealthIndicator[]) => found, inject: indicators },
      ],
      exports: [HealthService],
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
