// config/nginx-cdn.conf in front of a real origin: what a CDN engineer checks. Lifetimes come from the
// origin (404 until due, 410, 503 while shedding, manifests for 1 s and revalidated with a 304), and
// concurrent requests for a held segment reach the origin once and all get the segment when it lands.
//
//   node tests/e2e/cdn.mjs --origin build/live-origin

import path from 'node:path';
import { parseArgs } from 'node:util';

import { Stack, poll, repoRoot } from '../../tools/stack.mjs';

const { values: options } = parseArgs({
  options: {
    origin: { type: 'string', default: path.join(repoRoot, 'build', 'live-origin') },
    config: { type: 'string', default: path.join(repoRoot, 'config', 'origin.toml') },
  },
});

const stack = new Stack({ origin: options.origin, config: options.config, streams: [] });
const failures = [];
const check = (ok, message) => { if (!ok) failures.push(message); };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const put = async (object, body) => {
  const reply = await fetch(`http://${stack.ingest}/demo/cdn/${object}`, { method: 'PUT', body });
  if (reply.status >= 300) throw new Error(`PUT ${object}: ${reply.status}`);
};
const admin = (route, body) => fetch(`${stack.adminUrl}${route}`, { method: body ? 'PUT' : 'GET', body: body && JSON.stringify(body) });
async function viaCdn(object) {
  const reply = await fetch(`${stack.cdnUrl}/demo/cdn/${object}`);
  return { status: reply.status, cache: reply.headers.get('x-cache-status'), cacheControl: reply.headers.get('cache-control'),
           body: await reply.text() };
}
const released = async () => (await stack.metric('live_origin_held_requests_total'))['outcome="released"'];
const segment = (n) => `seg-${n}.m4s`;

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, async () => { await stack.stop(); process.exit(2); });

try {
  await stack.start();
  // Segment n is due at start + (n + 1) s: the live edge is 9, segment 10 is due in 500 ms and may
  // arrive up to 5 s after that (the retry budget): room for a loaded machine.
  const reply = await admin('/streams/demo/cdn', { segment_duration_ms: 1000, start_number: 0, retry_budget_ms: 5000,
                                                   availability_start_ms: Date.now() - 10500 });
  check(reply.ok, `PUT /streams/demo/cdn: ${reply.status}`);
  await put(segment(5), 'five');  // well behind the edge by the end: a DVR read

  // A segment ahead of the edge: 404 cached until just before it is due.
  const ahead = [await viaCdn(segment(14)), await viaCdn(segment(14))];
  check(ahead[0].status === 404 && /max-age=[1-9]/.test(ahead[0].cacheControl), `ahead: ${JSON.stringify(ahead[0])}`);
  check(ahead[1].status === 404 && ahead[1].cache === 'HIT', `ahead, again: ${JSON.stringify(ahead[1])}`);

  // A segment that missed its deadline: 410, cached.
  const gone = [await viaCdn(segment(3)), await viaCdn(segment(3))];
  check(gone[0].status === 410 && gone[1].status === 410 && gone[1].cache === 'HIT', `gone: ${JSON.stringify(gone)}`);

  // Three viewers ask for the next segment before it lands: one request reaches the origin (held there),
  // the others wait on nginx's cache lock; all get the bytes once the packager's PUT completes.
  const heldBefore = await released();
  const viewers = [viaCdn(segment(10)), viaCdn(segment(10)), viaCdn(segment(10))];
  await poll('the first viewer to be held at the origin', async () => (await stack.metric('live_origin_held_requests'))[''] === 1,
             { timeoutMs: 5000, intervalMs: 20 });
  await put(segment(10), 'ten');
  const answers = await Promise.all(viewers);
  check(answers.every((a) => a.status === 200 && a.body === 'ten'), `held viewers: ${JSON.stringify(answers)}`);
  check(answers.filter((a) => a.cache === 'MISS').length === 1, `exactly one MISS: ${JSON.stringify(answers)}`);
  const releasedNow = (await released()) - heldBefore;
  check(releasedNow === 1, `the origin held ${releasedNow} requests for the segment, not 1`);
  const held = await viaCdn(segment(10));
  check(held.cache === 'HIT' && held.cacheControl === 'public, max-age=3600', `segment after: ${JSON.stringify(held)}`);

  // Manifests live 1 s at the edge. Once expired, concurrent viewers get the previous version while one
  // background request refreshes it; an unchanged one is revalidated (a 304 from the origin).
  await put('manifest.mpd', '<MPD v1/>');
  const first = [await viaCdn('manifest.mpd'), await viaCdn('manifest.mpd')];
  check(first[0].body === '<MPD v1/>' && first[1].cache === 'HIT', `manifest: ${JSON.stringify(first)}`);
  await sleep(2100);  // the manifest's max-age=1 is what is being tested: let it pass
  const requests = () => stack.metric('live_origin_http_requests_total');
  const deliveryRequests = async () => Object.entries(await requests())
    .filter(([labels]) => labels.startsWith('listener="delivery"')).reduce((sum, [, n]) => sum + n, 0);
  const notModified = async () => (await requests())['listener="delivery",method="GET",code="304",tenant="demo"'];
  const before = await deliveryRequests();
  const expired = await Promise.all([viaCdn('manifest.mpd'), viaCdn('manifest.mpd'), viaCdn('manifest.mpd')]);
  check(expired.every((a) => a.body === '<MPD v1/>'), `expired manifest: ${JSON.stringify(expired)}`);
  await poll('the background refresh', async () => (await viaCdn('manifest.mpd')).cache === 'HIT',
             { timeoutMs: 3000, intervalMs: 50 });
  check((await deliveryRequests()) - before === 1, `the origin got ${(await deliveryRequests()) - before} requests for an expired manifest, not 1`);
  check((await notModified()) === 1, `the unchanged manifest was not revalidated with a 304: ${await notModified()}`);
  await put('manifest.mpd', '<MPD v2/>');
  const updated = await poll('the CDN to serve the new manifest', async () => {
    const answer = await viaCdn('manifest.mpd');
    return answer.body === '<MPD v2/>' && answer;
  }, { timeoutMs: 4000, intervalMs: 100 });
  check(['HIT', 'STALE', 'UPDATING', 'EXPIRED'].includes(updated.cache), `updated: ${JSON.stringify(updated)}`);

  // Shedding drill: a DVR read gets 503 with max-age=5, and the edge keeps it (the origin is not asked again).
  check((await admin('/streams/demo/cdn', { force_shedding: true })).ok, 'force_shedding');
  const shed = [await viaCdn(segment(5)), await viaCdn(segment(5))];
  check(shed[0].status === 503 && shed[0].cacheControl === 'public, max-age=5', `shed: ${JSON.stringify(shed[0])}`);
  check(shed[1].status === 503 && shed[1].cache === 'HIT', `shed, again: ${JSON.stringify(shed[1])}`);
} catch (error) {
  failures.push(error.stack || String(error));
}

await stack.stop();
if (failures.length) {
  console.log(`FAILED (cdn):\n- ${failures.join('\n- ')}\nlogs in ${stack.workDir}`);
  process.exit(1);
}
stack.removeWorkDir();
console.log('PASSED (cdn: 404/410/503 and manifests cached as the origin says, one origin request per held segment)');
