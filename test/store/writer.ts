/** A real writer process for the durability test: records migrations until it is killed. */
import { openStore } from '../../src/store/store.js';
import { fakeRecord } from './fixtures.js';

const store = await openStore(process.argv[2]);
for (let i = 0; ; i++) {
  await store.recordMigration(fakeRecord(i, 200));
  process.stdout.write(`committed ${i + 1}\n`);
}
