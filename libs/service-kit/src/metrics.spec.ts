import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Metrics, metricsRegistry, MetricsModule } from './metrics';

@Module({ imports: [MetricsModule.forRoot('parser')] })
class AppModule {}

describe('GET /metrics', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  });
  afterAll(() => app.close());

  it('answers the Prometheus text format, every series labelled with the service, without a token', async () => {
    Metrics.rowsProcessed.inc({ stage: 'parser' }, 3000);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE bpo_rows_processed_total counter');
    expect(text).toMatch(/bpo_rows_processed_total\{stage="parser",service="parser"\} \d+/);
    expect(text).toContain('bpo_process_resident_memory_bytes');
  });

  it('names every metric with the bpo_ prefix, once', async () => {
    const names = (await metricsRegistry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names.every((name) => name.startsWith('bpo_'))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    // A second service booted in the same process (tests) registers nothing twice.
    expect(() => MetricsModule.forRoot('mapping')).not.toThrow();
  });
});
