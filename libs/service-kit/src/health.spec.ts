import 'reflect-metadata';
import { Global, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthIndicator, HealthModule } from './health';

const SECRET = 'password authentication failed for user "bpo_admin" at 10.20.30.40:5432';

/** A dependency whose state the test sets, counting how often it is checked. */
@Injectable()
class FakeDependency extends HealthIndicator {
  readonly name = 'database';
  calls = 0;
  failure: string | null = null;
  delayMs = 0;
  async check(): Promise<void> {
    this.calls += 1;
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failure) throw new Error(this.failure);
  }
}

@Global()
@Module({ providers: [FakeDependency], exports: [FakeDependency] })
class FakeDependencyModule {}

describe('health routes', () => {
  let app: INestApplication;
  let url: string;
  let dependency: FakeDependency;
  const logged: string[] = [];

  const start = async (cacheMs: number) => {
    app = await NestFactory.create({ module: class Root {}, imports: [FakeDependencyModule, HealthModule.forRoot('svc', [FakeDependency], { cacheMs })] } as never, {
      logger: { log: (m: unknown) => logged.push(JSON.stringify(m)), warn: (m: unknown) => logged.push(JSON.stringify(m)), error: (m: unknown) => logged.push(JSON.stringify(m)) },
    });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    dependency = app.get(FakeDependency);
  };
  afterEach(async () => {
    await app?.close();
    logged.length = 0;
  });
  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, text: await response.text() };
  };

  it('/health answers every check; /health/ready only ok; /health/live checks nothing', async () => {
    await start(0);
    expect(await get('/health')).toEqual({ status: 200, text: JSON.stringify({ status: 'ok', service: 'svc', checks: { database: { status: 'up' } } }) });
    expect(await get('/health/ready')).toEqual({ status: 200, text: '{"status":"ok"}' });
    const calls = dependency.calls;
    expect(await get('/health/live')).toEqual({ status: 200, text: '{"status":"ok"}' });
    expect(dependency.calls).toBe(calls);
  });

  it('a failed check answers 503 without its error text, which goes to the log once', async () => {
    await start(0);
    dependency.failure = SECRET;
    const health = await get('/health');
    expect(health).toEqual({ status: 503, text: JSON.stringify({ status: 'error', service: 'svc', checks: { database: { status: 'down' } } }) });
    expect(await get('/health/ready')).toEqual({ status: 503, text: '{"status":"error"}' });
    expect(await get('/health/live')).toEqual({ status: 200, text: '{"status":"ok"}' });
    expect(logged.filter((line) => line.includes('bpo_admin'))).toHaveLength(1);
    dependency.failure = null;
    expect((await get('/health/ready')).status).toBe(200);
    expect(logged.some((line) => line.includes('health check recovered'))).toBe(true);
  });

  it('a slow dependency counts as down after the timeout, without text', async () => {
    app = await NestFactory.create({ module: class Root {}, imports: [FakeDependencyModule, HealthModule.forRoot('svc', [FakeDependency], { cacheMs: 0, timeoutMs: 50 })] } as never, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    app.get(FakeDependency).delayMs = 500;
    expect(await get('/health/ready')).toEqual({ status: 503, text: '{"status":"error"}' });
  });

  it('runs the checks at most once per cache period, however many callers at once', async () => {
    await start(60_000);
    dependency.delayMs = 100;
    const answers = await Promise.all(Array.from({ length: 25 }, (_, index) => get(index % 2 ? '/health' : '/health/ready')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(dependency.calls).toBe(1);
    await get('/health');
    expect(dependency.calls).toBe(1);
  });

  it('checks again once the period is over', async () => {
    await start(50);
    await get('/health');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await get('/health');
    expect(dependency.calls).toBe(2);
  });
});
