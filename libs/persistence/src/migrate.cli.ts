// `npm run migrate`: applies pending migrations to DATABASE_URL. Run once before services start.
import 'reflect-metadata';
import { runMigrations } from './data-source';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const ran = await runMigrations(url);
  process.stdout.write(`${JSON.stringify({ level: 'log', service: 'migrate', message: ran.length ? `applied ${ran.join(', ')}` : 'schema is up to date' })}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`migrate: ${error.message}\n`);
  process.exit(1);
});
