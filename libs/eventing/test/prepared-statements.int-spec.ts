import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@waybill/testing';
import { preparingClient, StatementNames } from '../src/persistence/prepared-statements';

describe('prepared statements (TypeORM over the PreparingClient, real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let names: StatementNames;

  beforeEach(async () => {
    database = await createTestDatabase('evt_prepared');
    names = new StatementNames(3);
    // One connection, so every statement below runs on the session whose prepared statements we read.
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      extra: { max: 1, Client: preparingClient(names) },
    }).initialize();
    await dataSource.query('CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)');
  });

  afterEach(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  async function preparedTexts(): Promise<string[]> {
    const rows: Array<{ statement: string }> = await dataSource.query(
      'SELECT statement FROM pg_prepared_statements ORDER BY prepare_time',
    );
    return rows.map((row) => row.statement);
  }

  it('prepares each parameterised text once per connection and runs it again by name with new values', async () => {
    const insert = 'INSERT INTO items (id, label) VALUES ($1, $2) RETURNING label';
    expect(await dataSource.query(insert, [1, 'one'])).toEqual([{ label: 'one' }]);
    expect(await dataSource.query(insert, [2, 'two'])).toEqual([{ label: 'two' }]);
    const select = 'SELECT label FROM items WHERE id = $1';
    expect(await dataSource.query(select, [2])).toEqual([{ label: 'two' }]);
    expect(await dataSource.query(select, [1])).toEqual([{ label: 'one' }]);

    expect(await preparedTexts()).toEqual([insert, select]);
  });

  it('leaves statements without parameters, and texts beyond the limit, unnamed', async () => {
    for (const id of [1, 2, 3, 4, 5]) {
      await dataSource.query(`SELECT ${id} AS n WHERE $1::int > 0`, [id]);
    }
    await dataSource.query('SELECT count(*) FROM items');

    expect(await preparedTexts()).toHaveLength(3);
    expect(names.size).toBe(3);
  });

  it('inside a transaction, rolls back like any statement', async () => {
    const insert = 'INSERT INTO items (id, label) VALUES ($1, $2)';
    await dataSource.transaction(async (manager) => {
      await manager.query(insert, [1, 'kept']);
    });
    // First prepared inside the transaction that fails: it outlives the rollback, as the session's.
    const count = 'SELECT count(*)::int AS n FROM items WHERE id >= $1';
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.query(insert, [2, 'rolled back']);
        expect(await manager.query(count, [0])).toEqual([{ n: 2 }]);
        await manager.query(insert, [1, 'duplicate key']);
      }),
    ).rejects.toMatchObject({ code: '23505' });

    expect(await dataSource.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }]);
    expect(await dataSource.query(count, [0])).toEqual([{ n: 1 }]);
  });

  it('after a migration changes the columns a prepared statement returns, fails once and then prepares it again', async () => {
    const read = 'SELECT * FROM items WHERE id = $1';
    await dataSource.query('INSERT INTO items (id, label) VALUES (1, $1)', ['one']);
    expect(await dataSource.query(read, [1])).toEqual([{ id: 1, label: 'one' }]);

    await dataSource.query("ALTER TABLE items ADD COLUMN colour text NOT NULL DEFAULT 'red'");

    await expect(dataSource.query(read, [1])).rejects.toThrow(/cached plan must not change result type/);
    expect(await dataSource.query(read, [1])).toEqual([{ id: 1, label: 'one', colour: 'red' }]);
  });
});
