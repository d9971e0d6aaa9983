// The browser half of scripts/demo.sh: installs the host into a fresh Chromium profile with
// scripts/install.sh, opens the fixture Greenhouse profile, clicks "Text candidate", sends,
// lets the fake TextUs deliver, then texts a job's 4 candidates from the fixture candidates
// list (the bulk dialog), and prints what the pages showed as one JSON line on stdout.
//   node tests/e2e/demo.js <fakes state dir> <TEXTUS_HOST_HOME>
'use strict';

const path = require('path');
const L = require('./lib');
const F = require('./fakes');

// Then the bulk, as a recruiter does it: a job's candidates list (tests/e2e/fixture/candidates.html),
// Select all, Bulk actions → Text selected, the text, Review before sending (the count, the
// texts, who is skipped), Text N candidates; every progress line the dialog showed, its summary,
// who was not texted, and the bulk's request id (for bulk_status afterwards).
const BULK_BODY = 'Hi {first_name}, thanks for applying to Acme Staffing! Are you free for a quick call this week?';
async function bulkFlow(ctx, base) {
  const b = { body: BULK_BODY, progress: [] };
  const page = await ctx.newPage();
  const list = '4101:Ann Able,4102:Ben Best,4103:Cal Cole,4104:Dee Dunn';
  await page.goto(`${base}/people?job_id=7001&c=${encodeURIComponent(list)}`);
  await page.waitForFunction(() => document.documentElement.dataset.textusBulk === 'ready', null, { timeout: 20000 });
  await page.check('#select-all');
  await page.click('#bulk-actions');
  await page.click('#bulk-menu button.textus-bulk-open');
  await page.fill('#textus-bulk-body', BULK_BODY);
  await page.click('.textus-bulk button.textus-bulk-preview');
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'confirm' ||
    (document.querySelector('.textus-bulk .textus-bulk-error') || {}).textContent, null, { timeout: 60000 });
  const dlg = page.locator('.textus-bulk [role=dialog]');
  if (await page.evaluate(() => document.querySelector('.textus-bulk').dataset.state) !== 'confirm') {
    b.error = await dlg.locator('.textus-bulk-error').textContent();
    return b;
  }
  b.confirm = await dlg.locator('.textus-bulk-count').textContent();
  b.previews = await dlg.locator('.textus-bulk-previews li').allTextContents();
  b.will_skip = await dlg.locator('.textus-bulk-skipped li').allTextContents();
  b.button = await dlg.locator('button.textus-bulk-send').textContent();
  // every line the progress shows, as it changes
  await page.evaluate(() => {
    window.__textusLines = [];
    new MutationObserver(() => {
      const p = document.querySelector('.textus-bulk-progress');
      const t = p && p.textContent;
      if (t && t !== window.__textusLines[window.__textusLines.length - 1]) window.__textusLines.push(t);
    }).observe(document.querySelector('.textus-bulk'), { subtree: true, childList: true, characterData: true });
  });
  await dlg.locator('button.textus-bulk-send').click();
  // done, or refused (the confirmation's error line; it is gone once sending)
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'done' ||
    (document.querySelector('.textus-bulk .textus-bulk-error') || {}).textContent, null, { timeout: 120000 })
    .catch(() => { b.timed_out = true; });
  b.progress = await page.evaluate(() => window.__textusLines);
  b.request_id = await page.evaluate(() => document.querySelector('.textus-bulk').dataset.requestId || null);
  b.state = await page.evaluate(() => document.querySelector('.textus-bulk').dataset.state);
  b.not_texted = await dlg.locator('.textus-bulk-outcomes li').allTextContents();
  if (process.env.DEMO_SCREENSHOT) {
    await page.screenshot({ path: process.env.DEMO_SCREENSHOT.replace(/(\.png)?$/, '-bulk.png') });
  }
  await page.close();
  return b;
}

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
    if (out.delivery) {
      out.requests_before_bulk = (await F.requests(fakes)).length;
      out.bulk = await bulkFlow(ctx, `http://127.0.0.1:${server.address().port}`);
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
