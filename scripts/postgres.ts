/**
 * Local PostgreSQL for the four services, without Docker.
 *
 *   npm run db:setup             find or start PostgreSQL, create the service databases
 *   npm run db:setup -- status   which server would be used
 *   npm run db:setup -- stop     stop the private cluster (if one runs)
 *
 * The server is DATABASE_URL, else 127.0.0.1:5432, else a private initdb cluster on port 55432
 * (see libs/local-infra/src/postgres-runtime.ts).
 */
import {
  databaseUrl,
  ensureDatabase,
  postgresAnswers,
  privatePostgresDir,
  resolvePostgres,
  stopPrivatePostgres,
  PRIVATE_POSTGRES_PORT,
} from '../libs/local-infra/src/postgres-runtime';

const SERVICE_DATABASES = [
  'waybill_order',
  'waybill_inventory',
  'waybill_payment',
  'waybill_logistics',
  'waybill_channels',
] as const;

async function setup(): Promise<number> {
  const postgres = await resolvePostgres();
  const where = {
    env: 'DATABASE_URL',
    local: 'the server on 127.0.0.1:5432',
    private: `the private cluster in ${postgres.dataDir ?? privatePostgresDir()}`,
  }[postgres.source];
  console.log(`PostgreSQL: ${where} (${redact(postgres.adminUrl)})`);
  for (const name of SERVICE_DATABASES) {
    const created = await ensureDatabase(postgres.adminUrl, name);
    console.log(`  ${created ? 'created' : 'exists '}  ${redact(databaseUrl(postgres.adminUrl, name))}`);
  }
  if (postgres.startedByUs) {
    console.log('The private PostgreSQL keeps running; stop it with `npm run db:setup -- stop`.');
  }
  return 0;
}

async function status(): Promise<number> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    console.log(
      `DATABASE_URL: ${redact(fromEnv)} — ${(await postgresAnswers(fromEnv)) ? 'answers' : 'does not answer'}`,
    );
  }
  const local = await postgresAnswers('postgres://postgres@127.0.0.1:5432/postgres');
  console.log(`127.0.0.1:5432: ${local ? 'answers' : 'no server'}`);
  const privateUp = await postgresAnswers(`postgres://postgres@127.0.0.1:${PRIVATE_POSTGRES_PORT}/postgres`);
  console.log(
    `private cluster (${privatePostgresDir()}, port ${PRIVATE_POSTGRES_PORT}): ${privateUp ? 'running' : 'stopped'}`,
  );
  return 0;
}

async function stop(): Promise<number> {
  console.log(
    (await stopPrivatePostgres())
      ? 'Stopped the private PostgreSQL.'
      : 'The private PostgreSQL is not running.',
  );
  return 0;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return url;
  }
}

const commands: Record<string, () => Promise<number>> = { setup, status, stop };
const command = process.argv[2] ?? 'setup';
const run = commands[command];
if (!run) {
  console.error(`usage: ts-node scripts/postgres.ts [${Object.keys(commands).join('|')}]`);
  process.exit(2);
}
run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
