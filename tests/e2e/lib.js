// End-to-end helpers: a fresh browser profile with the host installed by scripts/install.sh,
// the extension stub with a test overlay, a fixture Greenhouse profile served on 127.0.0.1,
// Debian's chromium driven by playwright-core (recipe: native-messaging-chromium.md).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawnSync } = require('child_process');

const SRC = process.env.TH_SOURCE_DIR || path.resolve(__dirname, '..', '..');
const HOST = process.env.TH_HOST || path.join(SRC, 'build', 'host', 'textus-host');
const CHROMIUM = process.env.TH_CHROMIUM || '/usr/bin/chromium';
const STUB_ID = 'hfboccpnppdfmcdbjjgmobnhljkkmjji';
const NAME = 'com.textus.greenhouse';

// The stub, copied with test-only match patterns (never in the shipped manifest).
function extensionOverlay(dir) {
  const src = path.join(SRC, 'extension-stub');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  m.content_scripts[0].matches.push('http://127.0.0.1/*');
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
  return dir;
}

// Everything for one browser run lives in one temp folder.
function makeRun(opts) {
  const o = opts || {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'th-e2e-'));
  const run = {
    tmp,
    home: path.join(tmp, 'home'),
    state: o.state || path.join(tmp, 'state'),
    udd: path.join(tmp, 'profile'),
    ext: extensionOverlay(path.join(tmp, 'ext')),
  };
  fs.mkdirSync(run.home);
  fs.mkdirSync(run.udd);
  run.installedHost = path.join(run.state, 'bin', 'textus-host');
  if (o.install !== false) install(run, o.installArgs || []);
  return run;
}

function install(run, extra) {
  // the suite's build has test failpoints, which install.sh refuses unless told; the profile
  // folder is fresh (no "Local State" until the browser starts), hence --force
  const p = spawnSync('bash', [path.join(SRC, 'scripts', 'install.sh'), '--binary', HOST,
    '--allow-failpoints', '--force', '--user-data-dir', run.udd, ...extra], {
    env: Object.assign({}, process.env, { HOME: run.home, TEXTUS_HOST_HOME: run.state }),
    encoding: 'utf8',
  });
  if (p.status !== 0) throw new Error(`install.sh failed (${p.status}):\n${p.stdout}\n${p.stderr}`);
  run.installOutput = p.stdout;
  return p;
}

function cleanup(run) {
  fs.rmSync(run.tmp, { recursive: true, force: true });
}

// A tiny server for the fixture profile: /people/<id>?name=..&phone=..
function serveFixture() {
  const tpl = fs.readFileSync(path.join(__dirname, 'fixture', 'profile.html'), 'utf8');
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    const m = /^\/people\/(\d+)$/.exec(u.pathname);
    if (!m) { res.writeHead(404); res.end('not found'); return; }
    const name = u.searchParams.get('name') || 'Jane Candidate';
    const phone = u.searchParams.get('phone') || '(303) 555-0123';
    const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
    const initials = name.split(/\s+/).map((w) => w[0] || '').join('').slice(0, 2);
    const html = tpl.replace(/__NAME__/g, esc(name)).replace(/__PHONE__/g, esc(phone))
      .replace(/__ID__/g, m[1]).replace(/__INITIALS__/g, esc(initials));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function launch(run, env) {
  const { chromium } = require('playwright-core');
  return chromium.launchPersistentContext(run.udd, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    env: Object.assign({}, process.env, { TEXTUS_HOST_HOME: run.state }, env || {}),
    args: [`--disable-extensions-except=${run.ext}`, `--load-extension=${run.ext}`,
      '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
}

// PIDs of processes whose command line names this exact binary path.
function hostPids(binaryPath) {
  const pids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd;
    try { cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8'); } catch (e) { continue; }
    if (cmd.split('\0')[0] === binaryPath) pids.push(Number(d));
  }
  return pids;
}

// Wait (up to ms) until at most n hosts of binaryPath run; returns their pids then.
async function waitHosts(binaryPath, n, ms) {
  const end = Date.now() + ms;
  let pids = hostPids(binaryPath);
  while (pids.length > n && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    pids = hostPids(binaryPath);
  }
  return pids;
}

async function waitNoHost(binaryPath, ms) {
  return waitHosts(binaryPath, 0, ms);
}

// One framed request to a host binary, as Chrome sends it.
function oneShot(binary, request, env) {
  const body = Buffer.from(JSON.stringify(request));
  const hdr = Buffer.alloc(4);
  hdr.writeUInt32LE(body.length);
  const p = spawnSync(binary, [`chrome-extension://${STUB_ID}/`], {
    input: Buffer.concat([hdr, body]), env: Object.assign({}, process.env, env || {}), timeout: 30000,
  });
  if (!p.stdout || p.stdout.length < 4) return null;
  const n = p.stdout.readUInt32LE(0);
  return JSON.parse(p.stdout.subarray(4, 4 + n).toString('utf8'));
}

function hostHasVerb(verb, env) {
  const r = oneShot(HOST, { type: verb }, env);
  return !!r && !(r.ok === false && r.error && r.error.code === 'unknown_type');
}

module.exports = { SRC, HOST, CHROMIUM, STUB_ID, NAME, makeRun, install, cleanup, serveFixture, launch,
  hostPids, waitHosts, waitNoHost, oneShot, hostHasVerb, extensionOverlay };
