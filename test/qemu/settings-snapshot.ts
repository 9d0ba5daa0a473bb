/** What the settings tests compare before with after: every migration capability and parameter QEMU reports. */
import type { QmpClient } from '../../src/hypervisor/qemu/qmp.js';

export async function allSettings(qmp: QmpClient): Promise<{ caps: unknown; params: unknown }> {
  return { caps: await qmp.execute('query-migrate-capabilities'), params: await qmp.execute('query-migrate-parameters') };
}
