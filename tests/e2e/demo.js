// The browser half of scripts/demo.sh: installs the host into a fresh Chromium profile with
// scripts/install.sh, opens the fixture Greenhouse profile, clicks "Text candidate", sends,
// lets the fake TextUs deliver, and prints what the page showed as one JSON line on stdout.
//   node tests/e2e/demo.js <fakes state dir> <TEXTUS_HOST_HOME>
'use strict';

const path = require('path');
const L = require('./lib');
const F = require('./fakes');

async function main() {
  const [fakesDir, state] = process.argv.slice(2);
  const ports = require(path.resolve(fakesDir, 'ports.json'));
  const fakes = { ports, url: (s) => `http://127.0.0.1:${ports[s]}` };
  const run = L.makeRun({ state });
  const server = await L.serveFixture();
  const out = { browser: null, installed: run.installedHost };
  const ctx = await L.launch(run);
  try {
    out.browser = `headless Chromium ${ctx.browser() ? ctx.browser().version() : ''}`.trim();
    const url = L.profileUrl(`http://127.0.0.1:${server.address().port}`, 1001);
    const page = await L.openProfile(ctx, url, ctx.pages()[0]);
    out.url = url;
    out.state = await page.evaluate(() => document.documentElement.dataset.textusState);
    out.name = await page.locator('h1.name').textContent();
    out.lines = Number(await page.evaluate(() => document.documentElement.dataset.textusLines));
    if (out.state !== 'ready') {
      out.notice = await page.locator('.textus-notice').textContent().catch(() => null);
      return;
    }
    const btn = page.locator('button.textus-text-btn');
    out.e164 = await btn.getAttribute('data-e164');
    out.label = await btn.getAttribute('data-label');
    out.beside = await btn.evaluate((b) => b.previousSibling && b.previousSibling.textContent);
    const box = await L.openCompose(page);
    await box.locator('textarea.textus-body').fill(
      'Hi Jane, this is Alice at Acme Staffing. Thanks for applying! Do you have 15 minutes for a call this week?');
    out.counter = await box.locator('.textus-counter').textContent();
    await box.locator('button.textus-send').click();
    const status = await L.sendSettled(page);
    // its lines (the text's, the note's) as sentences: textContent would run them together
    out.sent = await status.evaluate((el) => {
      const lines = Array.from(el.children).map((c) => c.textContent.trim()).filter(Boolean);
      return lines.length ? lines.join(' ') : el.textContent.trim();
    });
    out.send_state = await status.getAttribute('data-state');
    out.message_id = await status.getAttribute('data-message-id');
    if (out.send_state === 'sent') {
      // the note is written after "Sent" (the host's note event on the tab's port)
      await page.waitForFunction(() => document.querySelector('.textus-send-status').dataset.note !== 'pending',
        null, { timeout: 30000 });
      out.note = await status.getAttribute('data-note');
      await F.advance(fakes, out.message_id, 'delivered');
      await page.waitForFunction(() => document.querySelector('.textus-send-status').dataset.delivery,
        null, { timeout: 30000 });
      // the text's line ("Delivered."), apart from the note's line
      out.delivery = (await status.locator('.textus-line-text').textContent()).replace(/[.:].*$/, '');
    }
    if (process.env.DEMO_SCREENSHOT) {
      await page.screenshot({ path: process.env.DEMO_SCREENSHOT, fullPage: true });
    }
  } finally {
    await ctx.close();
    out.leftover_hosts = (await L.waitNoHost(run.installedHost, 3000)).length;
    server.close();
    L.cleanup(run);
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}

main().catch((e) => {
  process.stderr.write(`demo: browser flow failed: ${e && e.stack}\n`);
  process.exit(1);
});
