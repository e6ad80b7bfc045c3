import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A section of bench/runtime.ts run alone, on an embedded PostgreSQL of its own, when its file is
 * the script Node was started with (`node --conditions=react-server --import tsx bench/<file>.ts`).
 * `section` is its BENCH_ONLY name; BENCH_ONLY set by the caller still wins.
 */
export function runRuntimeSectionWhenMain(moduleUrl: string, section: string): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  runAlone(section).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

async function runAlone(section: string): Promise<void> {
  const { startEmbeddedPostgres } = await import('@/server/db/embedded');
  const { runtimeBenchmarks } = await import('@/bench/runtime');
  const dir = mkdtempSync(path.join(tmpdir(), `pipewright-bench-${section}-`));
  chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
  const database = await startEmbeddedPostgres({
    databaseDir: path.join(dir, 'pg'),
    password: 'bench-password-1234',
    // BENCH_PG_STATEMENTS=1: pg_stat_statements loaded, for the sections that report statements (7c).
    // BENCH_PG_SETTINGS='{"wal_compression":"lz4"}': more server settings (JSON), to compare a setting.
    settings: {
      ...(process.env.BENCH_PG_STATEMENTS
        ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' }
        : {}),
      ...(JSON.parse(process.env.BENCH_PG_SETTINGS ?? '{}') as Record<string, string>),
    },
  });
  try {
    process.env.BENCH_ONLY ??= section;
    // What npm start hands the app's processes now (scripts/lib/prepare-database.ts).
    if (database.socketUrl) process.env.BENCH_DATABASE_SOCKET_URL ??= database.socketUrl;
    await runtimeBenchmarks({ url: database.url });
  } finally {
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
