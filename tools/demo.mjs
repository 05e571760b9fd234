// scripts/demo: live-origin, nginx as the CDN and two ffmpeg pipelines for an HLS and a low-latency DASH
// stream, all on loopback. Prints the player and admin URLs; Ctrl-C (or SIGTERM) stops everything.
//
//   node tools/demo.mjs [--any-ports] [--keep-logs]
//
// By default the origin uses the ports of config/origin.toml (8080 delivery, 8081 ingest, 8082 admin) and
// the CDN 8090; --any-ports takes free ones instead (when those are busy).

import path from 'node:path';
import { parseArgs } from 'node:util';

import { Stack, poll, repoRoot } from './stack.mjs';

const { values: options } = parseArgs({
  options: {
    'any-ports': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    origin: { type: 'string', default: path.join(repoRoot, 'build', 'live-origin') },
  },
});

const stack = new Stack({
  origin: options.origin,
  config: path.join(repoRoot, 'config', 'origin.toml'),
  ports: options['any-ports'] ? {} : { delivery: 8080, ingest: 8081, admin: 8082, cdn: 8090 },
  streams: [{ name: 'live1', format: 'hls-ts' }, { name: 'live2', format: 'dash' }],
  pictureSize: '640x360',
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping: pipelines, CDN, origin ...');
  await stack.stop();
  if (options['keep-logs']) console.log(`logs kept in ${stack.workDir}`);
  else stack.removeWorkDir();
  console.log('stopped');
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
  await stack.start();
  console.log('waiting for the first segments of both streams ...');
  for (const stream of ['live1', 'live2'])
    await poll(`the first manifest of ${stream}`, async () => (await fetch(stack.cdnUrl + stack.manifestPath(stream))).ok,
               { timeoutMs: 60000, intervalMs: 250 });
} catch (error) {
  console.error(`demo: could not start: ${error.message}`);
  if (!options['any-ports']) console.error('demo: if a port is busy, try scripts/demo --any-ports');
  await stop(1);
}

console.log(`live-origin demo is running; Ctrl-C stops everything.

  Players (hls.js, dash.js), through the CDN:
    HLS   ${stack.playerUrl('live1')}
    DASH  ${stack.playerUrl('live2')}
  Manifests through the CDN (X-Cache-Status) and straight from the origin:
    ${stack.cdnUrl}${stack.manifestPath('live1')}
    http://${stack.delivery}${stack.manifestPath('live1')}
  Admin:
    ${stack.adminUrl}/streams              every stream
    ${stack.adminUrl}/streams/demo/live1   timeline, pipelines a and b, held requests
    ${stack.adminUrl}/actors               the actor tree
    ${stack.adminUrl}/metrics              Prometheus
  Packagers publish to http://${stack.ingest}/demo/{live1,live2}/... (logs in ${stack.workDir})
`);
