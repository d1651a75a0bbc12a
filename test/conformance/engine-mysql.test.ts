// The DumpEngine conformance suite against the local MariaDB (MySQL proper is not installable here).
import { systemSpawn } from '../../src/process/run-tool.js';
import { MysqlEngine } from '../../src/engines/mysql/mysql-engine.js';
import { createDb, dropDbs, ident, myQuery, socketPath, uniqueName } from '../helpers/mysql.js';
import { runEngineSuite } from './engine.suite.js';

runEngineSuite({
  name: 'MysqlEngine (MariaDB)',
  createEngine: () =>
    new MysqlEngine({
      connection: { socket: socketPath, user: 'root' },
      spawn: systemSpawn,
      env: process.env,
    }),
  seed: async (name) => {
    await createDb(name);
    await myQuery(`CREATE TABLE ${ident(name)}.items (id INT PRIMARY KEY, label TEXT)`);
    await myQuery(`INSERT INTO ${ident(name)}.items VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  },
  drop: (name) => dropDbs(name),
  uniqueName: () => uniqueName('dbb_myconf'),
});
