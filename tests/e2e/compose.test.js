// End-to-end composing in headless Chromium against the fakes: pick a TextUs template in the
// compose box, see it filled for the candidate (missing fields highlighted), send it; and in
// the candidate's quiet hours (a window set to exclude the present hour in Denver, the
// number's zone) the refusal offers "Schedule for <their time>", which schedules exactly one
// message in TextUs and logs one note. The compose box's own template uses the same merge
// fields as the saved replies, filled from the page and the host; one it cannot fill is
// highlighted and sent only after a second click.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const L = require('./lib');
const F = require('./fakes');

const HAS = L.hostHasVerb('saved_replies') && L.hostHasVerb('schedule_sms') && L.hostHasVerb('local_time');
const skip = HAS ? false : 'this host has no saved_replies/schedule_sms/local_time yet';

const SAVED = [
  { user: '/users/1', title: 'Intro', shared: false,
    content: 'Hi {first_name}, this is {recruiter_first_name} from Acme. Still interested in the {job_title} role?' },
  { user: '/users/1', title: 'Follow-up', shared: false,
    content: 'Hi {full_name}, following up on my text. {recruiter_name}' },
];

// the e2e seed, plus the recruiter's saved replies
function composeSeed() {
  const seed = JSON.parse(fs.readFileSync(path.join(__dirname, 'seed.json'), 'utf8'));
  seed.textus.saved_replies = SAVED;
  return seed;
}

const w = L.worldHooks(test, HAS, { seed: composeSeed() });

async function compose(id, phone, name) {
  const page = await L.openProfile(w.ctx, L.profileUrl(w.base, id, { phone, name }));
  assert.strictEqual(await page.evaluate(() => document.documentElement.dataset.textusState), 'ready');
  return { page, box: await L.openCompose(page) };
}

const posts = (recs, p) => recs.filter((r) => r.server === 'textus' && r.method === 'POST' && r.path === p);

test('pick a template, see it filled for the candidate, send it', { skip }, async () => {
  const { page, box } = await compose(1001, '(303) 555-0123', 'Jane Candidate');
  await page.waitForFunction(() => {
    const t = document.querySelector('.textus-templates');
    return t && t.dataset.state && t.dataset.state !== 'loading';
  }, null, { timeout: 30000 });
  const picker = box.locator('.textus-templates');
  assert.strictEqual(await picker.getAttribute('data-state'), 'ready',
    await box.locator('.textus-template-note').textContent());
  assert.strictEqual(await box.locator('.textus-template').count(), 2);
  // the candidate's local time next to the number: Denver for +1 303
  await page.waitForFunction(() => /Denver/.test(document.querySelector('.textus-local-time').textContent),
    null, { timeout: 20000 });
  assert.match(await box.locator('.textus-local-time').textContent(), /^Their time: \d{1,2}:\d\d [AP]M \(Denver\)/);

  // search, then pick
  await box.locator('details.textus-templates summary').click();
  await box.locator('.textus-template-search').fill('intro');
  await page.waitForFunction(() => document.querySelector('.textus-templates').dataset.count === '1', null,
    { timeout: 20000 });
  await box.locator('.textus-template', { hasText: 'Intro' }).click();
  // picked is used: the template is in the message box, the unfilled field said in words
  assert.deepStrictEqual(await box.locator('mark.textus-missing').allTextContents(), ["The job title isn't known"]);
  const ta = box.locator('textarea.textus-body');
  const filled = await ta.inputValue();
  assert.strictEqual(filled, 'Hi Jane, this is Alice from Acme. Still interested in the {job_title} role?');
  const body = filled.replace('{job_title}', 'Backend Engineer');
  await ta.fill(body);

  await box.locator('button.textus-send').click();
  const status = await L.sendSettled(page);
  assert.strictEqual(await status.getAttribute('data-state'), 'sent', await status.textContent());
  const sent = posts(await F.requests(w.fakes), '/acme/messages');
  assert.strictEqual(sent.length, 1, JSON.stringify(sent));
  assert.strictEqual(sent[0].body.body, body);
  assert.strictEqual(sent[0].body.to, '+13035550123');
  await page.close();
});

// A one-hour window that excludes the present hour in Denver (and never crosses midnight).
function windowExcludingNow() {
  const h = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', hour: 'numeric',
    hourCycle: 'h23' }).format(new Date()));
  const pad = (n) => String(n).padStart(2, '0');
  return h <= 20 ? `${pad(h + 2)}:00-${pad(h + 3)}:00` : '02:00-03:00';
}

test('in their quiet hours: "Schedule for <their time>" schedules one message and one note', { skip }, async () => {
  const win = windowExcludingNow();
  F.configure(w.fakes, w.run.state, { settings: { quiet_hours: win } });
  try {
    const { page, box } = await compose(1001, '(303) 555-0142', 'Jane Candidate');
    await page.waitForFunction(() => document.querySelector('.textus-local-time').dataset.state === 'quiet',
      null, { timeout: 20000 });
    assert.match(await box.locator('.textus-local-time').textContent(),
      /· too (late|early) to text \(allowed \d{1,2} [AP]M–\d{1,2} [AP]M\)$/);
    const body = 'Hi Jane, a text for your morning';
    await box.locator('textarea.textus-body').fill(body);
    const before = await F.requests(w.fakes);
    await box.locator('button.textus-send').click();
    const status = await L.sendSettled(page);
    assert.strictEqual(await status.getAttribute('data-state'), 'refused:quiet_hours', await status.textContent());
    // said as a person says it, from the error's fields: no 24-hour time, UTC or config key
    const said = await status.locator('.textus-line-text').textContent();
    assert.match(said, /^It's \d{1,2}:\d\d [AP]M for Jane \(Denver\): too (late|early) to text\. Texts are allowed \d{1,2} [AP]M–\d{1,2} [AP]M their time\. Nothing was sent yet\.$/);
    L.assertHumane(said, 'the quiet-hours refusal');
    const sched = box.locator('button.textus-schedule');
    assert.match(await sched.textContent(), /^Schedule for \d{1,2}:00 [AP]M( tomorrow| [A-Z][a-z]+day)? their time$/);
    assert.strictEqual(await box.locator('button.textus-send-anyway').count(), 1);
    // one primary action: Schedule; Send anyway is secondary, and the box's Send is hidden
    const primary = await page.evaluate(() => [...document.querySelectorAll('.textus-compose button')]
      .filter((b) => b.offsetParent !== null && getComputedStyle(b).backgroundColor === 'rgb(27, 106, 201)')
      .map((b) => b.className));
    assert.deepStrictEqual(primary, ['textus-btn textus-primary textus-schedule']);
    assert.strictEqual(await box.locator('button.textus-send').isVisible(), false);
    await L.assertAccessible(page, '.textus-compose', 'box-quiet-hours');
    // "Send anyway" asks first; Cancel goes back, and nothing was sent meanwhile
    await box.locator('button.textus-send-anyway').click();
    await box.locator('button.textus-confirm-send').waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await box.locator('.textus-confirm-text').textContent(),
      /^Send it now anyway, outside Jane's texting hours\? A sent text can't be taken back\.$/);
    // the one primary button of the question (the pointer moved off it first: "Yes, send now"
    // appears where "Send anyway" was clicked, and a hovered button has its hover colour)
    await page.mouse.move(0, 0);
    const primaryNow = () => [...document.querySelectorAll('.textus-compose button')]
      .filter((b) => b.offsetParent !== null && getComputedStyle(b).backgroundColor === 'rgb(27, 106, 201)')
      .map((b) => b.textContent);
    assert.deepStrictEqual(await page.evaluate(primaryNow), ['Yes, send now']);
    await L.assertAccessible(page, '.textus-compose', 'box-quiet-hours-send-anyway');
    await box.locator('button.textus-confirm-cancel').click();
    assert.strictEqual(await sched.isVisible(), true);
    assert.strictEqual(await box.locator('.textus-confirm').count(), 0);
    const sendAt = await sched.getAttribute('data-send-at');
    assert.strictEqual(posts(await F.requests(w.fakes), '/acme/messages').length,
      posts(before, '/acme/messages').length, 'a refused text reached TextUs');

    await sched.click();
    await page.waitForFunction(() => document.querySelector('.textus-send-status').dataset.state !== 'scheduling',
      null, { timeout: 60000 });
    assert.strictEqual(await status.getAttribute('data-state'), 'scheduled', await status.textContent());
    const schedWords = await status.locator('.textus-line-text').textContent();
    assert.match(schedWords,
      /^Scheduled for \d{1,2}:00 [AP]M( tomorrow| [A-Z][a-z]+day)? their time \(\d{1,2}:00 [AP]M your time\)\. It has not been sent yet\.$/);
    assert.strictEqual(await status.locator('.textus-line-note').textContent(), 'Note added in Greenhouse.');
    // the note's line is green here as after a send
    assert.strictEqual(await status.locator('.textus-line-note').evaluate((n) => getComputedStyle(n).color), 'rgb(30, 107, 48)');
    // the thread's bubble says Scheduled for the same time (never "Sent" and a send time), and
    // the header stops warning
    const bubble = box.locator(`.textus-thread .textus-msg[data-id="${await status.getAttribute('data-message-id')}"]`);
    await bubble.waitFor({ timeout: 10000 });
    await page.waitForFunction((id) => /^Scheduled for/.test(document.querySelector(
      `.textus-thread .textus-msg[data-id="${id}"] .textus-msg-meta`).textContent), await status.getAttribute('data-message-id'),
    { timeout: 10000 });
    assert.strictEqual(await bubble.locator('.textus-msg-meta').textContent(), schedWords.replace(/\. It has .*$/, ''));
    assert.strictEqual(await box.locator('.textus-local-time').getAttribute('data-state'), 'scheduled');
    assert.match(await box.locator('.textus-local-time').textContent(),
      /· your text is scheduled for \d{1,2}:00 [AP]M( tomorrow| [A-Z][a-z]+day)? their time$/);
    assert.notStrictEqual(await box.locator('.textus-local-time').evaluate((n) => getComputedStyle(n).color), 'rgb(179, 38, 30)');
    assert.strictEqual(await box.locator('textarea.textus-body').inputValue(), '', 'ready for the next text');
    await L.assertAccessible(page, '.textus-compose', 'box-scheduled');
    const recs = await F.requests(w.fakes);
    const scheduled = posts(recs, '/acme/messages/schedule');
    assert.strictEqual(scheduled.length, 1, JSON.stringify(scheduled));
    assert.deepStrictEqual(scheduled[0].body, { from: '+13035550100', to: '+13035550142', body,
      scheduled_at: sendAt });
    assert.strictEqual(posts(recs, '/acme/messages').length, posts(before, '/acme/messages').length,
      'nothing was sent now');
    const notes = (await F.fakeState(w.fakes)).harvest.notes.filter((n) => n.body.includes(body));
    assert.strictEqual(notes.length, 1);
    assert.match(notes[0].body, /^Text scheduled for .* \(America\/Denver\) via TextUs/);
    await page.close();
  } finally {
    F.configure(w.fakes, w.run.state, { settings: { quiet_hours: 'off' } });
  }
});

const DEFAULT_FILLED = 'Hi Jane, this is Alice. Thanks for your interest in the role. Do you have a few minutes ' +
  'to talk this week?';

// the compose box's text once no field waits for the host's answer (or after 30 s)
async function settledText(page, box, stillWaiting) {
  await page.waitForFunction((re) => !new RegExp(re).test(document.querySelector('textarea.textus-body').value),
    stillWaiting, { timeout: 30000 }).catch(() => {});
  return box.locator('textarea.textus-body').inputValue();
}

test('the compose box starts with its template filled: the candidate from the page, the recruiter from the host', { skip }, async () => {
  const { page, box } = await compose(1001, '(303) 555-0138', 'Jane Candidate (she/her)');
  assert.strictEqual(await settledText(page, box, '\\{recruiter'), DEFAULT_FILLED);
  assert.strictEqual(await box.locator('.textus-unfilled mark').count(), 0);
  await page.close();
});

test('the options page template: every saved-reply field filled; an unknown one highlighted, sent only when confirmed', { skip }, async () => {
  const msg = await L.setTemplate(w.ctx, '{first_name}|{last_name}|{full_name}|{recruiter_first_name}|{recruiter_name}|{team}');
  assert.match(msg, /^Saved\. Not a merge field: \{team\}/);
  try {
    const { page, box } = await compose(1001, '(303) 555-0139', 'Jane Candidate');
    const text = await settledText(page, box, '\\{recruiter');
    assert.strictEqual(text, 'Jane|Candidate|Jane Candidate|Alice|Alice Recruiter|{team}');
    assert.deepStrictEqual(await box.locator('.textus-unfilled mark.textus-missing').allTextContents(), ["The team isn't known"]);
    const before = posts(await F.requests(w.fakes), '/acme/messages').length;
    await box.locator('button.textus-send').click();
    const status = box.locator('.textus-send-status');
    assert.strictEqual(await status.getAttribute('data-state'), 'unfilled');
    assert.match(await status.textContent(), /^The team isn't known: edit the text, or press "Send as written"/);
    assert.strictEqual(await box.locator('button.textus-send').textContent(), 'Send as written');
    assert.strictEqual(posts(await F.requests(w.fakes), '/acme/messages').length, before, 'sent with {team} unasked');
    // edited: nothing left to fill, and it sends
    const body = text.replace('{team}', 'Platform');
    await box.locator('textarea.textus-body').fill(body);
    assert.strictEqual(await box.locator('.textus-unfilled mark').count(), 0);
    assert.strictEqual(await box.locator('button.textus-send').textContent(), 'Send');
    await box.locator('button.textus-send').click();
    assert.strictEqual(await (await L.sendSettled(page)).getAttribute('data-state'), 'sent');
    const sent = posts(await F.requests(w.fakes), '/acme/messages');
    assert.strictEqual(sent.length, before + 1);
    assert.strictEqual(sent[sent.length - 1].body.body, body);
    await page.close();
  } finally {
    await L.setTemplate(w.ctx, '');
  }
});
