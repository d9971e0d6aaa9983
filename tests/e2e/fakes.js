// Start the Python fakes of TextUs and Greenhouse (tests/fakes/) from node, configure a host
// state root against them, and read what they recorded.
'use strict';

const fs = require('fs');
const path = require('path');
const http = require('http');
const { spawn, spawnSync } = require('child_process');
const { SRC, HOST } = require('./lib');

const SEED = path.join(__dirname, 'seed.json');
const TOKEN = 'tok_e2e_recruiter_FAKE_0001';
const API_KEY = 'hvk_e2e_textus_FAKE_0001';

async function startFakes(dir, seed) {
  fs.mkdirSync(dir, { recursive: true });
  const proc = spawn('python3', [path.join(SRC, 'tests', 'fakes', 'fakes.py'), '--seed', seed || SEED,
    '--state-dir', dir, '--max-seconds', '600'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const portsFile = path.join(dir, 'ports.json');
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`fakes exited with ${proc.exitCode}`);
    try {
      const ports = JSON.parse(fs.readFileSync(portsFile, 'utf8'));
      return { proc, ports, url: (s) => `http://127.0.0.1:${ports[s]}` };
    } catch (e) { await new Promise((r) => setTimeout(r, 50)); }
  }
  proc.kill();
  throw new Error('fakes did not start');
}

function control(f, method, p, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request(`${f.url('textus')}/__fake/${p}`, { method,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try { resolve(text ? JSON.parse(text) : null); } catch (e) { reject(new Error(text)); }
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const requests = (f) => control(f, 'GET', 'requests');
const advance = (f, messageId, state) => control(f, 'POST', 'advance',
  messageId ? { message_id: messageId, state: state || 'delivered' } : undefined);
const fakeState = (f) => control(f, 'GET', 'state');
// A text from the number to the account (the candidate replies).
const inbound = (f, from, body) => control(f, 'POST', 'inbound', { account: 'acme', from, body });
const fault = (f, rule) => control(f, 'POST', 'faults', rule);
const resetFaults = (f) => control(f, 'POST', 'reset-faults');

async function stopFakes(f) {
  if (!f || f.proc.exitCode !== null) return;
  f.proc.kill('SIGTERM');
  await new Promise((r) => { f.proc.once('exit', r); setTimeout(r, 3000); });
}

// textus-host configure (JSON on stdin) into a state root, pointed at the fakes.
function configure(f, state, extra) {
  const doc = {
    textus: { token: TOKEN, account: 'acme', base_url: f.url('textus') },
    greenhouse: { email: 'alice@acme.example', api_key: API_KEY, base_url: f.url('harvest'),
      auth_url: f.url('auth') },
    // quiet hours off unless a test asks for a window: the tests send at any hour of the day
    settings: { quiet_hours: 'off' },
  };
  Object.assign(doc, extra || {});
  const p = spawnSync(HOST, ['configure', '--no-verify'], { input: JSON.stringify(doc),
    env: Object.assign({}, process.env, { TEXTUS_HOST_HOME: state }), encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`configure failed (${p.status}): ${p.stdout}\n${p.stderr}`);
  return p.stdout;
}

module.exports = { startFakes, stopFakes, requests, advance, fakeState, inbound, fault, resetFaults,
  configure, TOKEN, API_KEY };
