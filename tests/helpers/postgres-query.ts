/** One connection to a PostgreSQL database for the length of `use` (tests and the bench read state with it). */
import postgres from 'postgres';

export async function queryDatabase<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}
