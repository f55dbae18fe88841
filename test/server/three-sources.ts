import { SOURCE_SECRET, cursorSource, failingSource, globalConfig } from './config.js';
import { startHel, type HelProcess } from './hel-process.js';
import { startCursorApi, startFailingApi, type LoopbackApi } from './loopback-apis.js';

/**
 * A running `hel run` with the API behind a token and three sources: a healthy cursor source, one
 * answering 500 (failing), and one answering 401 whose circuit opens after two polls.
 */
export async function startThreeSources(dir: string, names: { ok: string; failing: string; circuitOpen: string }): Promise<{ hel: HelProcess; apis: LoopbackApi[] }> {
  const apis = await Promise.all([startCursorApi(), startFailingApi(500), startFailingApi(401)]);
  const [cursor, broken, denied] = apis;
  process.env.AUDIT_API_TOKEN = SOURCE_SECRET;
  const hel = await startHel(dir, {
    global: globalConfig(dir, { token_env: 'HEL_TEST_API_TOKEN' }),
    sources: { [names.ok]: cursorSource(cursor), [names.failing]: failingSource(broken, 1000), [names.circuitOpen]: failingSource(denied, 2) },
  });
  return { hel, apis };
}
