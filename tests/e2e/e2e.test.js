// End-to-end tests in Debian's headless Chromium: the extension stub on a fixture Greenhouse
// profile talks to the real host, installed into the test profile by scripts/install.sh.
// Run through tests/e2e/test.sh (which installs chromium and playwright-core when missing).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const L = require('./lib');

let server;
let base;

test.before(async () => {
  server = await L.serveFixture();
  base = `http://127.0.0.1:${server.address().port}`;
});
test.after(() => server && server.close());

// The profile in the browser's first tab.
const openProfile = (ctx, id, query) => L.openProfile(ctx, `${base}/people/${id}${query || ''}`, ctx.pages()[0]);

test('installed host: the stub reaches it, and the button sits beside the number beneath the name', async (t) => {
  const run = L.makeRun();
  assert.match(run.installOutput, /wrote .*profile\/NativeMessagingHosts\/com\.textus\.greenhouse\.json/);
  const manifest = JSON.parse(fs.readFileSync(path.join(run.udd, 'NativeMessagingHosts', `${L.NAME}.json`), 'utf8'));
  assert.strictEqual(manifest.path, run.installedHost);
  const ctx = await L.launch(run);
  try {
    const page = await openProfile(ctx, 1001);
    const state = await page.evaluate(() => document.documentElement.dataset.textusState);
    if (!L.hostHasVerb('extract_phone')) {
      // this host predates extract_phone: the stub reached it (ping worked) and reports the verb
      assert.strictEqual(state, 'error:unknown_type');
      t.diagnostic('extract_phone not in this host yet: checked the ping round trip only');
      return;
    }
    assert.strictEqual(state, 'ready');
    const btn = page.locator('button.textus-text-btn');
    await btn.waitFor({ timeout: 5000 });
    assert.strictEqual(await btn.getAttribute('data-e164'), '+13035550123');
    // beside the number written beneath the name, not the referrer's above it
    const beside = await btn.evaluate((b) => b.previousSibling && b.previousSibling.textContent);
    assert.match(beside, /\(303\) 555-0123/);
    assert.strictEqual(await page.locator('button.textus-import-btn').count(), 1);
  } finally {
    await ctx.close();
    const left = await L.waitNoHost(run.installedHost, 3000);
    L.cleanup(run);
    assert.deepStrictEqual(left, [], 'a host process outlived the browser');
  }
});

test('host not installed: the stub shows the install hint', async () => {
  const run = L.makeRun({ install: false });
  const ctx = await L.launch(run);
  try {
    const page = await openProfile(ctx, 1001);
    assert.strictEqual(await page.evaluate(() => document.documentElement.dataset.textusState),
      'error:host_not_installed');
    const notice = await page.locator('.textus-notice').textContent();
    assert.match(notice, /not installed/);
    assert.match(notice, /scripts\/install\.sh/);
  } finally {
    await ctx.close();
    L.cleanup(run);
  }
});

test('extension id not allowed by the manifest: the stub says how to reinstall', async () => {
  const run = L.makeRun();
  const mpath = path.join(run.udd, 'NativeMessagingHosts', `${L.NAME}.json`);
  const m = JSON.parse(fs.readFileSync(mpath, 'utf8'));
  m.allowed_origins = ['chrome-extension://abcdefghijklmnopabcdefghijklmnop/'];
  fs.writeFileSync(mpath, JSON.stringify(m));
  const ctx = await L.launch(run);
  try {
    const page = await openProfile(ctx, 1001);
    assert.strictEqual(await page.evaluate(() => document.documentElement.dataset.textusState),
      'error:host_forbidden');
    const notice = await page.locator('.textus-notice').textContent();
    assert.match(notice, new RegExp(`--extension-id ${L.STUB_ID}`));
  } finally {
    await ctx.close();
    L.cleanup(run);
  }
});

test('host file gone after install: "has exited" becomes a doctor/reinstall hint', async () => {
  const run = L.makeRun();
  fs.chmodSync(run.installedHost, 0o644); // not executable: Chrome reports "Native host has exited."
  const ctx = await L.launch(run);
  try {
    const page = await openProfile(ctx, 1001);
    // Chrome reports a failed execvp as "Native host has exited." or, depending on timing, as
    // "Error when communicating with the native messaging host."; both point to doctor
    assert.match(await page.evaluate(() => document.documentElement.dataset.textusState),
      /^error:host_(exited|protocol)$/);
    assert.match(await page.locator('.textus-notice').textContent(), /textus-host doctor/);
  } finally {
    await ctx.close();
    L.cleanup(run);
  }
});

test('not configured: the refusal links to the options page', {
  skip: L.hostHasVerb('send_sms') && L.hostHasVerb('extract_phone') ? false : 'this host has no send flow yet',
}, async () => {
  const run = L.makeRun();
  const ctx = await L.launch(run);
  try {
    const page = await openProfile(ctx, 1001);
    assert.strictEqual(await page.evaluate(() => document.documentElement.dataset.textusState), 'ready');
    await page.click('button.textus-text-btn');
    // the compose box says where its number came from: beneath the name, not the referral
    // line above it (the fixture's 312-555-0100)
    const from = page.locator('.textus-compose .textus-number-source');
    assert.strictEqual(await from.getAttribute('data-source'), 'profile');
    assert.match(await from.textContent(), /beneath the name on this page/);
    // a text of its own: the default template's {recruiter_first_name} has no value here
    await page.locator('.textus-compose textarea.textus-body').fill('Hi Jane, are you free for a call?');
    await page.locator('.textus-compose button.textus-send').click();
    const status = await L.sendSettled(page, 30000);
    assert.strictEqual(await status.getAttribute('data-state'), 'refused:not_configured');
    assert.match(await status.textContent(), /not set up yet/);
    const link = status.locator('a.textus-open-settings');
    assert.strictEqual(await link.count(), 1);
    const opened = ctx.waitForEvent('page', { timeout: 10000 });
    await link.click();
    const options = await opened;
    assert.match(options.url(), /^chrome-extension:\/\/[a-p]{32}\/options\.html/);
  } finally {
    await ctx.close();
    L.cleanup(run);
  }
});
