import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually, freePort } from '@bpo/testing';

interface Instance {
  label: string;
  port: number;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  log: string;
}
interface Supervisor {
  start(): Promise<boolean>;
  stop(code?: number): Promise<number>;
  done: Promise<number>;
  instances: (Instance & { child: { pid: number } | null })[];
}
// scripts/supervise.js is a plain Node script of the repository (npm start runs it), not a project:
// loaded by its path, as the other script tests run scripts/stack.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const supervise = require(join(__dirname, '..', '..', 'scripts', 'supervise.js')) as {
  createSupervisor(options: object): Supervisor;
  serviceInstances(env: NodeJS.ProcessEnv, logDir: string): (Instance & { service: string })[];
};

// A stand-in service: answers /health on HTTP_PORT; MODE=flaky exits (code 3) 1.5 s after each of
// its first two starts, MODE=broken exits at once as a badly configured service does.
const FAKE_SERVICE = `
const fs = require('node:fs');
if (process.env.MODE === 'broken') { console.log('broken: invalid configuration: KAFKA_BROKERS: must be host:port'); process.exit(1); }
const server = require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.HTTP_PORT), '127.0.0.1');
if (process.env.MODE === 'flaky') {
  const starts = Number(fs.existsSync(process.env.STARTS) ? fs.readFileSync(process.env.STARTS, 'utf8') : 0) + 1;
  fs.writeFileSync(process.env.STARTS, String(starts));
  if (starts <= 2) setTimeout(() => { console.log('flaky: crash ' + starts); process.exit(3); }, 1500);
}
process.on('SIGTERM', () => { console.log('SIGTERM: stopping'); server.close(() => process.exit(0)); });
`;

describe('npm start supervision (scripts/supervise.js)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpo-supervise-'));
  const script = join(dir, 'fake-service.js');
  writeFileSync(script, FAKE_SERVICE);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const instance = async (label: string, env: Record<string, string> = {}): Promise<Instance> => {
    const port = await freePort();
    return { label, port, command: process.execPath, args: [script], env: { PATH: process.env.PATH, HTTP_PORT: String(port), ...env }, log: join(dir, `${label}.log`) };
  };
  const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

  it('restarts a crashed service with doubling delays, says so, and stops everything cleanly', async () => {
    const lines: string[] = [];
    const supervisor = supervise.createSupervisor({
      instances: [await instance('steady'), await instance('flaky', { MODE: 'flaky', STARTS: join(dir, 'flaky.starts') })],
      cwd: dir,
      say: (line: string) => lines.push(line),
      warn: (line: string) => lines.push(line),
      initialBackoffMs: 200,
    });
    expect(await supervisor.start()).toBe(true);
    await expectEventually(() => expect(lines.filter((line) => line === 'flaky is healthy again')).toHaveLength(2), { timeoutMs: 15_000 });
    expect(lines.filter((line) => line.startsWith('flaky exited')).map((line) => line.split('\n')[0])).toEqual([
      'flaky exited with code 3; restarting in 0.2 s; see flaky.log',
      'flaky exited with code 3; restarting in 0.4 s; see flaky.log',
    ]);
    expect(lines.find((line) => line.startsWith('flaky exited'))).toContain('flaky: crash 1'); // the log's last lines come along
    expect(readFileSync(join(dir, 'flaky.log'), 'utf8')).toContain('flaky: crash 2'); // appended across restarts

    const pids = supervisor.instances.map((running) => running.child!.pid);
    expect(await supervisor.stop(0)).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(readFileSync(join(dir, 'steady.log'), 'utf8')).toContain('SIGTERM: stopping');
    expect(lines.slice(-2)).toEqual(['stopping 2 service processes...', 'all services stopped']);
  });

  it('gives up, with the last log lines, on a service that never starts', async () => {
    const lines: string[] = [];
    const supervisor = supervise.createSupervisor({
      instances: [await instance('steady'), await instance('broken', { MODE: 'broken' })],
      cwd: dir,
      say: (line: string) => lines.push(line),
      warn: (line: string) => lines.push(line),
      initialBackoffMs: 100,
      startupAttempts: 3,
    });
    expect(await supervisor.start()).toBe(false);
    expect(await supervisor.done).toBe(1);
    const givenUp = lines.find((line) => line.includes('giving up'));
    expect(givenUp).toMatch(/^broken exited with code 1 3 times without ever starting; giving up\. Last lines of broken\.log:\n.*invalid configuration/);
    expect(supervisor.instances.every((running) => running.child === null)).toBe(true);
  });

  it('runs extra instances on their own ports and logs', () => {
    const instances = supervise.serviceInstances({ PARSER_INSTANCES: '3', SFTP_INGEST_INSTANCES: '2' }, '/logs');
    expect(instances.map((running) => `${running.label}:${running.port}:${running.env.SFTP_PORT ?? ''}:${running.log}`)).toEqual([
      'sftp-ingest:3001:2222:/logs/sftp-ingest.log',
      'sftp-ingest-2:3011:2223:/logs/sftp-ingest-2.log',
      'parser:3002::/logs/parser.log',
      'parser-2:3012::/logs/parser-2.log',
      'parser-3:3022::/logs/parser-3.log',
      'mapping:3003::/logs/mapping.log',
      'agent-resolution:3004::/logs/agent-resolution.log',
      'schedule-writer:3005::/logs/schedule-writer.log',
      'config-api:3000::/logs/config-api.log',
    ]);
    expect(supervise.serviceInstances({ INSTANCES: '2', MAPPING_INSTANCES: '1' }, '/logs').map((running) => running.label)).toEqual([
      'sftp-ingest', 'sftp-ingest-2', 'parser', 'parser-2', 'mapping', 'agent-resolution', 'agent-resolution-2', 'schedule-writer', 'schedule-writer-2', 'config-api', 'config-api-2',
    ]);
    expect(() => supervise.serviceInstances({ PARSER_INSTANCES: '0' }, '/logs')).toThrow('invalid PARSER_INSTANCES=0: must be a whole number from 1 to 9');
  });
});
