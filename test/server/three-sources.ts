import { SOURCE_SECRET, cursorSource, failingSource, globalConfig } from '../helpers/server-config.js';
import { type Daemon, startDaemon } from '../helpers/hel-process.js';
import type { Cleanups } from '../helpers/loopback.js';
import { startCursorApi, startFailingApi, type LoopbackApi } from '../helpers/loopback-apis.js';

/**
 * A running `hel run` with the API behind a token and three sources: a healthy cursor source, one
 * answering 500 (failing), and one answering 401 whose circuit opens after two polls.
 */
export async function startThreeSources(t: Cleanups, dir: string, names: { ok: string; failing: string; circuitOpen: string }): Promise<{ hel: Daemon; apis: LoopbackApi[] }> {
  const apis = await Promise.all([startCursorApi(t), startFailingApi(t, 500), startFailingApi(t, 401)]);
  const [cursor, broken, denied] = apis;
  process.env.AUDIT_API_TOKEN = SOURCE_SECRET;
  const hel = await startDaemon(dir, {
    global: globalConfig(dir, { token_env: 'HEL_TEST_API_TOKEN' }),
    sources: { [names.ok]: cursorSource(cursor), [names.failing]: failingSource(broken, 1000), [names.circuitOpen]: failingSource(denied, 2) },
  });
  return { hel, apis };
}
