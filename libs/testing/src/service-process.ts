import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testInfrastructure } from './infrastructure';

const repoRoot = join(__dirname, '..', '..', '..');

/** The V8 flags of a service's process, as `npm start` gives them (scripts/node-flags.js: plain JS, shared with it). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serviceNodeFlags } = require(join(repoRoot, 'scripts', 'node-flags.js')) as { serviceNodeFlags: (service: string, env: NodeJS.ProcessEnv) => string[] };

/** A free TCP port on loopback (the OS picks; the tiny race before the service binds it is acceptable in tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServiceProcess {
  name: string;
  url: string;
  process: ChildProcess;
  /** Everything the service printed (JSON log lines). */
  output(): string;
  /** SIGTERM and wait for a graceful exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash at an arbitrary moment. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts a BUILT service (`nx build <name>` output in dist/) as its own process, exactly as
 * `npm start` does, and waits until its /health answers 200. `kafkaBrokers` points it at another
 * broker than the tests' shared one (e.g. a private broker a test restarts).
 */
export async function startServiceProcess(
  name: string,
  {
    databaseUrl,
    namespace,
    env = {},
    waitForHealth = true,
    kafkaBrokers,
  }: { databaseUrl: string; namespace: string; env?: Record<string, string>; waitForHealth?: boolean; kafkaBrokers?: string },
): Promise<ServiceProcess> {
  const port = await freePort();
  const outDir = join(repoRoot, 'dist', 'apps', name);
  // Services run with the V8 flags `npm start` gives them (scripts/node-flags.js).
  const heap = serviceNodeFlags(name, process.env);
  // BPO_CPU_PROF_DIR=<dir>: each service writes a V8 CPU profile there when it stops (for finding hot spots).
  const profile = process.env.BPO_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BPO_CPU_PROF_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...heap, ...profile, join(repoRoot, 'scripts', 'run.js'), outDir, join(outDir, 'apps', name, 'src', 'main.js')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      KAFKA_BROKERS: kafkaBrokers ?? testInfrastructure().kafkaBrokers,
      DATABASE_URL: databaseUrl,
      KAFKA_TOPIC_NAMESPACE: namespace,
      HTTP_PORT: String(port),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'log',
      // Every test file has its own topics on one broker: 3 partitions each keep their number (and
      // the broker's start-up after a crash) small; the production default is 12.
      KAFKA_TOPIC_PARTITIONS: process.env.TEST_TOPIC_PARTITIONS ?? '3',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => (alive = false));
  const url = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name,
    url,
    process: child,
    output: () => output,
    exited,
    stop: async () => {
      if (alive) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (alive) child.kill('SIGKILL');
      await exited;
    },
  };
  if (!waitForHealth) return service;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (!alive) throw new Error(`${name} exited before it was healthy:\n${output.slice(-3000)}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) return service;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await service.kill();
  throw new Error(`${name} was not healthy within 90 s:\n${output.slice(-3000)}`);
}
