/**
 * A real writer process for the store's multi-process tests.
 *   writer.ts DB                    records migrations of 200 rounds until killed ("committed N" after each)
 *   writer.ts DB1,DB2,.. open AT    opens DBi (creating it) at the epoch millisecond AT + 400 i, and prints
 *                                   [{"ok":true} or {"ok":false,"error":message}, ...]
 *   writer.ts DB mix AT SECONDS TAG from AT for SECONDS writes samples and migrations (VMs shared with the other
 *                                   writers), then prints {"samples":[ids],"migrations":[ids],"errors":[messages]}
 */
import { openStore } from '../../src/store/store.js';
import { fakeRecord } from './fixtures.js';

const [db, mode = 'durability', at, seconds, tag] = process.argv.slice(2);
const waitUntil = async (ms: number) => {
  while (Date.now() < ms) await new Promise((r) => setTimeout(r, Math.min(5, ms - Date.now())));
};

if (mode === 'durability') {
  const store = await openStore(db);
  for (let i = 0; ; i++) {
    await store.recordMigration(fakeRecord(i, 200));
    process.stdout.write(`committed ${i + 1}\n`);
  }
} else if (mode === 'open') {
  const results: { ok: boolean; error?: string }[] = [];
  for (const [i, one] of db.split(',').entries()) {
    await waitUntil(Number(at) + 400 * i);
    try {
      const store = await openStore(one);
      await store.close();
      results.push({ ok: true });
    } catch (e) {
      results.push({ ok: false, error: (e as Error).message });
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
} else if (mode === 'mix') {
  const samples: string[] = [];
  const migrations: string[] = [];
  const errors: string[] = [];
  await waitUntil(Number(at));
  const store = await openStore(db);
  const end = Date.now() + Number(seconds) * 1000;
  for (let i = 0; Date.now() < end; i++) {
    // New VMs appear under both writers at once: vm-<i> is first sampled by whichever gets there first.
    const vmId = `vm-${Math.floor(i / 4)}`;
    try {
      if (i % 4 === 3) {
        const r = fakeRecord(i, 6);
        r.config.params = { vm: vmId };
        await store.recordMigration(r);
        migrations.push(r.id);
      } else {
        const id = `${tag}-sample-${i}`;
        const { created } = await store.recordSample(vmId, fakeRecord(i).sample, { id, source: tag });
        if (!created) errors.push(`sample ${id}: not created`);
        samples.push(id);
      }
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ samples, migrations, errors })}\n`);
} else {
  throw new Error(`writer.ts: unknown mode ${mode}`);
}
