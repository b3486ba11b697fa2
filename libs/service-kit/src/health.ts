import { Controller, Get, HttpException, HttpStatus, Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';

/** Anything a service depends on reports here; /health is healthy only when every check passes. */
export abstract class HealthIndicator {
  abstract readonly name: string;
  abstract check(): Promise<void>;
}

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');

export interface HealthReport {
  status: 'ok' | 'error';
  service: string;
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[],
    @Inject('SERVICE_NAME') private readonly service: string,
  ) {}

  async report(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {};
    await Promise.all(
      this.indicators.map(async (indicator) => {
        try {
          await withTimeout(indicator.check(), 3000, `${indicator.name} did not answer within 3 s`);
          checks[indicator.name] = { status: 'up' };
        } catch (error) {
          checks[indicator.name] = { status: 'down', error: (error as Error).message };
        }
      }),
    );
    const status = Object.values(checks).every((check) => check.status === 'up') ? 'ok' : 'error';
    return { status, service: this.service, checks };
  }
}

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  async get(): Promise<HealthReport> {
    const report = await this.health.report();
    if (report.status !== 'ok') throw new HttpException(report, HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}

@Module({})
export class HealthModule {
  /** `indicators` are provider classes (each a HealthIndicator) available in the importing context. */
  static forRoot(service: string, indicators: Array<new (...args: never[]) => HealthIndicator>): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        HealthService,
        { provide: 'SERVICE_NAME', useValue: service },
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
