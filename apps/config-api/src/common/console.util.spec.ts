import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { consoleFileFor, serveConsole } from './console.util';

@Controller('v1')
class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

describe('serveConsole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-'));
  let app: INestApplication;

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, '..', 'secret.txt'), 'outside');
    app = await NestFactory.create(PingModule, { logger: false });
    expect(serveConsole(app, dir)).toBe(true);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, '..', 'secret.txt'), { force: true });
  });

  it('answers the console page at /console/ with security headers, and / and /console send there', async () => {
    const page = await request(app.getHttpServer()).get('/console/').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toContain('<div id="root">');
    await request(app.getHttpServer()).get('/').expect(302).expect('Location', '/console/');
    await request(app.getHttpServer()).get('/console').expect(302).expect('Location', '/console/');
  });

  it('answers the console routes with the page, and built assets as immutable files', async () => {
    const deep = await request(app.getHttpServer()).get('/console/sites/123/sync?x=1').expect(200);
    expect(deep.text).toContain('<div id="root">');
    const asset = await request(app.getHttpServer()).get('/console/assets/index-abc123.js').expect(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');
    await request(app.getHttpServer()).get('/console/assets/missing.js').expect(404);
  });

  it('leaves the API alone and never serves a file outside the build', async () => {
    await request(app.getHttpServer()).get('/v1/ping').expect(200, { ok: true });
    await request(app.getHttpServer()).post('/console/').expect(404);
    expect(consoleFileFor(dir, '/console/../secret.txt')?.file).toBe(join(dir, 'index.html'));
    expect(consoleFileFor(dir, '/console/%2e%2e/secret.txt')?.file).toBe(join(dir, 'index.html'));
    expect(consoleFileFor(dir, '/console/%00')).toBeNull();
    expect(consoleFileFor(dir, '/consoleX')).toBeNull();
    expect(consoleFileFor(dir, '/v1/sites')).toBeNull();
  });

  it('serves nothing without a build', async () => {
    const empty = await NestFactory.create(PingModule, { logger: false });
    expect(serveConsole(empty, join(dir, 'nowhere'))).toBe(false);
    await empty.close();
  });
});
