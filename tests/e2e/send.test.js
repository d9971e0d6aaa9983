// End-to-end send flow in headless Chromium against the fakes, over the tab's long-lived port
// (one host for the tab): the compose box checks the number first (prepare_send); click →
// "Sent" as soon as TextUs accepted the text (reply_before_note), "note added in Greenhouse" on
// the host's note event, then "Delivered" once the fake advances the message; exactly one SMS
// and one note. "Import to TextUs" creates one contact; an opted-out candidate is shown as
// such before anyone types, and nothing can be sent.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const L = require('./lib');
const F = require('./fakes');

const HAS_SEND = L.hostHasVerb('send_sms') && L.hostHasVerb('extract_phone');
const skip = HAS_SEND ? false : 'this host has no send_sms/extract_phone yet';

const w = L.worldHooks(test, HAS_SEND);

const open = (id, phone, name) => L.openProfile(w.ctx, L.profileUrl(w.base, id, { phone, name }));

const sms = (recs) => recs.filter((r) => r.server === 'textus' && r.method === 'POST' && /^\/acme\/messages$/.test(r.path));
const notes = (recs) => recs.filter((r) => r.server === 'harvest' && r.method === 'POST' && /notes$/.test(r.path));

test('click → "Sent" at once, then "note added" (the host\'s event), then Delivered, over one long-lived port',
  { skip }, async () => {
    const page = await open(1001, '(303) 555-0123', 'Jane Candidate');
    assert.strictEqual(await page.evaluate(() => document.documentElement.dataset.textusState), 'ready');
    // the tab's requests so far (ping, extract_phone) went to one host that stays: the port
    // (the service worker's periodic flush_outbox, asked for when a profile opens, is a
    // one-shot host of its own that ends on its own: wait for it to go)
    const hosts = await L.waitHosts(w.run.installedHost, 1, 15000);
    assert.strictEqual(hosts.length, 1, `one host for the tab, found ${hosts.length}`);
    const box = await L.openCompose(page);
    // the compose box checked the number first (prepare_send)
    await L.checkSettled(page);
    assert.strictEqual(await box.getAttribute('data-check'), 'clear');
    assert.match(await box.locator('.textus-counter').textContent(), /^\d+ characters · 1 text \(limit 3\)$/);
    await box.locator('textarea.textus-body').fill('Hi Jane, this is Alice from Acme. Free for a call on Thursday?');
    const before = await F.requests(w.fakes);
    // a slow Greenhouse: "Sent" must not wait for it
    await F.fault(w.fakes, { server: 'harvest', method: 'POST', path_re: 'notes$', action: { delay_ms: 1500 } });
    // every text the status line shows, in order
    await page.evaluate(() => {
      const s = document.querySelector('.textus-send-status');
      window.__statusSeen = [];
      new MutationObserver(() => {
        const t = s.textContent;
        if (window.__statusSeen[window.__statusSeen.length - 1] !== t) window.__statusSeen.push(t);
      }).observe(s, { childList: true, characterData: true, subtree: true });
    });
    await box.locator('button.textus-send').click();
    const status = await L.sendSettled(page);
    assert.strictEqual(await status.getAttribute('data-state'), 'sent', await status.textContent());
    assert.strictEqual(await status.getAttribute('data-note'), 'pending', 'Sent before the note was written');
    assert.strictEqual(await status.textContent(), 'Sent: waiting for the phone company to confirm delivery.Adding the note in Greenhouse…');
    await page.waitForFunction(() => document.querySelector('.textus-send-status').dataset.note === 'written',
      null, { timeout: 30000 });
    assert.strictEqual(await status.textContent(), 'Sent: waiting for the phone company to confirm delivery.Note added in Greenhouse.');
    const recs = (await F.requests(w.fakes)).slice(before.length);
    const sent = sms(recs);
    assert.strictEqual(sent.length, 1, JSON.stringify(sent));
    assert.strictEqual(sent[0].body.to, '+13035550123');
    assert.match(sent[0].body.body, /Free for a call on Thursday/);
    const n = notes(recs);
    assert.strictEqual(n.length, 1, JSON.stringify(n));
    assert.match(n[0].path, /1001/);
    // the checks of prepare_send were reused: none between the click and the SMS (the
    // thread's refresh after the send reads the conversation too; that is not a check)
    const checks = recs.filter((r) => r.seq < sent[0].seq && r.method === 'GET' &&
      /^\/acme\/(opt_outs|conversations)\//.test(r.path));
    assert.deepStrictEqual(checks, [], 'the send checked again');
    await F.resetFaults(w.fakes);
    await F.advance(w.fakes); // every pending message → delivered
    await page.waitForFunction(() => document.querySelector('.textus-send-status').dataset.delivery, null,
      { timeout: 30000 });
    assert.strictEqual(await status.getAttribute('data-delivery'), 'delivered');
    assert.strictEqual(await status.textContent(), "Delivered: it reached Jane's phone.Note added in Greenhouse.");
    // the thread's bubble of that message says the same as the status line (not "Pending")
    const msgId = await status.getAttribute('data-message-id');
    const bubble = page.locator(`.textus-thread .textus-msg[data-id="${msgId}"]`);
    await bubble.waitFor({ timeout: 10000 });
    assert.strictEqual(await bubble.getAttribute('data-delivery'), 'Delivered');
    assert.match(await bubble.locator('.textus-msg-delivery').textContent(), /^Delivered$/);
    const seen = await page.evaluate(() => window.__statusSeen);
    const at = (re) => seen.findIndex((t) => re.test(t));
    const sentAdding = at(/^Sent: waiting for the phone company to confirm delivery\.Adding the note/);
    assert.ok(sentAdding >= 0 && sentAdding < at(/Note added/) &&
      at(/Note added/) < at(/^Delivered/), `Sent, then note added, then Delivered: ${JSON.stringify(seen)}`);
    assert.strictEqual(sms(await F.requests(w.fakes)).length, 1 + sms(before).length, 'still one message after polling');
    // still the same host: every verb of the tab went over one port
    assert.ok(L.hostPids(w.run.installedHost).includes(hosts[0]), 'the tab kept its host');
    await page.close();
    // the tab is gone: its host gets EOF and exits
    assert.ok(!(await L.waitHosts(w.run.installedHost, 0, 5000)).includes(hosts[0]),
      'the closed tab left its host running');
  });

test('Import to TextUs creates one contact', { skip }, async () => {
  const page = await open(1001, '(303) 555-0123', 'Jane Candidate');
  const before = (await F.fakeState(w.fakes)).textus.contacts.length;
  await page.click('button.textus-import-btn');
  await page.waitForFunction(() => {
    const b = document.querySelector('button.textus-import-btn');
    return b && b.dataset.state;
  }, null, { timeout: 30000 });
  const btn = page.locator('button.textus-import-btn');
  assert.strictEqual(await btn.getAttribute('data-state'), 'created', await btn.textContent());
  const contacts = (await F.fakeState(w.fakes)).textus.contacts;
  assert.strictEqual(contacts.length, before + 1);
  await page.close();
});

test('opted-out candidate → the compose box says so before anyone types, and nothing can be sent', { skip }, async () => {
  const page = await open(1003, '(303) 555-0177', 'Olive Optedout');
  const before = sms(await F.requests(w.fakes)).length;
  const box = await L.openCompose(page);
  await L.checkSettled(page);
  assert.strictEqual(await box.getAttribute('data-check'), 'opted_out');
  assert.match(await box.locator('.textus-check').textContent(), /opted out/);
  assert.strictEqual(await box.locator('button.textus-send').isDisabled(), true);
  assert.strictEqual(sms(await F.requests(w.fakes)).length, before, 'no message for an opted-out number');
  await page.close();
});

test('options page: credentials are write-only, status is masked, a contact can be locked', { skip }, async () => {
  const sw = w.ctx.serviceWorkers()[0] || await w.ctx.waitForEvent('serviceworker');
  const extId = new URL(sw.url()).host;
  const page = await w.ctx.newPage();
  await page.goto(`chrome-extension://${extId}/options.html`);
  await page.waitForFunction(() => {
    const s = document.getElementById('summary').dataset.state;
    return s && s !== 'checking';
  }, null, { timeout: 30000 });
  await page.fill('#textus_token', 'tok_e2e_options_FAKE_0002');
  await page.click('#save');
  await page.waitForFunction(() => {
    const s = document.getElementById('save_result').dataset.state;
    return s && s !== 'saving';
  }, null, { timeout: 60000 });
  const msg = await page.textContent('#save_result');
  assert.match(msg, /^Saved/, msg);
  assert.strictEqual(await page.inputValue('#textus_token'), '', 'the secret field is cleared after sending');
  await page.waitForFunction(() => document.getElementById('textus_token_state').textContent.includes('0002'), null,
    { timeout: 20000 });
  assert.strictEqual(await page.textContent('#textus_token_state'), 'stored (…0002)');
  assert.ok(!(await page.textContent('body')).includes('tok_e2e_options_FAKE_0002'), 'the page shows no secret');
  // lock a contact
  await page.fill('#optout_to', '+13035550188');
  await page.click('#optout');
  await page.waitForFunction(() => document.getElementById('optout_msg').textContent, null, { timeout: 30000 });
  assert.match(await page.textContent('#optout_msg'), /^Opted out: /);
  const st = await F.fakeState(w.fakes);
  assert.ok(JSON.stringify(st.textus.opt_outs).includes('+13035550188'), JSON.stringify(st.textus.opt_outs));
  await page.close();
});
