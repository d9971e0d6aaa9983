// The compose box's own template before the host can say who the recruiter is (a TextUs token
// whose user is not known yet: no text sent with it, and not an account admin who may list
// users, so saved_replies answers textus_user_unknown): "Your name" from the options page fills
// the recruiter's fields; without it {recruiter_first_name} stays as written, highlighted, and
// the first click on Send only says so ("Send as written" sends it).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const L = require('./lib');
const F = require('./fakes');

const HAS = L.hostHasVerb('saved_replies');
const skip = HAS ? false : 'this host has no saved_replies yet';

// the e2e seed with the recruiter's token a plain member of the account (GET /users: 403)
function memberSeed() {
  const seed = JSON.parse(fs.readFileSync(path.join(__dirname, 'seed.json'), 'utf8'));
  for (const t of Object.values(seed.textus.tokens)) t.roles = { acme: 'member' };
  return seed;
}

const w = L.worldHooks(test, HAS, { seed: memberSeed() });

async function compose() {
  const page = await L.openProfile(w.ctx, L.profileUrl(w.base, 1001, { phone: '(303) 555-0123', name: 'Jane Candidate' }));
  const box = await L.openCompose(page);
  await page.waitForFunction(() => {
    const t = document.querySelector('.textus-templates');
    return t && t.dataset.state && t.dataset.state !== 'loading';
  }, null, { timeout: 30000 });
  assert.strictEqual(await box.locator('.textus-templates').getAttribute('data-state'), 'error:textus_user_unknown');
  return { page, box };
}

const sms = async () => (await F.requests(w.fakes)).filter((r) => r.server === 'textus' && r.method === 'POST' &&
  r.path === '/acme/messages');
const REST = ' Thanks for your interest in the role. Do you have a few minutes to talk this week?';

test('"Your name" on the options page fills the recruiter\'s fields when the host cannot', { skip }, async () => {
  assert.strictEqual(await L.setTemplate(w.ctx, '', 'Sam Recruiter'), 'Saved.');
  const { page, box } = await compose();
  assert.strictEqual(await box.locator('textarea.textus-body').inputValue(), `Hi Jane, this is Sam.${REST}`);
  assert.strictEqual(await box.locator('.textus-unfilled mark').count(), 0);
  await page.close();
});

test('unknown recruiter: {recruiter_first_name} stays highlighted and is sent only as written, on a second click', { skip }, async () => {
  await L.setTemplate(w.ctx, '', '');
  const { page, box } = await compose();
  const text = `Hi Jane, this is {recruiter_first_name}.${REST}`;
  const ta = box.locator('textarea.textus-body');
  assert.strictEqual(await ta.inputValue(), text);
  assert.deepStrictEqual(await box.locator('.textus-unfilled mark.textus-missing').allTextContents(),
    ["Your first name isn't known"]);
  const send = box.locator('button.textus-send');
  await send.click();
  const status = box.locator('.textus-send-status');
  assert.strictEqual(await status.getAttribute('data-state'), 'unfilled');
  assert.match(await status.textContent(), /^Your first name isn't known: edit the text, or press "Send as written"/);
  assert.strictEqual(await send.textContent(), 'Send as written');
  assert.strictEqual((await sms()).length, 0, 'nothing is sent on the first click');
  await send.click();
  assert.strictEqual(await (await L.sendSettled(page)).getAttribute('data-state'), 'sent');
  const sent = await sms();
  assert.strictEqual(sent.length, 1);
  assert.strictEqual(sent[0].body.body, text);
  await page.close();
});
