// End to end with real clients: two ffmpeg pipelines publish to live-origin, nginx caches as the CDN, and
// hls.js or dash.js plays the stream in headless Chromium. Passes when playback starts, currentTime
// advances for the whole watch, no stall is longer than one segment, the player reports no error, and
// (with --failover) killing pipeline a mid-playback changes nothing for the viewer while the origin's
// metrics show segments now served from b. With --impair, pipeline a drops frames for 8 s, as a glitching
// input makes an encoder do; the origin finds those segments short by itself (ffmpeg reports nothing), every
// one of them fetched through the CDN comes from b without a defect, and playback does not stall. For HLS,
// the playlist fetched through the CDN every 200 ms never lists an older last segment than the fetch before it.
//
//   node tests/e2e/playback.mjs --origin build/live-origin --format hls-ts --failover
//
// Exits 0 on success, 1 with the reasons and the tails of every log otherwise. Every process it starts
// runs in its own process group and is killed on the way out, whatever the outcome.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { Stack, formats, poll, repoRoot, segmentSeconds } from '../../tools/stack.mjs';

const { values: options } = parseArgs({
  options: {
    origin: { type: 'string', default: path.join(repoRoot, 'build', 'live-origin') },
    config: { type: 'string', default: path.join(repoRoot, 'config', 'origin.toml') },
    format: { type: 'string', default: 'hls-ts' },
    failover: { type: 'boolean', default: false },
    impair: { type: 'boolean', default: false },
    // Also run a third ffmpeg publishing to a tenant that does not exist: ffmpeg ignores the 404s, so the
    // origin's metrics and log must show them.
    'refused-publisher': { type: 'boolean', default: false },
    'watch-seconds': { type: 'string', default: '24' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    keep: { type: 'boolean', default: false },  // keep the work directory (logs) even on success
  },
});
if (!formats[options.format]) throw new Error(`--format: one of ${Object.keys(formats).join(', ')}`);

const require = createRequire(path.join(repoRoot, 'player', 'package.json'));
const { chromium } = require('playwright-core');

const watchSeconds = Number(options['watch-seconds']);
const stream = 'e2e';
const failures = [];
const check = (ok, message) => { if (!ok) failures.push(message); };

// Pipeline a's input glitches from 8 s to 16 s of its timeline: the middle 1.2 s of each 2 s segment is
// lost, timestamps kept (one video sample then lasts 31 frames). Keyframes stay on the segment boundaries, so
// both pipelines still cut the same segments. The window lies inside what the player watches.
const impairment = ['-vf', "select='not(between(t,8,16)*between(mod(t,2),0.4,1.6))'", '-fps_mode', 'passthrough',
                    '-force_key_frames', 'expr:gte(t,n_forced*2)'];

const served = async (stack) => {
  const values = await stack.metric('live_origin_segments_served_total');
  return { a: values['tenant="demo",pipeline="a"'] ?? 0, b: values['tenant="demo",pipeline="b"'] ?? 0 };
};

// The number of the last media segment an HLS playlist lists (the last run of digits in the last URI's file
// name without its extension, as the origin numbers segments: the 4 of .m4s is not one); -1 when it lists none.
function lastListedSegment(playlist) {
  let last = -1;
  for (const line of playlist.split('\n')) {
    const uri = line.trim();
    if (!uri || uri.startsWith('#')) continue;
    const match = /(\d+)\D*$/.exec(uri.split('?')[0].split('/').pop().replace(/\.[^.]*$/, ''));
    if (match) last = Number(match[1]);
  }
  return last;
}

// Fetches the playlist through the CDN as a player reloads it, until stopped, and records every time one
// lists an older last segment than the one fetched before (issue 22: a playlist never goes backwards). Only
// HLS playlists list their segments; the DASH muxer's $Number$ template MPD (-use_timeline 0) lists none.
function watchPlaylist(stack, intervalMs = 200) {
  const watch = { fetches: 0, newest: -1, backwards: [], running: true };
  watch.done = (async () => {
    while (watch.running) {
      try {
        const reply = await fetch(stack.cdnUrl + stack.manifestPath(stream));
        if (reply.ok) {
          const listed = lastListedSegment(await reply.text());
          ++watch.fetches;
          if (listed < watch.newest)
            watch.backwards.push(`${watch.newest} -> ${listed} (cache ${reply.headers.get('x-cache-status')}, ` +
                                 `pipeline ${reply.headers.get('x-origin-pipeline')})`);
          watch.newest = Math.max(watch.newest, listed);
        }
      } catch { /* a failed fetch is the player checks' business */ }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  watch.stop = async () => { watch.running = false; await watch.done; };
  return watch;
}

// Polls the stream's status for pipeline a's defective segments, as the origin finds them, and fetches each
// through the CDN at once, as a viewer would: it must come from b, with no defect listed.
function watchDefects(stack, intervalMs = 250) {
  const watch = { found: new Map(), problems: [], running: true };
  const check = async (object) => {
    const reply = await fetch(`${stack.cdnUrl}/demo/${stream}/${object}`);
    await reply.arrayBuffer();
    const pipeline = reply.headers.get('x-origin-pipeline');
    const defects = reply.headers.get('x-origin-defects');
    if (reply.status !== 200 || pipeline !== 'b' || defects)
      watch.problems.push(`${object}: ${reply.status} from pipeline ${pipeline}, defects ${defects} ` +
                          `(cache ${reply.headers.get('x-cache-status')})`);
  };
  watch.done = (async () => {
    while (watch.running) {
      try {
        const status = await (await fetch(`${stack.adminUrl}/streams/demo/${stream}`)).json();
        for (const report of status.pipelines?.a?.recent_defects ?? []) {
          if (watch.found.has(report.object)) continue;
          watch.found.set(report.object, `${report.defects}: ${report.found}`);
          await check(report.object);
        }
      } catch (error) {
        watch.problems.push(`checking a defective segment: ${error.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  watch.stop = async () => { watch.running = false; await watch.done; };
  return watch;
}

function tail(file, lines = 25) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(none)';
  }
}

const stack = new Stack({ origin: options.origin, config: options.config,
                          streams: [{ name: stream, format: options.format }],
                          pipelineOptions: options.impair ? { a: impairment } : {} });
let browser;
let page;
let stopping = false;
async function finish(code) {
  if (stopping) return;
  stopping = true;
  if (browser) await browser.close().catch(() => {});
  await stack.stop();
  if (code === 0 && !options.keep) stack.removeWorkDir();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => finish(2));

try {
  await stack.start();
  console.log(`${options.format}: origin ${stack.delivery}, CDN ${stack.cdnUrl}, logs in ${stack.workDir}`);
  if (options['refused-publisher']) stack.startPipeline(stream, options.format, 'a', 0, 'nosuchtenant');
  // The stream exists once the first manifest reached the origin through the CDN path. The deadline is
  // ffmpeg's, not the origin's: its first start on a cold, busy CI machine once took 14 s to the first PUT.
  const publishStart = Date.now();
  await poll('the first manifest', async () => (await fetch(stack.cdnUrl + stack.manifestPath(stream))).ok,
             { timeoutMs: 60000, intervalMs: 250 });
  console.log(`first manifest through the CDN after ${Date.now() - publishStart} ms`);

  browser = await chromium.launch({
    executablePath: options.chromium,
    // As root and on a closed network: no sandbox, and no background calls to Google's services.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  page = await browser.newPage();
  page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
  await page.goto(stack.playerUrl(stream));
  const engine = await page.evaluate(() => window.playback.engine);
  await page.waitForFunction(() => window.playback.started || window.playback.errors.length > 0, null,
                             { timeout: 30000, polling: 100 });
  const startedAt = await page.evaluate(() => video.currentTime);
  console.log(`${engine}: playback started at ${startedAt.toFixed(2)} s`);

  // Watch: sample the position each second; kill pipeline a a third of the way in. Meanwhile the playlist is
  // fetched through the CDN every 200 ms, as a player reloading it would.
  const playlistWatch = options.format.startsWith('hls') ? watchPlaylist(stack) : null;
  const defectWatch = options.impair ? watchDefects(stack) : null;
  const killAt = Math.floor(watchSeconds / 3);
  let servedAtKill;
  let lastPosition = startedAt;
  for (let second = 1; second <= watchSeconds; ++second) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const position = await page.evaluate(() => video.currentTime);
    if (second % 4 === 0) console.log(`  ${second} s: currentTime ${position.toFixed(2)} (+${(position - lastPosition).toFixed(2)})`);
    lastPosition = position;
    if (options.failover && second === killAt) {
      servedAtKill = await served(stack);
      await stack.killPipeline(stream, 'a');
      console.log(`  ${second} s: killed pipeline a (segments served so far: a=${servedAtKill.a} b=${servedAtKill.b})`);
    }
  }

  if (playlistWatch) {
    await playlistWatch.stop();
    console.log(`CDN: ${playlistWatch.fetches} playlist fetches, the newest listing segment ${playlistWatch.newest}`);
    check(playlistWatch.fetches >= watchSeconds, `only ${playlistWatch.fetches} playlist fetches through the CDN`);
    check(playlistWatch.backwards.length === 0,
          `the playlist went backwards through the CDN: ${playlistWatch.backwards.join('; ')}`);
  }

  if (defectWatch) {
    await defectWatch.stop();
    console.log(`origin: pipeline a's defective segments, each fetched through the CDN:`);
    for (const [object, found] of defectWatch.found) console.log(`  ${object} ${found}`);
    check(defectWatch.problems.length === 0, `a defective segment was served: ${defectWatch.problems.join('; ')}`);
    // 4 impaired segments; in DASH, only the video representation's are short.
    check(defectWatch.found.size >= 3, `only ${defectWatch.found.size} of pipeline a's segments found defective`);
    const derived = await stack.metric('live_origin_derived_defects_total');
    const ofB = Object.entries(derived).filter(([labels, n]) => labels.includes('pipeline="b"') && n > 0);
    check(ofB.length === 0, `defects found in the intact pipeline b: ${JSON.stringify(ofB)}`);
    const ofA = Object.entries(derived).filter(([labels, n]) => labels.includes('pipeline="a"') && n > 0);
    check(ofA.every(([labels]) => labels.includes('kind="short"')),
          `pipeline a's lost frames counted as other than short: ${JSON.stringify(ofA)}`);
  }

  const result = await page.evaluate(() => ({
    position: video.currentTime,
    errors: window.playback.errors,
    stalls: window.playback.stalls,
    waitingFor: window.playback.waitingSince === null ? 0 : performance.now() - window.playback.waitingSince,
    log: window.playback.log,
  }));
  const advanced = result.position - startedAt;
  console.log(`${engine}: currentTime advanced ${advanced.toFixed(2)} s in ${watchSeconds} s; ` +
              `stalls ${JSON.stringify(result.stalls.map((s) => Math.round(s.ms)))} ms`);
  check(advanced >= watchSeconds - 4, `currentTime advanced only ${advanced.toFixed(2)} s in ${watchSeconds} s`);
  check(result.errors.length === 0, `player errors: ${result.errors.join('; ')}`);
  const limitMs = segmentSeconds * 1000;
  for (const stall of result.stalls)
    check(stall.ms <= limitMs, `stall of ${Math.round(stall.ms)} ms at ${stall.at.toFixed(2)} s (limit ${limitMs} ms)`);
  check(result.waitingFor <= limitMs, `still stalled for ${Math.round(result.waitingFor)} ms at the end`);

  if (options.failover) {
    const after = await served(stack);
    console.log(`origin: segments served a=${after.a} b=${after.b} (at the kill: a=${servedAtKill.a} b=${servedAtKill.b})`);
    check(after.b > servedAtKill.b + 3, `the origin served no new segments from b after a was killed`);
    // Segments a delivered before it died may still be served from a (the player is behind the edge);
    // nothing a never delivered can be.
    const receivedA = (await stack.metric('live_origin_segments_received_total'))['tenant="demo",pipeline="a"'] ?? 0;
    check(after.a <= receivedA, `more segments served from a (${after.a}) than it delivered (${receivedA})`);
    const status = await (await fetch(`${stack.adminUrl}/streams/demo/${stream}`)).json();
    check(status.pipelines.b.last_segment > status.pipelines.a.last_segment,
          `pipeline b is not ahead of the killed a: ${JSON.stringify(status.pipelines)}`);
  }
  // What ffmpeg sent: nothing refused (an upload cut off by the kill aside), and old segments DELETEd.
  const refused = await stack.metric('live_origin_http_rejections_total');
  const unknownTenant = refused['listener="ingest",reason="unknown_tenant"'] ?? 0;
  const ingestRefusals = Object.entries(refused).filter(([labels, n]) => labels.includes('"ingest"') && n > 0 &&
                                                        !labels.includes('incomplete_body') &&
                                                        !(options['refused-publisher'] && labels.includes('unknown_tenant')));
  check(ingestRefusals.length === 0, `the origin refused ffmpeg's uploads: ${JSON.stringify(ingestRefusals)}`);
  const originLog = fs.readFileSync(stack.log('origin'), 'utf8');
  const deletes = (originLog.match(new RegExp(`ingest DELETE /demo/${stream}/\\S+ 204 `, 'g')) || []).length;
  console.log(`origin: ${deletes} DELETEs from ffmpeg answered 204`);
  check(deletes > 0, 'ffmpeg deleted no segments (segment deletion is on)');
  if (options['refused-publisher']) {
    console.log(`origin: ${unknownTenant} uploads to an unknown tenant refused and counted`);
    check(unknownTenant > 5, `uploads to an unknown tenant not counted: ${unknownTenant}`);
    check(/warning ingest: refused (PUT|POST) \/nosuchtenant\/\S+ with 404 \(unknown_tenant\)/.test(originLog),
          'the refusals of the unknown tenant\'s uploads are not in the log');
  }
  if (failures.length) console.log(`player log:\n${result.log.join('\n')}`);
} catch (error) {
  failures.push(error.stack || String(error));
}

if (failures.length) {
  console.log(`FAILED (${options.format}${options.failover ? ', failover' : ''}${options.impair ? ', impaired' : ''}):\n- ${failures.join('\n- ')}`);
  for (const name of fs.readdirSync(stack.workDir).filter((f) => f.endsWith('.log') || f === 'error.log'))
    console.log(`--- ${name} (last lines)\n${tail(path.join(stack.workDir, name))}`);
  await finish(1);
} else {
  console.log(`PASSED (${options.format}${options.failover ? ', failover' : ''}${options.impair ? ', impaired' : ''})`);
  await finish(0);
}
