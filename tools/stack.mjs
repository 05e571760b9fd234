// The whole chain on loopback, built only from tools nobody here wrote: live-origin, nginx as the CDN
// (config/nginx-cdn.conf, only its two addresses changed) and two ffmpeg processes per stream as the
// redundant pipelines a and b. scripts/demo and the end-to-end tests both start it through this module;
// stop() ends every process it started, and so does the exit of this Node.js process.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const segmentSeconds = 2;

// How each kind of stream is published: the object ffmpeg writes to and its muxer options.
// The values follow ../shared/design/reference/peers.md §5 and ffmpeg-pipelines.md.
export const formats = {
  // HLS with MPEG-TS segments: PUT, one connection per object, old segments DELETEd.
  'hls-ts': {
    manifest: 'stream.m3u8',
    muxer: ({ pipeline, startNumber }) => [
      '-f', 'hls', '-hls_time', `${segmentSeconds}`, '-hls_list_size', '6', '-hls_flags', 'delete_segments',
      '-method', 'PUT', '-start_number', `${startNumber}`, '-headers', `X-Origin-Pipeline: ${pipeline}\r\n`,
    ],
  },
  // HLS with fMP4 segments over one keep-alive connection (init.mp4, then segment and playlist in order).
  'hls-fmp4': {
    manifest: 'stream.m3u8',
    muxer: ({ pipeline, startNumber }) => [
      '-f', 'hls', '-hls_time', `${segmentSeconds}`, '-hls_list_size', '6',
      '-hls_flags', 'delete_segments+independent_segments', '-hls_segment_type', 'fmp4', '-http_persistent', '1',
      '-method', 'PUT', '-start_number', `${startNumber}`, '-headers', `X-Origin-Pipeline: ${pipeline}\r\n`,
    ],
  },
  // Low-latency DASH: each segment is one chunked POST that stays open for the whole segment. The DASH
  // muxer has no start number (segment 1 is its own start), so only starting both pipelines together
  // aligns them; it takes extra headers only through -http_opts.
  'dash': {
    manifest: 'manifest.mpd',
    muxer: ({ pipeline }) => [
      '-f', 'dash', '-seg_duration', `${segmentSeconds}`, '-frag_type', 'duration', '-frag_duration', '0.5',
      '-streaming', '1', '-ldash', '1', '-write_prft', '0', '-window_size', '6', '-extra_window_size', '2',
      '-use_template', '1', '-use_timeline', '0', '-http_opts', `headers='X-Origin-Pipeline: ${pipeline}\r\n'`,
    ],
  },
};

// A test picture and tone. -threads 1 makes libx264 deterministic, so both pipelines produce the same
// bytes for the same segment (ffmpeg-pipelines.md 2); a keyframe every segment (-g 50 at 25 fps).
function encoderArgs(size) {
  return [
    '-nostdin', '-loglevel', 'warning', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '50', '-keyint_min', '50',
    '-sc_threshold', '0', '-b:v', '600k', '-c:a', 'aac', '-b:a', '64k', '-threads', '1',
  ];
}

// A free TCP port on loopback (for nginx, which cannot report a port 0 binding).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function poll(what, check, { timeoutMs = 20000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last;
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` +
                                               (last ? `: ${last.message}` : ''));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Every process group started by any stack; killed when Node.js exits, however it exits.
const liveGroups = new Set();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export class Stack {
  // options: origin (binary), config (origin TOML), ports ({delivery, ingest, admin, cdn}; 0 = any free
  // one), streams ([{name, format}]), pictureSize, workDir (default: a new temporary directory),
  // pipelineOptions ({a: [...]}: extra ffmpeg output options for one pipeline, e.g. filters impairing it).
  constructor(options) {
    this.options = { pictureSize: '320x240', ...options };
    this.workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'live-origin-stack-'));
    fs.chmodSync(this.workDir, 0o755);  // nginx workers may run as another user
    this.children = [];  // {name, child, exited}
    this.pipelines = new Map();  // "stream/pipeline" -> child record
  }

  log(name) { return path.join(this.workDir, `${name}.log`); }

  // Starts a child in its own process group, output to <workDir>/<name>.log.
  launch(name, command, args, { onOutput } = {}) {
    const file = fs.openSync(this.log(name), 'a');
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const record = { name, child, exited: null };
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (data) => {
        fs.writeSync(file, data);
        if (onOutput) onOutput(data.toString());
      });
    }
    record.done = new Promise((resolve) => child.on('close', (code, signal) => {
      record.exited = { code, signal };
      liveGroups.delete(child.pid);
      fs.closeSync(file);
      resolve();
    }));
    child.on('error', (error) => { record.exited = { error }; });
    liveGroups.add(child.pid);
    this.children.push(record);
    return record;
  }

  async startOrigin() {
    const { origin, config, ports = {} } = this.options;
    let output = '';
    const record = this.launch('origin', origin, [
      '--config', config, '--data-dir', path.join(this.workDir, 'data'),
      '--delivery', `127.0.0.1:${ports.delivery ?? 0}`, '--ingest', `127.0.0.1:${ports.ingest ?? 0}`,
      '--admin', `127.0.0.1:${ports.admin ?? 0}`,
    ], { onOutput: (text) => { if (output.length < 65536) output += text; } });
    const ready = await poll('live-origin to report ready', () => {
      if (record.exited) throw new Error(`live-origin exited (${JSON.stringify(record.exited)}); see ${this.log('origin')}`);
      return /ready: delivery=(\S+) ingest=(\S+) admin=(\S+)/.exec(output);
    });
    [, this.delivery, this.ingest, this.admin] = ready;
  }

  async startCdn() {
    const { ports = {} } = this.options;
    const template = fs.readFileSync(path.join(repoRoot, 'config', 'nginx-cdn.conf'), 'utf8');
    // The player page and the two player libraries it loads, copied so nginx can read them whoever it runs as.
    const www = path.join(this.workDir, 'www', 'player');
    for (const file of ['index.html', 'node_modules/hls.js/dist/hls.min.js',
                        'node_modules/dashjs/dist/modern/umd/dash.all.min.js']) {
      fs.mkdirSync(path.dirname(path.join(www, file)), { recursive: true, mode: 0o755 });
      fs.copyFileSync(path.join(repoRoot, 'player', file), path.join(www, file));
    }
    for (let attempt = 0; ; ++attempt) {
      const port = ports.cdn ?? await freePort();
      this.cdn = `127.0.0.1:${port}`;
      const config = replaceOnce(replaceOnce(template, 'listen 127.0.0.1:8090;', `listen ${this.cdn};`),
                                 'server 127.0.0.1:8080;', `server ${this.delivery};`);
      const file = path.join(this.workDir, 'nginx-cdn.conf');
      fs.writeFileSync(file, config);
      const record = this.launch('nginx', 'nginx', ['-p', this.workDir, '-c', file, '-e', 'stderr', '-g', 'daemon off;']);
      try {
        await poll('nginx to serve the player page', async () => {
          if (record.exited) throw new Error(`nginx exited: ${fs.readFileSync(this.log('nginx'), 'utf8').trim()}`);
          return (await fetch(`${this.cdnUrl}/player/index.html`)).ok;
        });
        return;
      } catch (error) {
        // Another process took the free port first: try another one (fixed ports are not retried).
        if (ports.cdn || attempt >= 2 || !/Address already in use/.test(error.message)) throw error;
      }
    }
  }

  // Starts both pipelines of every stream, together, so their segments line up.
  startPipelines() {
    const startNumber = Math.floor(Date.now() / 1000 / segmentSeconds);  // HLS: the same number for both
    for (const { name, format } of this.options.streams)
      for (const pipeline of ['a', 'b']) this.startPipeline(name, format, pipeline, startNumber);
  }

  startPipeline(stream, format, pipeline, startNumber, tenant = 'demo') {
    const spec = formats[format];
    if (!spec) throw new Error(`unknown format '${format}' (${Object.keys(formats).join(', ')})`);
    const args = [...encoderArgs(this.options.pictureSize), ...(this.options.pipelineOptions?.[pipeline] ?? []),
                  ...spec.muxer({ pipeline, startNumber }),
                  `http://${this.ingest}/${tenant}/${stream}/${spec.manifest}`];
    const name = `${tenant}/${stream}/${pipeline}`;
    this.pipelines.set(name, this.launch(`ffmpeg-${name.replaceAll('/', '-')}`, 'ffmpeg', args));
  }

  async start() {
    await this.startOrigin();
    await this.startCdn();
    this.startPipelines();
    return this;
  }

  // One metric family from the origin's /metrics: { 'label="value",...': number }, '' for no labels.
  async metric(name) {
    const text = await (await fetch(`${this.adminUrl}/metrics`)).text();
    const values = {};
    for (const line of text.split('\n')) {
      const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (match && match[1] === name) values[match[2] ?? ''] = Number(match[3]);
    }
    return values;
  }

  get cdnUrl() { return `http://${this.cdn}`; }
  get adminUrl() { return `http://${this.admin}`; }
  manifestPath(stream) {
    const { format } = this.options.streams.find((s) => s.name === stream);
    return `/demo/${stream}/${formats[format].manifest}`;
  }
  playerUrl(stream) { return `${this.cdnUrl}/player/index.html?src=${this.manifestPath(stream)}`; }

  // Kills one pipeline's ffmpeg at once, as a crashed encoder would end.
  killPipeline(stream, pipeline, tenant = 'demo') {
    const record = this.pipelines.get(`${tenant}/${stream}/${pipeline}`);
    process.kill(-record.child.pid, 'SIGKILL');
    return record.done;
  }

  // Pipelines and nginx first, then the origin (SIGTERM: it drains), each group killed if it lingers.
  async stop() {
    const order = [...this.children].sort((x, y) => (x.name === 'origin') - (y.name === 'origin'));
    for (const record of order) {
      if (record.exited) continue;
      try { process.kill(-record.child.pid, record.name === 'nginx' ? 'SIGQUIT' : 'SIGTERM'); } catch { continue; }
      const timeout = new Promise((resolve) => setTimeout(resolve, 5000, 'timeout'));
      if (await Promise.race([record.done, timeout]) === 'timeout') {
        try { process.kill(-record.child.pid, 'SIGKILL'); } catch { /* gone */ }
        await record.done;
      }
    }
  }

  removeWorkDir() { fs.rmSync(this.workDir, { recursive: true, force: true }); }
}

function replaceOnce(text, from, to) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`config/nginx-cdn.conf: expected '${from}' once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}
