// End-to-end two-way conversation in headless Chromium against the fakes: the compose box
// shows the thread above the text box (a sent text, then the candidate's reply after the box
// is reopened), the reply becomes exactly one note at the fake Greenhouse, the "Text
// candidate" button carries a dot while the reply is unanswered, and the service worker's
// periodic flush logs a reply while another Greenhouse profile is open.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const L = require('./lib');
const F = require('./fakes');

const HAS_CONV = L.hostHasVerb('conversation') && L.hostHasVerb('send_sms');
const skip = HAS_CONV ? false : 'this host has no conversation verb yet';

const w = L.worldHooks(test, HAS_CONV);

const open = (id, phone, name) => L.openProfile(w.ctx, L.profileUrl(w.base, id, { phone, name }));

async function openCompose(page) {
  const box = await L.openCompose(page);
  await page.waitForFunction(() => {
    const t = document.querySelector('.textus-compose .textus-thread');
    return t && t.dataset.state && t.dataset.state !== 'loading';
  }, null, { timeout: 30000 });
  return box;
}

const notesWith = async (text) => (await F.fakeState(w.fakes)).harvest.notes.filter((n) => n.body.includes(text));

async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('the compose box shows the thread; a reply shows after reopening, with one note and a dot', { skip }, async () => {
  const page = await open(1001, '(303) 555-0123', 'Jane Candidate');
  let box = await openCompose(page);
  const thread = box.locator('.textus-thread');
  assert.strictEqual(await thread.getAttribute('data-count'), '0');
  await box.locator('textarea.textus-body').fill('Hi Jane, are you free for a call on Thursday?');
  await box.locator('button.textus-send').click();
  assert.strictEqual(await (await L.sendSettled(page)).getAttribute('data-state'), 'sent');
  // refreshed after the send: our text, outgoing, with its delivery word
  await page.waitForFunction(() => document.querySelector('.textus-thread').dataset.count === '1', null,
    { timeout: 30000 });
  const outMsg = thread.locator('.textus-msg[data-direction="out"]');
  assert.match(await outMsg.locator('.textus-msg-body').textContent(), /free for a call on Thursday/);
  assert.match(await outMsg.getAttribute('data-delivery'), /^(Pending|Delivered)$/);
  assert.strictEqual(await page.locator('button.textus-text-btn').getAttribute('data-unanswered'), '0');

  // the candidate answers; the box is closed and opened again
  const reply = (await F.inbound(w.fakes, '+13035550123', 'Thursday at 3 works for me')).message_id;
  await box.locator('button.textus-close').click();
  box = await openCompose(page);
  const inMsg = box.locator('.textus-thread .textus-msg[data-direction="in"]');
  await inMsg.waitFor({ timeout: 30000 });
  assert.strictEqual(await inMsg.getAttribute('data-id'), reply);
  assert.match(await inMsg.locator('.textus-msg-body').textContent(), /Thursday at 3 works for me/);
  const msgs = await box.locator('.textus-thread .textus-msg').evaluateAll((els) => els.map((e) => e.dataset.direction));
  assert.deepStrictEqual(msgs, ['out', 'in'], 'oldest first');
  // its note at Greenhouse, exactly one, on the candidate
  const ns = await waitFor(async () => { const n = await notesWith(`[textus:${reply}]`); return n.length ? n : null; },
    30000, 'the reply note');
  assert.strictEqual(ns.length, 1, JSON.stringify(ns));
  assert.strictEqual(String(ns[0].candidate_id), '1001');
  assert.match(ns[0].body, /Thursday at 3 works for me/);
  assert.match(ns[0].body, /\+13035550123/);
  // the button's dot: the latest message is an unanswered reply
  await page.waitForFunction(() => document.querySelector('button.textus-text-btn').dataset.unanswered === '1', null,
    { timeout: 30000 });
  assert.strictEqual(await page.locator('button.textus-text-btn .textus-dot').count(), 1);
  // opened again: still one note
  await box.locator('button.textus-close').click();
  box = await openCompose(page);
  assert.strictEqual(await box.locator('.textus-thread').getAttribute('data-count'), '2');
  assert.strictEqual((await notesWith(`[textus:${reply}]`)).length, 1, 'no second note');
  await page.close();
});

test('while a Greenhouse profile is open the service worker flushes: a reply is logged unseen', { skip }, async () => {
  const page = await open(1001, '(303) 555-0131', 'Jane Candidate');
  const box = await openCompose(page);
  await box.locator('textarea.textus-body').fill('Hi Jane, a quick question about your start date.');
  await box.locator('button.textus-send').click();
  await page.waitForFunction(() => document.querySelector('.textus-send-status').dataset.state === 'sent', null,
    { timeout: 60000 });
  // the refresh after the send has read the thread: nothing of this page reads it again
  await page.waitForFunction(() => document.querySelector('.textus-thread').dataset.count === '1', null,
    { timeout: 30000 });
  await page.close();
  const reply = (await F.inbound(w.fakes, '+13035550131', 'I can start on the 1st')).message_id;
  assert.strictEqual((await notesWith(`[textus:${reply}]`)).length, 0);
  // as if the 2 minutes between two flushes had passed
  const sw = w.ctx.serviceWorkers()[0] || await w.ctx.waitForEvent('serviceworker');
  await sw.evaluate(() => chrome.storage.session.remove('textusLastFlushAt'));
  // another candidate's profile: its page never asks about +13035550131
  const other = await open(1003, '(303) 555-0177', 'Olive Optedout');
  const ns = await waitFor(async () => { const n = await notesWith(`[textus:${reply}]`); return n.length ? n : null; },
    45000, 'the reply note written by the periodic flush');
  assert.strictEqual(ns.length, 1);
  assert.strictEqual(String(ns[0].candidate_id), '1001');
  const flushes = (await F.requests(w.fakes)).filter((r) => r.server === 'textus' && r.method === 'GET' &&
    r.path === '/acme/conversations/+13035550131');
  assert.ok(flushes.length >= 1, 'the flush read the conversation');
  await other.close();
});
