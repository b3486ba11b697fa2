import { runCli } from './file-check';

runCli(process.argv.slice(2), process.stdout, process.stderr).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`bpo-sync: ${error.stack ?? error.message}\n`);
    process.exitCode = 2;
  },
);
