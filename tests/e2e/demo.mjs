// scripts/demo as a user runs it: it comes up with working player, CDN and admin URLs, and Ctrl-C stops
// every process it started (origin, nginx and its workers, four ffmpeg) and exits 0.
//
//   node tests/e2e/demo.mjs --origin build/live-origin

import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { poll, repoRoot } from '../../tools/stack.mjs';

const { values: options } = parseArgs({
  options: { origin: { type: 'string', default: path.join(repoRoot, 'build', 'live-origin') } },
});

const failures = [];
const check = (ok, message) => { if (!ok) failures.push(message); };
const demo = spawn(process.execPath, [path.join(repoRoot, 'tools', 'demo.mjs'), '--any-ports', '--origin', options.origin],
                   { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
demo.stdout.on('data', (data) => { output += data; });
demo.stderr.on('data', (data) => { output += data; });
const exited = new Promise((resolve) => demo.on('exit', (code, signal) => resolve({ code, signal })));
// Stops the demo the way a user would (it then stops everything it started); SIGKILL if it hangs.
async function stopDemo() {
  if (demo.exitCode !== null || demo.signalCode !== null) return;
  demo.kill('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(resolve, 20000, 'timeout'));
  if (await Promise.race([exited, timeout]) === 'timeout') demo.kill('SIGKILL');
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, async () => { await stopDemo(); process.exit(2); });
process.on('exit', () => { try { demo.kill('SIGKILL'); } catch { /* gone */ } });  // the last resort

// Processes whose command line names this demo's work directory or ingest address.
function survivors(workDir, ingest) {
  try {
    return execFileSync('pgrep', ['-a', '-f', `${workDir}|${ingest}/demo/`], { encoding: 'utf8' }).trim();
  } catch {
    return '';  // pgrep exits 1 when nothing matches
  }
}

let workDir;
let ingest;
try {
  await poll('the demo to print its URLs', () => output.includes('Ctrl-C stops everything.'), { timeoutMs: 90000 });
  const url = (pattern) => new RegExp(pattern, 'm').exec(output)?.[1];
  const hlsPlayer = url(String.raw`HLS\s+(http://\S+)`);
  const cdnManifest = url(String.raw`^\s+(http://[^\s?]+/demo/live1/stream\.m3u8)$`);
  const admin = url(String.raw`(http://\S+)/streams\s+every stream`);
  workDir = url(String.raw`logs in (\S+)\)`);
  ingest = url(String.raw`publish to http://(\S+)/demo/`);
  check(hlsPlayer && cdnManifest && admin && workDir && ingest, `URLs missing from the demo's output:\n${output}`);

  const page = await fetch(hlsPlayer);
  check(page.ok && (await page.text()).includes('hls.min.js'), `player page: ${page.status}`);
  const manifest = await fetch(cdnManifest);
  check(manifest.ok && (await manifest.text()).startsWith('#EXTM3U'), `manifest through the CDN: ${manifest.status}`);
  check(/^(HIT|MISS|EXPIRED|REVALIDATED|UPDATING|STALE)$/.test(manifest.headers.get('x-cache-status') ?? ''),
        `no X-Cache-Status from the CDN: ${manifest.headers.get('x-cache-status')}`);
  const streams = await (await fetch(`${admin}/streams`)).json();
  const names = JSON.stringify(streams);
  check(names.includes('live1') && names.includes('live2'), `admin /streams: ${names}`);
  check(survivors(workDir, ingest).split('\n').length >= 5, `expected origin, nginx and ffmpeg processes running:\n${survivors(workDir, ingest)}`);

  demo.kill('SIGINT');  // Ctrl-C
  const { code, signal } = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30000, {}))]);
  check(code === 0, `demo exit on Ctrl-C: code ${code} signal ${signal}\n${output}`);
  const left = survivors(workDir, ingest);
  check(left === '', `processes left running after Ctrl-C:\n${left}`);
  // nginx workers do not name the work directory: the CDN port must be closed instead.
  const cdnAfter = await fetch(cdnManifest).then((reply) => `still answering ${reply.status}`, () => 'closed');
  check(cdnAfter === 'closed', `the CDN is ${cdnAfter} after Ctrl-C`);
} catch (error) {
  failures.push(error.stack || String(error));
}

if (failures.length) {
  await stopDemo();
  console.log(`FAILED (demo):\n- ${failures.join('\n- ')}\n--- demo output\n${output}`);
  if (workDir && ingest) {
    for (const line of survivors(workDir, ingest).split('\n').filter(Boolean)) {
      try { process.kill(Number(line.split(' ')[0]), 'SIGKILL'); } catch { /* gone */ }
    }
  }
  process.exit(1);
}
console.log('PASSED (demo: URLs answer, Ctrl-C stops everything)');
