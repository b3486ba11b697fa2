import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@bpo/testing';

const repoRoot = join(__dirname, '..', '..', '..');

/**
 * A single-node Kafka broker of one test's own (never the shared one), run by deploy/kafka/kafka.sh
 * in a data folder under /tmp with free ports: started, SIGKILLed, started again, stopped.
 * The broker's jars are linked from KAFKA_LIBS_DIR, else from the shared stack's data folder
 * (BPO_DATA_DIR or <repo>/.data, or the main checkout's when this is a worktree), else fetched.
 */
export class PrivateKafka {
  readonly dir = mkdtempSync(join(tmpdir(), 'private-kafka-'));
  private constructor(readonly port: number, readonly controllerPort: number) {}

  static async create(): Promise<PrivateKafka> {
    const kafka = new PrivateKafka(await freePort(), await freePort());
    mkdirSync(join(kafka.dir, 'kafka'), { recursive: true });
    const libs = [process.env.KAFKA_LIBS_DIR, process.env.BPO_DATA_DIR && join(process.env.BPO_DATA_DIR, 'kafka', 'libs'), join(repoRoot, '.data', 'kafka', 'libs'), mainCheckoutLibs()].find(
      (candidate): candidate is string => !!candidate && existsSync(join(candidate, '.stamp')),
    );
    if (libs) symlinkSync(libs, join(kafka.dir, 'kafka', 'libs'));
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  private script(command: 'start' | 'stop') {
    const result = spawnSync('bash', [join(repoRoot, 'deploy', 'kafka', 'kafka.sh'), command], {
      encoding: 'utf8',
      env: { ...process.env, BPO_DATA_DIR: this.dir, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.controllerPort), KAFKA_START_TIMEOUT: '150' },
    });
    if (result.status !== 0) throw new Error(`private kafka ${command} failed: ${result.stderr}`);
    return result;
  }

  /** Starts the broker (formats its storage the first time) and waits until it answers. */
  start(): void {
    this.script('start');
  }

  /** A crash: SIGKILL to the broker's JVM. */
  kill(): void {
    const pidFile = join(this.dir, 'kafka', 'kafka.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    // Wait until the process is gone, so its ports are free for the restart.
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i += 1) spawnSync('sleep', ['0.1']);
  }

  stop(): void {
    try {
      this.script('stop');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** In a git worktree, the main checkout's .data/kafka/libs (where `npm run stack:up` fetched the jars). */
function mainCheckoutLibs(): string | undefined {
  const common = spawnSync('git', ['-C', repoRoot, 'rev-parse', '--path-format=absolute', '--git-common-dir'], { encoding: 'utf8' });
  if (common.status !== 0) return undefined;
  return join(common.stdout.trim(), '..', '.data', 'kafka', 'libs');
}
