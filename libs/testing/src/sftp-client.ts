import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClientKey {
  privateKeyPath: string;
  line: string;
  fingerprint: string;
}

/** `ssh-keygen -t ed25519 -N ''`, as a BPO would make its key. */
export function generateClientKey(dir: string, name: string): ClientKey {
  const privateKeyPath = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKeyPath]);
  const line = readFileSync(`${privateKeyPath}.pub`, 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${privateKeyPath}.pub`], { encoding: 'utf8' }).split(' ')[1];
  return { privateKeyPath, line, fingerprint };
}

export interface BatchResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs OpenSSH's `sftp -b` with key authentication, from `cwd` (where local files are); killed after `timeoutMs` (default 60 s). */
export function sftpBatch(options: { port: number; username: string; key: ClientKey; cwd: string; commands: string[]; timeoutMs?: number }): Promise<BatchResult> {
  const batchFile = join(options.cwd, `batch-${Date.now()}-${Math.random().toString(16).slice(2)}.txt`);
  writeFileSync(batchFile, `${options.commands.join('\n')}\n`);
  const args = [
    '-b', batchFile,
    '-i', options.key.privateKeyPath,
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'PasswordAuthentication=no',
    '-o', 'LogLevel=ERROR',
    '-P', String(options.port),
    `${options.username}@127.0.0.1`,
  ];
  return new Promise((resolve) => {
    execFile('sftp', args, { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

