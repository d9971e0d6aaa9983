// End-to-end: a bulk text from a Greenhouse-like candidates list (issue S item 3), in headless
// Chromium against the fakes. Five candidates ticked — two plain, one opted out, one without a
// number, one in their quiet hours — then "Text selected" in the page's bulk-action menu, the
// confirmation (bulk_preview: the count, the first three texts, who is skipped and why, in
// words), bulk_send with "schedule" for the quiet hours, the progress from the `bulk` events and
// the final counts. TextUs sees two texts and one scheduled text, nobody twice. Each step's
// dialog at 0 serious or critical axe-core violations.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const L = require('./lib');
const F = require('./fakes');

const HAS = L.hostHasVerb('bulk_preview') && L.hostHasVerb('bulk_send') && L.hostHasVerb('bulk_cancel');
const skip = HAS ? false : 'this host has no bulk_preview/bulk_send/bulk_cancel yet';

const PEOPLE = [
  [4001, 'Ann', 'Able', '(212) 555-0101'],
  [4002, 'Ben', 'Best', '(212) 555-0102'],
  [4003, 'Cal', 'Cole', '(212) 555-0177'], // opted out in TextUs
  [4004, 'Dee', 'Dunn', null], // no number in Greenhouse
  [4005, 'Eve', 'East', '(303) 555-0105'], // Denver: in their quiet hours
];

function seed() {
  const s = JSON.parse(fs.readFileSync(path.join(__dirname, 'seed.json'), 'utf8'));
  const jane = s.harvest.candidates.find((c) => c.id === 1001);
  for (const [id, first, last, phone] of PEOPLE) {
    s.harvest.candidates.push(Object.assign({}, jane, { id, first_name: first, last_name: last,
      phone_numbers: phone ? [{ value: phone, type: 'mobile' }] : [] }));
    s.harvest.activity_feed[String(id)] = { activities: [] };
  }
  for (let id = 4011; id <= 4018; id++) { // the list that is stopped
    s.harvest.candidates.push(Object.assign({}, jane, { id, first_name: `Stop${id}`, last_name: 'Case',
      phone_numbers: [{ value: `(212) 555-${id - 4011 + 1200}`, type: 'mobile' }] }));
    s.harvest.activity_feed[String(id)] = { activities: [] };
  }
  s.textus.opt_outs.push('+12125550177');
  return s;
}

// A window that holds the present hour in New York and not Denver's (two hours behind).
function windowNewYorkOnly() {
  const h = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric',
    hourCycle: 'h23' }).format(new Date()));
  const pad = (n) => String(n).padStart(2, '0');
  return h <= 21 ? `${pad(h)}:00-${pad(h + 2)}:00` : `${pad(h)}:00-23:59`;
}

const w = L.worldHooks(test, HAS, { seed: seed() });

// The parts of `selector` (their text) whose right edge runs past its own: a long unbroken word
// must wrap inside the dialog, not spill out of it.
const overflowing = (page, selector) => page.evaluate((sel) => {
  const root = document.querySelector(sel);
  const right = root.getBoundingClientRect().right;
  return Array.from(root.querySelectorAll('li, p, h2, h3')).filter((e) => e.getBoundingClientRect().right > right + 1 ||
    e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.slice(0, 40));
}, selector);
// the progress bar as drawn: {value, max}
const bar = (page) => page.evaluate(() => {
  const b = document.querySelector('.textus-bulk progress');
  return { value: b.value, max: b.max };
});

test('a bulk of 5: the confirmation in words, the progress, the final counts', { skip }, async () => {
  F.configure(w.fakes, w.run.state, { settings: { quiet_hours: windowNewYorkOnly() } });
  const page = await w.ctx.newPage();
  const list = PEOPLE.map(([id, first, last]) => `${id}:${first} ${last}`).join(',');
  await page.goto(`${w.base}/people?job_id=7001&c=${encodeURIComponent(list)}`);
  await page.waitForFunction(() => document.documentElement.dataset.textusBulk === 'ready', null, { timeout: 20000 });
  await page.check('#select-all');
  await page.click('#bulk-actions');
  const item = page.locator('#bulk-menu button.textus-bulk-open');
  assert.strictEqual(await item.textContent(), 'Text selected');
  await item.click();
  const dlg = page.locator('.textus-bulk [role=dialog]');
  assert.strictEqual(await dlg.locator('h2').textContent(), 'Text 5 candidates');
  assert.strictEqual(await page.locator('#textus-bulk-quiet-schedule').isChecked(), true);
  await page.mouse.move(0, 0); // off the buttons: axe's contrast check sees the resting colours
  await L.assertAccessible(page, '.textus-bulk', 'bulk-compose');
  await page.fill('#textus-bulk-body', 'Hi {first_name}, are you free for a call this week?');
  await dlg.locator('button.textus-bulk-preview').click();

  // the confirmation: bulk_preview's answer in words; nothing sent yet
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'confirm', null,
    { timeout: 60000 });
  const count = await dlg.locator('.textus-bulk-count').textContent();
  // the preview reads the opt-outs (host/PROTOCOL.md, bulk_preview): Cal is not counted
  assert.strictEqual(count, '3 candidates will get this text, 1 of them scheduled for when their quiet hours end ' +
    '(too early or too late now). Opt-outs and blocked numbers were checked in TextUs just now.');
  L.assertHumane(count, 'the bulk count');
  // the heading says both counts: 5 texts are not going out, 3 are
  assert.strictEqual(await dlg.locator('h2').textContent(), '5 selected · 3 will be texted');
  const previews = await dlg.locator('.textus-bulk-previews li').allTextContents();
  assert.deepStrictEqual(previews.slice(0, 2), [
    'Ann Able: “Hi Ann, are you free for a call this week?”',
    'Ben Best: “Hi Ben, are you free for a call this week?”',
  ]);
  // Eve, in her quiet hours: scheduled for when they end (not "their morning": a window may end
  // at any hour), and when that is in the recruiter's time
  // (the compose box's words: their time first; the preview gives no zone of hers)
  assert.strictEqual(previews.length, 3);
  assert.match(previews[2], /^Eve East: “Hi Eve, are you free for a call this week\?” \(scheduled for when their quiet hours end: (Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{1,2}:\d\d [AP]M your time\)$/);
  assert.deepStrictEqual(await dlg.locator('.textus-bulk-skipped li').allTextContents(),
    ['Cal Cole: opted out of texts', 'Dee Dunn: no US or Canada phone number in Greenhouse']);
  assert.strictEqual(await dlg.locator('button.textus-bulk-send').textContent(), 'Text 3 candidates');
  const messages = async () => (await F.requests(w.fakes)).filter((r) => r.server === 'textus' && r.method === 'POST' &&
    /^\/acme\/messages(\/schedule)?$/.test(r.path));
  assert.strictEqual((await messages()).length, 0, 'the preview sends nothing');
  await page.mouse.move(0, 0);
  await L.assertAccessible(page, '.textus-bulk', 'bulk-confirm');

  // sent: the progress, then the summary
  await dlg.locator('button.textus-bulk-send').click();
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'sending', null,
    { timeout: 60000 });
  // counted against the 3 being texted, not the 5 selected
  assert.match(await dlg.locator('.textus-bulk-progress').textContent(),
    /^(\d of 3 texted|\d texted, 1 scheduled for when their quiet hours end, of 3)/);
  assert.strictEqual(await dlg.locator('h2').textContent(), 'Texting 3 candidates…');
  await page.mouse.move(0, 0);
  await L.assertAccessible(page, '.textus-bulk', 'bulk-sending');
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'done', null,
    { timeout: 120000 });
  const summary = await dlg.locator('.textus-bulk-progress').textContent();
  // the scheduled text has not gone yet: said apart from the texted
  assert.strictEqual(summary, 'Done: 2 texted, 1 scheduled for when their quiet hours end, of 3. 2 skipped, listed below. ' +
    'Each text sent is noted on the candidate in Greenhouse.');
  assert.deepStrictEqual(await bar(page), { value: 3, max: 3 });
  L.assertHumane(summary, 'the bulk summary');
  assert.deepStrictEqual((await dlg.locator('.textus-bulk-outcomes li').allTextContents()).sort(),
    ['Cal Cole: opted out of texts', 'Dee Dunn: no US or Canada phone number in Greenhouse']);
  assert.strictEqual(await dlg.locator('h2').textContent(), 'Texting done');
  assert.strictEqual(await dlg.locator('#textus-bulk-not-texted').isVisible(), true, 'the skipped ones under a heading');
  await L.assertAccessible(page, '.textus-bulk', 'bulk-done');
  const sent = await messages();
  assert.deepStrictEqual(sent.map((r) => r.body.to).sort(), ['+12125550101', '+12125550102', '+13035550105']);
  assert.strictEqual(sent.filter((r) => r.path === '/acme/messages/schedule').length, 1);
  await page.close();
  F.configure(w.fakes, w.run.state, { settings: { quiet_hours: 'off' } });
});

test('Stop sending: bulk_cancel on a port of its own, the rest cancelled, the summary says so', { skip }, async () => {
  const page = await w.ctx.newPage();
  const ids = [];
  for (let id = 4011; id <= 4018; id++) ids.push(`${id}:Stop${id} Case`);
  await page.goto(`${w.base}/people?job_id=7002&c=${encodeURIComponent(ids.join(','))}`);
  await page.waitForFunction(() => document.documentElement.dataset.textusBulk === 'ready', null, { timeout: 20000 });
  await page.check('#select-all');
  await page.click('#bulk-actions');
  await page.click('#bulk-menu button.textus-bulk-open');
  const dlg = page.locator('.textus-bulk [role=dialog]');
  await dlg.locator('button.textus-bulk-preview').click();
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'confirm', null,
    { timeout: 60000 });
  await dlg.locator('button.textus-bulk-send').click();
  await page.waitForFunction(() => /^[1-9] of 8 texted/.test((document.querySelector('.textus-bulk-progress') || {}).textContent || ''),
    null, { timeout: 60000 });
  await dlg.locator('button.textus-bulk-cancel').click();
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'done', null,
    { timeout: 60000 });
  assert.strictEqual(await dlg.locator('h2').textContent(), 'Texting stopped');
  const summary = await dlg.locator('.textus-bulk-progress').textContent();
  const m = /^Stopped: (\d) of 8 texted\. (\d) cancelled, not texted\. /.exec(summary);
  assert.ok(m, summary);
  assert.strictEqual(Number(m[1]) + Number(m[2]), 8);
  assert.ok(Number(m[2]) >= 1, summary);
  // the bar shows what was texted: the cancelled are not progress, so it is not full
  assert.deepStrictEqual(await bar(page), { value: Number(m[1]), max: 8 });
  const texted = (await F.requests(w.fakes)).filter((r) => r.server === 'textus' && r.method === 'POST' &&
    r.path === '/acme/messages' && /^Hi Stop/.test(r.body.body));
  assert.strictEqual(texted.length, Number(m[1]), 'the cancelled candidates are not texted');
  await page.mouse.move(0, 0);
  await L.assertAccessible(page, '.textus-bulk', 'bulk-stopped');
  await page.close();
});

// Where focus is: 'dialog' (inside the open bulk dialog), else the focused element's id or text.
const focusIs = (page) => page.evaluate(() => {
  const a = document.activeElement;
  if (a && a.closest('.textus-bulk')) return 'dialog';
  return a ? (a.id || (a.textContent || '').trim() || a.tagName) : null;
});

test('the bulk dialog is a modal: Tab and Shift+Tab stay inside, Escape gives focus back', { skip }, async () => {
  const page = await w.ctx.newPage();
  const list = PEOPLE.map(([id, first, last]) => `${id}:${first} ${last}`).join(',');
  await page.goto(`${w.base}/people?job_id=7001&c=${encodeURIComponent(list)}`);
  await page.waitForFunction(() => document.documentElement.dataset.textusBulk === 'ready', null, { timeout: 20000 });
  await page.check('#select-all');
  await page.click('#bulk-actions');
  await page.click('#bulk-menu button.textus-bulk-open');
  const dlg = page.locator('.textus-bulk [role=dialog]');
  await dlg.waitFor();
  assert.strictEqual(await dlg.getAttribute('aria-modal'), 'true');
  assert.strictEqual(await page.evaluate(() => document.activeElement.id), 'textus-bulk-body', 'focus moves in on open');
  // the dialog's controls in Tab order: the text, the checked quiet-hours choice, Review, Cancel
  const stops = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    assert.strictEqual(await focusIs(page), 'dialog', `Tab ${i + 1} left the dialog`);
    stops.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  assert.deepStrictEqual(stops, ['textus-bulk-quiet-schedule', 'Review before sending', 'Cancel',
    'textus-bulk-body', 'textus-bulk-quiet-schedule', 'Review before sending'], 'Tab cycles inside');
  await page.focus('#textus-bulk-body');
  await page.keyboard.press('Shift+Tab');
  assert.strictEqual(await page.evaluate(() => document.activeElement.textContent.trim()), 'Cancel',
    'Shift+Tab on the first control goes to the last');
  // the page behind cannot take focus while the dialog is open
  assert.strictEqual(await page.evaluate(() => document.querySelector('main').inert), true);
  await page.keyboard.press('Escape');
  assert.strictEqual(await page.locator('.textus-bulk').count(), 0, 'Escape closes it');
  // "Text selected" was in the menu, which closed when it was picked: its menu button gets focus
  assert.strictEqual(await focusIs(page), 'bulk-actions');
  assert.strictEqual(await page.evaluate(() => document.querySelector('main').inert), false, 'the page is usable again');
  await page.close();
});

test('another list layout (cards, profile links only): the candidates found, the dialog, focus back on Text selected', { skip }, async () => {
  const page = await w.ctx.newPage();
  const list = PEOPLE.map(([id, first, last]) => `${id}:${first} ${last}`).join(',');
  await page.goto(`${w.base}/people?layout=cards&c=${encodeURIComponent(list)}`);
  await page.waitForFunction(() => document.documentElement.dataset.textusBulk === 'ready', null, { timeout: 20000 });
  const open = page.locator('button.textus-bulk-open');
  assert.strictEqual(await open.textContent(), 'Text selected');
  assert.strictEqual(await open.evaluate((b) => b.previousElementSibling.id), 'gh-bulk', 'beside the page\'s Bulk Actions');
  await page.click('#gh-bulk'); // Greenhouse's documented flow: Bulk Actions shows the checkboxes
  await page.check('input[aria-label="Select Ann Able"]');
  await page.check('input[aria-label="Select Dee Dunn"]');
  await open.click();
  const dlg = page.locator('.textus-bulk [role=dialog]');
  assert.strictEqual(await dlg.locator('h2').textContent(), 'Text 2 candidates');
  // a long unbroken word (a link) wraps inside the dialog
  const link = `https://careers.example.com/jobs/${'a'.repeat(90)}`;
  await page.fill('#textus-bulk-body', `Hi {first_name}, are you free for a call this week? ${link}`);
  await dlg.locator('button.textus-bulk-preview').click();
  await page.waitForFunction(() => document.querySelector('.textus-bulk').dataset.state === 'confirm', null,
    { timeout: 60000 });
  // the ids came from the profile links (/people/<id>?application_id=…), the names from their text
  assert.deepStrictEqual(await dlg.locator('.textus-bulk-previews li').allTextContents(),
    [`Ann Able: “Hi Ann, are you free for a call this week? ${link}”`]);
  assert.deepStrictEqual(await overflowing(page, '.textus-bulk-dialog'), [], 'a long word runs out of the dialog');
  assert.strictEqual(await dlg.locator('h2').textContent(), '2 selected · 1 will be texted');
  assert.deepStrictEqual(await dlg.locator('.textus-bulk-skipped li').allTextContents(),
    ['Dee Dunn: no US or Canada phone number in Greenhouse']);
  assert.strictEqual(await dlg.locator('.textus-bulk-count').textContent(), '1 candidate will get this text. ' +
    'Opt-outs and blocked numbers were checked in TextUs just now.');
  await page.mouse.move(0, 0); // off the buttons: axe's contrast check sees the resting colours
  await L.assertAccessible(page, '.textus-bulk', 'bulk-confirm-cards');
  // the confirmation is modal too: Shift+Tab from its first button goes to its last
  assert.strictEqual(await page.evaluate(() => document.activeElement.textContent), 'Text 1 candidate');
  await page.keyboard.press('Shift+Tab');
  assert.strictEqual(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
  await page.keyboard.press('Tab');
  assert.strictEqual(await page.evaluate(() => document.activeElement.textContent), 'Text 1 candidate');
  await page.keyboard.press('Escape');
  assert.strictEqual(await page.locator('.textus-bulk').count(), 0);
  assert.strictEqual(await page.evaluate(() => document.activeElement.className), 'textus-bulk-open textus-bulk-beside',
    'focus back on Text selected');
  // a list of one: its Select All surrounds links to that one candidate only; its own box counts
  await page.goto(`${w.base}/people?layout=cards&c=${encodeURIComponent('4001:Ann Able')}`);
  await page.waitForFunction(() => document.documentElement.dataset.textusBulk === 'ready', null, { timeout: 20000 });
  await page.click('#gh-bulk');
  await page.check('input[aria-label="Select Ann Able"]');
  await page.click('button.textus-bulk-open');
  assert.strictEqual(await dlg.locator('h2').textContent(), 'Text 1 candidate');
  // an unknown merge field is the text's fault, said so (bulk_preview's bad_request)
  await page.fill('#textus-bulk-body', 'Hi {frist_name}');
  await dlg.locator('button.textus-bulk-preview').click();
  await page.waitForFunction(() => /^Check the text: .*merge field/.test(
    (document.querySelector('.textus-bulk-error') || {}).textContent || ''), null, { timeout: 60000 });
  await page.keyboard.press('Escape');
  // a selection of 612: refused in the dialog's own words before the host is asked (it was sent
  // to bulk_preview, whose bad_request the dialog called a problem with the text)
  const before = (await F.requests(w.fakes)).length;
  await page.evaluate(() => {
    const box = document.body.appendChild(document.createElement('div'));
    for (let i = 0; i < 612; i++) {
      const row = box.appendChild(document.createElement('div'));
      row.dataset.candidateId = String(7000 + i);
      const c = row.appendChild(document.createElement('input'));
      c.type = 'checkbox';
      c.checked = true;
      const a = row.appendChild(document.createElement('a'));
      a.href = `/people/${7000 + i}`;
      a.textContent = `Cand ${i}`;
    }
  });
  await page.click('button.textus-bulk-open');
  assert.match(await dlg.locator('p').first().textContent(),
    /^61[23] candidates are selected, and a bulk texts at most 500 at a time\. Select fewer, then Text selected again\.$/);
  assert.strictEqual(await dlg.locator('button.textus-bulk-preview').count(), 0);
  assert.strictEqual((await F.requests(w.fakes)).length, before, 'the host was not asked');
  await page.keyboard.press('Escape');
  await page.close();
});
