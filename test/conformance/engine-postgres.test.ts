import { systemSpawn } from '../../src/process/run-tool.js';
import { PostgresEngine } from '../../src/engines/postgres/postgres-engine.js';
import { createDb, dropDb, ident, pgQuery, uniqueName } from '../helpers/pg.js';
import { runEngineSuite } from './engine.suite.js';

runEngineSuite({
  name: 'PostgresEngine',
  createEngine: () =>
    new PostgresEngine({
      connection: { socket: '/var/run/postgresql' },
      spawn: systemSpawn,
      env: process.env,
    }),
  seed: async (name) => {
    await createDb(name);
    await pgQuery(name, `CREATE TABLE ${ident('items')} (id int PRIMARY KEY, label text)`);
    await pgQuery(name, `INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  },
  drop: dropDb,
  uniqueName: () => uniqueName('dbb_conf'),
});
