// End-to-end: opting a number out of texts from the compose box (issue S item 1) and the
// candidate's scheduled texts in the box (item 2), in headless Chromium against the fakes.
// Opting out: a closed "Opt out of texts" disclosure (never a second button beside Send),
// whose confirmation says only what TextUs documents (organisation-wide, the candidate opts
// back in by texting START), then `opt_out`, then the number shown as opted out with who and
// when from the answer's `lock`. Each surface at 0 serious or critical axe-core violations.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const L = require('./lib');
const F = require('./fakes');

const HAS = L.hostHasVerb('opt_out') && L.hostHasVerb('conversation') && L.hostHasVerb('prepare_send');
const skip = HAS ? false : 'this host has no opt_out/conversation/prepare_send yet';

function seed() {
  const s = JSON.parse(fs.readFileSync(path.join(__dirname, 'seed.json'), 'utf8'));
  const jane = s.harvest.candidates.find((c) => c.id === 1001);
  for (let id = 3001; id <= 3004; id++) {
    s.harvest.candidates.push(Object.assign({}, jane, { id }));
    s.harvest.activity_feed[String(id)] = { activities: [] };
  }
  // candidate 3004's number: one text delivered, two still scheduled in TextUs
  const msg = (body, deliveryState, createdAt) => ({ account: 'acme', phone: '+13035550152', direction: 'out',
    body, deliveryState, createdAt });
  s.textus.messages = (s.textus.messages || []).concat([
    msg('Hi Jane, thanks for applying.', 'delivered', '2026-12-01T15:00:00.000Z'),
    msg('Hi Jane, a reminder: your phone screen is tomorrow at 10.', 'scheduled', '2026-12-02T15:00:00.000Z'),
    msg('Hi Jane, good luck today! ' + 'x'.repeat(90), 'scheduled', '2026-12-02T15:01:00.000Z'),
  ]);
  return s;
}

const w = L.worldHooks(test, HAS, { seed: seed() });

async function compose(id, phone) {
  const page = await L.openProfile(w.ctx, L.profileUrl(w.base, id, { phone, name: 'Jane Candidate' }));
  const box = await L.openCompose(page);
  await L.checkSettled(page);
  return { page, box };
}
const optOutPuts = async () => (await F.requests(w.fakes)).filter((r) => r.server === 'textus' &&
  r.method === 'PUT' && /\/opt_outs\//.test(r.path));
const DAY = /^[A-Z][a-z]{2} \d{1,2}$/; // "Dec 7", the recruiter's own date

test('opt out from the box: a confirmation in words, then opted out by whom and when', { skip }, async () => {
  const { page, box } = await compose(3001, '(303) 555-0141');
  assert.strictEqual(await box.getAttribute('data-check'), 'clear');
  await page.waitForFunction(() => document.querySelector('.textus-compose').dataset.fields === 'ready', null,
    { timeout: 30000 });
  // (303) 555-0141 is not on the candidate's Greenhouse record: the box offers the tick until the
  // number is opted out
  assert.strictEqual(await box.locator('.textus-confirm-number').isVisible(), true);
  const summary = box.locator('details.textus-optout > summary');
  assert.strictEqual(await summary.textContent(), 'Opt out of texts');
  assert.strictEqual(await box.locator('.textus-lock').textContent(), '');

  // "Keep texting" closes the confirmation; nothing is sent to TextUs
  await summary.click();
  // focus moves onto the confirming button
  await page.waitForFunction(() => document.activeElement.classList.contains('textus-optout-confirm'), null,
    { timeout: 5000 });
  const words = await box.locator('.textus-optout-words').textContent();
  assert.strictEqual(words, "Jane won't get texts from anyone at Acme Staffing until Jane texts START to opt back in. " +
    'Only Jane can undo this.');
  L.assertHumane(words, 'the opt-out confirmation');
  await L.assertAccessible(page, '.textus-compose', 'box-optout-confirm');
  await box.locator('button.textus-optout-keep').click();
  assert.strictEqual(await box.locator('details.textus-optout').evaluate((d) => d.open), false);
  assert.strictEqual((await optOutPuts()).length, 0, 'Keep texting must not opt out');

  // the confirmed opt-out: one PUT, and the box says so with who and when
  await summary.click();
  await box.locator('button.textus-optout-confirm').click();
  await page.waitForFunction(() => document.querySelector('.textus-compose').dataset.check === 'opted_out', null,
    { timeout: 30000 });
  assert.strictEqual((await optOutPuts()).length, 1);
  const lock = await box.locator('.textus-lock').textContent();
  const m = /^Opted out by Alice Recruiter on (.+)\.$/.exec(lock);
  assert.ok(m, lock);
  assert.match(m[1], DAY);
  // said by who did it: Alice Recruiter locked it (the lock's user), not Jane
  assert.strictEqual(await box.locator('.textus-check').textContent(), 'Alice Recruiter opted this number out of ' +
    "texts in TextUs, so it can't be texted. Reach Jane another way, e.g. by email.");
  assert.strictEqual(await box.locator('button.textus-send').isDisabled(), true);
  assert.strictEqual(await box.locator('.textus-send-reason').textContent(), 'Opted out of texts by Alice Recruiter');
  // an opted-out number is never offered as sendable: no "Text … anyway" tick
  assert.strictEqual(await box.locator('.textus-confirm-number').isVisible(), false, 'the tick offers an opted-out number');
  assert.strictEqual(await box.locator('#textus-confirm-number').isChecked(), false);
  assert.strictEqual(await box.locator('textarea.textus-body').isDisabled(), true);
  assert.strictEqual(await box.locator('details.textus-optout').isHidden(), true, 'no second opt-out');
  await page.mouse.move(0, 0); // off the buttons: axe's contrast check sees the resting colours
  await L.assertAccessible(page, '.textus-compose', 'box-opted-out-here');
  await page.close();

  // opened again, the check (prepare_send) finds the lock TextUs keeps: the same words
  const again = await compose(3002, '(303) 555-0141');
  assert.strictEqual(await again.box.getAttribute('data-check'), 'opted_out');
  assert.strictEqual(await again.box.locator('.textus-lock').textContent(), lock);
  assert.match(await again.box.locator('.textus-check').textContent(), /^Alice Recruiter opted this number out/);
  assert.strictEqual(await again.box.locator('.textus-confirm-number').isVisible(), false);
  await again.page.close();
});

test('a number opted out without a user: "Opted out on <day>."', { skip }, async () => {
  const { page, box } = await compose(3003, '(303) 555-0177'); // the seed's opt-out, user null
  assert.strictEqual(await box.getAttribute('data-check'), 'opted_out');
  const m = /^Opted out on (.+)\.$/.exec(await box.locator('.textus-lock').textContent());
  assert.ok(m);
  assert.match(m[1], DAY);
  assert.strictEqual(await box.locator('details.textus-optout').isHidden(), true);
  // no user on the lock: the words stay the candidate's
  assert.match(await box.locator('.textus-check').textContent(), /^Jane has opted out of texts, so this number can't be texted\./);
  await page.mouse.move(0, 0);
  await L.assertAccessible(page, '.textus-compose', 'box-opted-out-seed');
  await page.close();
});

test("the candidate's scheduled texts: listed read-only, and where to change or cancel them", { skip }, async () => {
  const { page, box } = await compose(3004, '(303) 555-0152');
  await page.waitForFunction(() => document.querySelector('.textus-scheduled').dataset.count !== undefined, null,
    { timeout: 30000 });
  const sec = box.locator('.textus-scheduled');
  assert.strictEqual(await sec.isVisible(), true);
  assert.strictEqual(await sec.locator('h3').textContent(), '2 texts scheduled to go later');
  const items = await sec.locator('li.textus-scheduled-item').allTextContents();
  assert.deepStrictEqual(items.length, 2);
  assert.strictEqual(items[0], '“Hi Jane, a reminder: your phone screen is tomorrow at 10.”');
  assert.match(items[1], /^“Hi Jane, good luck today! x+…”$/); // a long one is cut, said with …
  assert.strictEqual(Array.from(items[1]).length, 82);
  const note = await sec.locator('.textus-scheduled-note').textContent();
  assert.strictEqual(note, "To change or cancel one, open the conversation in TextUs: it can't be done from here.");
  L.assertHumane(note, 'the scheduled texts');
  // read-only: nothing in the list to press
  assert.strictEqual(await sec.locator('button, a, input').count(), 0);
  // the long unbroken one wraps inside the box, not past its right edge
  const past = await page.evaluate(() => {
    const right = document.querySelector('.textus-compose').getBoundingClientRect().right;
    return Array.from(document.querySelectorAll('.textus-scheduled li')).filter((li) => li.getBoundingClientRect().right > right ||
      li.scrollWidth > li.clientWidth + 1).length;
  });
  assert.strictEqual(past, 0, 'a scheduled text runs past the box');
  await page.mouse.move(0, 0);
  await L.assertAccessible(page, '.textus-compose', 'box-scheduled');
  await page.close();

  // a number with nothing scheduled shows no list
  const other = await compose(3001, '(303) 555-0153');
  await other.page.waitForFunction(() => document.querySelector('.textus-scheduled').dataset.count === '0', null,
    { timeout: 30000 });
  assert.strictEqual(await other.box.locator('.textus-scheduled').isHidden(), true);
  await other.page.close();
});
