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
  for (const cs of m.content_scripts) cs.matches.push('http://127.0.0.1/*');
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
    if (u.pathname === '/people') { // a job's candidates list (fixture/candidates.html; layout=cards: candidates-cards.html)
      const file = u.searchParams.get('layout') === 'cards' ? 'candidates-cards.html' : 'candidates.html';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(fs.readFileSync(path.join(__dirname, 'fixture', file)));
      return;
    }
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

// The browser's environment: the run's state, and a home of its own. Even with --user-data-dir,
// Chromium writes into the user's home (crash reports under $XDG_CONFIG_HOME/chromium, a dconf
// cache under $XDG_CACHE_HOME, an NSS database under ~/.pki), and a later scripts/install.sh
// would take ~/.config/chromium for an installed browser: all of it goes into the run's folder.
function browserEnv(run, env) {
  return Object.assign({}, process.env, {
    TEXTUS_HOST_HOME: run.state,
    HOME: run.home,
    XDG_CONFIG_HOME: path.join(run.home, '.config'),
    XDG_CACHE_HOME: path.join(run.home, '.cache'),
    XDG_DATA_HOME: path.join(run.home, '.local', 'share'),
    XDG_STATE_HOME: path.join(run.home, '.local', 'state'),
  }, env || {});
}

async function launch(run, env) {
  const { chromium } = require('playwright-core');
  return chromium.launchPersistentContext(run.udd, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    env: browserEnv(run, env),
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

// The fixture's page of candidate `id`, with the number and name it shows (params: { phone, name }).
function profileUrl(base, id, params) {
  const q = params ? `?${new URLSearchParams(params).toString()}` : '';
  return `${base}/people/${id}${q}`;
}

// Open url in `page` (else a new tab) and wait until the stub has read the profile (its state
// is no longer 'checking').
async function openProfile(ctx, url, page) {
  const p = page || await ctx.newPage();
  await p.goto(url);
  await p.waitForFunction(() => {
    const s = document.documentElement.dataset.textusState;
    return s && s !== 'checking';
  }, null, { timeout: 20000 });
  return p;
}

// "Text candidate": the compose box, once it is shown and settled: the thread read (which
// decides whether the template pre-fills it) and the templates answered, so that a test's
// typing never races the box's own filling.
async function openCompose(page) {
  await page.click('button.textus-text-btn');
  const box = page.locator('.textus-compose');
  await box.waitFor();
  await page.waitForFunction(() => {
    const b = document.querySelector('.textus-compose');
    const t = b && b.querySelector('.textus-templates');
    // (a box without data-prefill does not pre-fill by the thread: nothing to wait for)
    return b && b.dataset.prefill !== 'waiting' &&
      (!t || (t.dataset.state && t.dataset.state !== 'loading'));
  }, null, { timeout: 30000 });
  return box;
}

// ---- what a recruiter sees: screenshots, accessibility, words --------------------------

// A screenshot of the page as it is, kept as $TH_SCREENSHOT_DIR/<name>.png only when that
// variable is set (CI keeps the suite fast without it).
async function shot(page, name) {
  const dir = process.env.TH_SCREENSHOT_DIR;
  if (!dir) return null;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// axe-core (npm axe-core, tests/e2e/package.json) on the page, or on the part `selector`
// names: the serious and critical violations, as "rule: target" strings. Evaluated through
// the DevTools protocol, so an extension page's CSP does not stop it.
let axeSource = null;
async function axeViolations(page, selector) {
  if (!axeSource) axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const found = await page.evaluate(async (sel) => {
    const r = await window.axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')} — ${v.help}`);
  }, selector || null);
  return found;
}

// Asserts 0 serious or critical axe violations (and keeps the screenshot `name`).
async function assertAccessible(page, selector, name) {
  const assert = require('node:assert');
  if (name) await shot(page, name);
  const v = await axeViolations(page, selector);
  assert.deepStrictEqual(v, [], `axe on ${selector || 'the page'} (${name || ''})`);
}

// A recruiter's surface never shows a config key, a verb or error code name, a command line,
// UTC or an ISO time, and never a sentence cut mid-word.
function assertHumane(text, what) {
  const assert = require('node:assert');
  const t = String(text || '');
  const bad = [
    [/\b(?:settings|textus|greenhouse)\.[a-z_]+/, 'a config key'],
    [/textus-host|scripts\/|--[a-z]/, 'a command line'],
    [/\b[a-z]+_[a-z_]+\b/, 'a snake_case name (config key, verb or error code)'],
    [/\bUTC\b|\d{4}-\d\d-\d\dT\d\d:\d\d/, 'UTC or an ISO time'],
    [/\b([01]\d|2[0-3]):[0-5]\d\b(?! ?[AP]M)/, 'a 24-hour time'],
  ];
  for (const [re, name] of bad) assert.ok(!re.test(t), `${what} shows ${name}: ${JSON.stringify(t)}`);
  // every sentence ends as a sentence does (no text cut mid-word)
  if (t.trim()) assert.match(t.trim(), /[.!?…)]$/, `${what} ends mid-sentence: ${JSON.stringify(t)}`);
}

// The compose box's check of the number (prepare_send) has answered; returns the box.
async function checkSettled(page) {
  await page.waitForFunction(() => {
    const b = document.querySelector('.textus-compose');
    return b && b.dataset.check && b.dataset.check !== 'checking';
  }, null, { timeout: 30000 });
  return page.locator('.textus-compose');
}

// The send the page started has an answer (its status is no longer 'sending'); returns the
// status line.
async function sendSettled(page, ms) {
  await page.waitForFunction(() => {
    const s = document.querySelector('.textus-send-status');
    return s && s.dataset.state && s.dataset.state !== 'sending';
  }, null, { timeout: ms || 60000 });
  return page.locator('.textus-send-status');
}

// The options page's compose template and "Your name", saved as a recruiter would (an empty
// template: the default one).
async function setTemplate(ctx, template, recruiter) {
  const sw = ctx.serviceWorkers()[0] || await ctx.waitForEvent('serviceworker');
  const page = await ctx.newPage();
  try {
    await page.goto(`chrome-extension://${new URL(sw.url()).host}/options.html`);
    await page.waitForFunction(() => document.getElementById('template').dataset.loaded, null, { timeout: 10000 });
    await page.fill('#template', template);
    await page.fill('#recruiter', recruiter || '');
    await page.click('#save_template');
    await page.waitForFunction(() => document.getElementById('template_msg').textContent, null, { timeout: 10000 });
    return await page.textContent('#template_msg');
  } finally {
    await page.close();
  }
}

// One browser world for a test file: the fixture server (base), a run with the host installed
// (run), the fakes (fakes; opts.seed: a seed object instead of tests/e2e/seed.json) with the
// run's state configured against them, and Chromium on the run's profile (ctx).
async function startWorld(opts) {
  const F = require('./fakes'); // fakes.js requires this file: loaded when first needed
  const w = {};
  try {
    w.server = await serveFixture();
    w.base = `http://127.0.0.1:${w.server.address().port}`;
    w.run = makeRun();
    let seedPath;
    if (opts && opts.seed) {
      seedPath = path.join(w.run.tmp, 'seed.json');
      fs.writeFileSync(seedPath, JSON.stringify(opts.seed));
    }
    w.fakes = await F.startFakes(path.join(w.run.tmp, 'fakes'), seedPath);
    F.configure(w.fakes, w.run.state);
    w.ctx = await launch(w.run);
    return w;
  } catch (e) {
    await stopWorld(w).catch(() => {});
    throw e;
  }
}

// Its end: the browser closed, the fakes stopped, the temp folder removed. Returns the pids of
// the run's hosts still alive 3 s after the browser closed (there should be none).
async function stopWorld(w) {
  const F = require('./fakes');
  if (w.ctx) await w.ctx.close();
  const left = w.run ? await waitNoHost(w.run.installedHost, 3000) : [];
  if (w.fakes) await F.stopFakes(w.fakes);
  if (w.server) w.server.close();
  if (w.run) cleanup(w.run);
  return left;
}

// startWorld before a test file's tests and stopWorld after them (node:test hooks), when `enabled`
// (a test file whose verbs this host lacks skips them). The world's members (base, run, fakes,
// ctx) are filled in before the first test; after the last, every host of the run must be gone.
function worldHooks(test, enabled, opts) {
  const assert = require('node:assert');
  const w = {};
  test.before(async () => {
    if (enabled) Object.assign(w, await startWorld(opts));
  });
  test.after(async () => {
    if (w.run) assert.deepStrictEqual(await stopWorld(w), [], 'a host process outlived the browser');
  });
  return w;
}

module.exports = { SRC, HOST, CHROMIUM, STUB_ID, NAME, makeRun, install, cleanup, serveFixture, launch,
  hostPids, waitHosts, waitNoHost, oneShot, hostHasVerb, extensionOverlay, profileUrl, openProfile,
  openCompose, checkSettled, sendSettled, setTemplate, startWorld, stopWorld, worldHooks, shot, axeViolations,
  assertAccessible, assertHumane };
