/** The only file that listens: 127.0.0.1 unless told otherwise. */
import { buildApp, type AppOptions } from './app.js';

export async function serve(opts: AppOptions & { host?: string; port?: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const app = buildApp(opts);
  const url = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
  return { url, close: () => app.close() };
}
