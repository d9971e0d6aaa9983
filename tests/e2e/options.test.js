// The options page in headless Chromium against the real host and the fakes: on a fresh install
// every secret says "not set" (never "(unchanged)"), Harvest v3 is offered first and v1 says that
// its announced removal date has passed, there is no raw JSON; "Save and verify" shows the host's
// checklist in place (ok / FAIL / unchecked, each failure with its fix), keeps what was typed when
// a check failed, and once saved says "stored (…1234)" per secret and lists what changed; the
// Status box shows the same checklist (the configure verb's dry run); choosing v1 over stored v3
// is explicit and said; "Lock a contact" takes a number as people write it.
// TH_SCREENSHOT_DIR=<dir> keeps screenshots of the page.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');
const L = require('./lib');
const F = require('./fakes');

const HAS_VERB = L.hostHasVerb('configure');
const skip = HAS_VERB ? false : 'this host has no configure verb';
const TOKEN = 'tok_e2e_options_FAKE_0002';
const CLIENT = 'client_e2e_FAKE_0001';
const SECRET = 'csecret_e2e_FAKE_0001';

let fakes;
let run;
let ctx;
let page;

function cli(args, input) {
  const p = spawnSync(L.HOST, args, { input: input === undefined ? '' : input, encoding: 'utf8',
    env: Object.assign({}, process.env, { TEXTUS_HOST_HOME: run.state }) });
  return p;
}

// A screenshot (TH_SCREENSHOT_DIR only) and axe-core on the page: 0 serious or critical
// violations in every state; and the page's words: no config key or command line.
async function shot(name) {
  if (process.env.TH_SCREENSHOT_DIR) {
    await page.screenshot({ path: path.join(process.env.TH_SCREENSHOT_DIR, `options-${name}.png`), fullPage: true });
  }
  assert.deepStrictEqual(await L.axeViolations(page), [], `axe on the options page (${name})`);
  const words = await page.evaluate(() => ['summary', 'checklist', 'save_result', 'optout_msg']
    .map((id) => document.getElementById(id).innerText).join('\n'));
  assert.ok(!/\b(?:textus|greenhouse|settings)\.[a-z_]+|textus-host|`|\b[a-z]+_[a-z_]+\b/.test(words),
    `a config key or command on the page: ${words}`);
  assert.strictEqual(await page.locator('ul.checklist').count(), 1, 'one checklist');
}

async function waitChecked() {
  await page.waitForFunction(() => {
    const s = document.getElementById('summary').dataset.state;
    return s && s !== 'checking';
  }, null, { timeout: 30000 });
}

async function saveAndWait() {
  await page.click('#save');
  await page.waitForFunction(() => {
    const s = document.getElementById('save_result').dataset.state;
    return s && s !== 'saving';
  }, null, { timeout: 60000 });
  return page.getAttribute('#save_result', 'data-state');
}

async function checks(scope) {
  return page.$$eval(`${scope} li[data-check]`, (lis) => lis.map((li) => ({ check: li.dataset.check,
    status: li.dataset.status, text: li.textContent })));
}

test.before(async () => {
  if (!HAS_VERB) return;
  run = L.makeRun();
  fakes = await F.startFakes(path.join(run.tmp, 'fakes'));
  // where the services are is local configuration (never from the page): only the URLs
  const p = cli(['configure', '--no-verify'], JSON.stringify({
    textus: { base_url: fakes.url('textus') },
    greenhouse: { base_url: fakes.url('harvest'), auth_url: fakes.url('auth') } }));
  assert.strictEqual(p.status, 0, p.stdout + p.stderr);
  ctx = await L.launch(run);
  const sw = ctx.serviceWorkers()[0] || await ctx.waitForEvent('serviceworker');
  page = await ctx.newPage();
  await page.goto(`chrome-extension://${new URL(sw.url()).host}/options.html`);
});

test.after(async () => {
  if (!HAS_VERB) return;
  if (ctx) await ctx.close();
  await F.stopFakes(fakes);
  L.cleanup(run);
});

test('fresh install: "not set" per secret, v3 first, v1 with its passed removal date, no JSON', { skip }, async () => {
  await waitChecked();
  assert.strictEqual(await page.getAttribute('#summary', 'data-state'), 'unconfigured');
  assert.match(await page.textContent('#summary'), /Nothing is set up yet/);
  // nothing to check again yet: the one thing to do is fill in the boxes
  assert.strictEqual(await page.isVisible('#recheck'), false);
  // no developer words on the page: scopes, OAuth, "slug", "host", "Partner", probing
  const visible = await page.evaluate(() => document.body.innerText);
  for (const re of [/\bslug\b/i, /OAuth/, /\bhost\b/i, /Partner:/, /probed/, /harvest:[a-z]/, /Files on this computer/]) {
    assert.ok(!re.test(visible), `developer words on the page: ${re}`);
  }
  // the help text is readable: at least 13px, dark enough
  const hint = await page.$eval('p.hint', (p) => [getComputedStyle(p).fontSize, getComputedStyle(p).color]);
  assert.deepStrictEqual(hint, ['13px', 'rgb(59, 72, 86)']);
  // which button saves what, said beside each
  assert.match(await page.textContent('#save_hint'), /TextUs and Greenhouse sign-in/);
  assert.match(await page.textContent('#template_hint'), /template and your name/);
  for (const id of ['textus_token', 'gh_client_id', 'gh_client_secret', 'gh_api_key']) {
    assert.strictEqual(await page.textContent(`#${id}_state`), 'not set', id);
    assert.strictEqual(await page.getAttribute(`#${id}`, 'placeholder'), 'not set', id);
  }
  const body = await page.textContent('body');
  assert.ok(!body.includes('(unchanged)'), 'no "(unchanged)" anywhere');
  assert.ok(!/[{}]/.test(await page.textContent('#status_box')), 'the status box is not JSON');
  const radios = await page.$$eval('input[name=harvest]', (rs) => rs.map((r) => ({ value: r.value,
    checked: r.checked, label: r.closest('label').textContent.replace(/\s+/g, ' ').trim() })));
  assert.deepStrictEqual(radios.map((r) => r.value), ['v3', 'v1']);
  assert.strictEqual(radios[0].checked, true);
  assert.match(radios[1].label, /announced its removal for 2026-08-31; that date has passed/);
  assert.strictEqual(await page.isVisible('#gh_client_secret'), true);
  assert.strictEqual(await page.isVisible('#gh_api_key'), false);
  assert.match(body, /next\.textus\.com → your user icon → Profile → API Tokens → Create Token/);
  await shot('fresh');
});

test('Save and verify: a failed check is shown in place with its fix, nothing saved, input kept', { skip }, async () => {
  await page.fill('#textus_token', TOKEN);
  await page.fill('#textus_account', 'acme');
  await page.fill('#gh_email', 'nobody@acme.example');
  await page.fill('#gh_client_id', CLIENT);
  await page.fill('#gh_client_secret', SECRET);
  assert.strictEqual(await saveAndWait(), 'not_saved');
  assert.match(await page.textContent('#save_result'), /^Not saved: 1 of \d+ checks failed/);
  // the failure with what to do, in words, beside the button; the one checklist above
  assert.match(await page.textContent('#save_result'),
    /Greenhouse user — .*What to do: Type the email you sign in to Greenhouse with in "Your Greenhouse sign-in email", then press "Save and verify"\./);
  const items = await checks('#checklist');
  const by = Object.fromEntries(items.map((c) => [c.check, c]));
  assert.strictEqual(by['TextUs token'].status, 'ok');
  assert.strictEqual(by['Greenhouse user'].status, 'fail');
  assert.match(by['Greenhouse user'].text, /^✗ Failed/);
  assert.match(by['Greenhouse user'].text, /What to do: Type the email you sign in to Greenhouse with/);
  assert.match(await page.textContent('#summary'), /^Not saved\. 1 check failed: see what to do under each\.$/);
  assert.strictEqual(by['Candidates: Add Note (harvest:notes:create)'].status, 'unchecked');
  // said without the API scope, and as what it is: checked at the first text
  assert.match(by['Candidates: Add Note (harvest:notes:create)'].text,
    /^… At first text Candidates: Add Note — Checked when you send your first text: checking it now would add a note to a candidate\.$/);
  assert.ok(items.every((c) => !/harvest:/.test(c.text)), JSON.stringify(items));
  // a secret typed but not saved never says "not set"
  assert.strictEqual(await page.textContent('#textus_token_state'), 'typed, not saved yet');
  assert.strictEqual(await page.textContent('#gh_client_secret_state'), 'typed, not saved yet');
  // nothing was saved; what was typed is still there to correct
  const st = JSON.parse(cli(['status', '--json']).stdout);
  assert.strictEqual(st.configured, false);
  assert.strictEqual(await page.inputValue('#textus_token'), TOKEN);
  await shot('failed');
});

test('corrected: saved in place, every secret "stored (…1234)", what changed, same checklist above', { skip }, async () => {
  await page.fill('#gh_email', 'alice@acme.example');
  assert.strictEqual(await saveAndWait(), 'saved');
  const text = await page.textContent('#save_result');
  assert.match(text, /^Saved\. Every check (that can run now )?passed\./);
  assert.match(text, /API token set: stored \(…0002\)/);
  assert.match(text, /Harvest API set: v3/);
  const items = await checks('#checklist');
  assert.ok(items.length >= 7, JSON.stringify(items));
  assert.ok(items.every((c) => c.status !== 'fail'), JSON.stringify(items));
  assert.match(await page.textContent('#summary'),
    /^Your settings are saved\. Every check that can run now passed; one is checked at your first text\.$/);
  await page.waitForFunction(() => document.getElementById('textus_token_state').textContent !== 'not set');
  assert.strictEqual(await page.textContent('#textus_token_state'), 'stored (…0002)');
  assert.strictEqual(await page.textContent('#gh_client_secret_state'), 'stored (…0001)');
  assert.strictEqual(await page.textContent('#gh_api_key_state'), 'not set');
  assert.strictEqual(await page.inputValue('#textus_token'), '', 'secrets are cleared once saved');
  assert.ok(!(await page.textContent('body')).includes(TOKEN), 'no secret on the page');
  // a fresh load checks what is stored (dry run) and shows the same lines
  await page.reload();
  await waitChecked();
  assert.strictEqual(await page.getAttribute('#summary', 'data-state'), 'checked');
  // after a reload the page still says the settings are saved
  assert.match(await page.textContent('#summary'),
    /^Your settings are saved\. Every check that can run now passed; one is checked at your first text\.$/);
  assert.strictEqual(await page.isVisible('#recheck'), true);
  assert.deepStrictEqual((await checks('#checklist')).map((c) => [c.check, c.status]),
    items.map((c) => [c.check, c.status]));
  await shot('saved');
});

test('choosing v1 over stored v3 asks first and says what was removed', { skip }, async () => {
  assert.strictEqual(await page.isChecked('#harvest_v3'), true);
  await page.check('#harvest_v1');
  assert.strictEqual(await page.isVisible('#gh_api_key'), true);
  assert.strictEqual(await page.isVisible('#gh_client_secret'), false);
  assert.strictEqual(await saveAndWait(), 'incomplete');
  assert.match(await page.textContent('#save_result'), /type the v1 API key/);
  await page.fill('#gh_api_key', F.API_KEY);
  // removing the v3 credentials is asked first, saying what goes and why; "Keep v3" changes nothing
  assert.strictEqual(await saveAndWait(), 'confirm_v1');
  assert.match(await page.textContent('#save_result'),
    /^Switch to Harvest v1\? This removes the saved Harvest v3 Client id and Client secret from this computer/);
  assert.strictEqual(await page.isDisabled('#save'), true, 'one primary action while the question is open');
  await shot('v1-confirm');
  assert.strictEqual(JSON.parse(cli(['status', '--json']).stdout).greenhouse.harvest, 'v3', 'nothing changed before the answer');
  await page.click('#cancel_v1');
  assert.strictEqual(await page.isChecked('#harvest_v3'), true);
  assert.strictEqual(await page.textContent('#save_result'), '');
  await page.check('#harvest_v1');
  await page.fill('#gh_api_key', F.API_KEY);
  assert.strictEqual(await saveAndWait(), 'confirm_v1');
  await page.click('#confirm_v1');
  await page.waitForFunction(() => !['confirm_v1', 'saving'].includes(document.getElementById('save_result').dataset.state),
    null, { timeout: 60000 });
  assert.strictEqual(await page.getAttribute('#save_result', 'data-state'), 'saved');
  const text = await page.textContent('#save_result');
  assert.match(text, /Harvest v1 is in use now\. The Harvest v3 Client id and Client secret were removed from this computer, as you confirmed/);
  assert.match(text, /Client secret removed \(was stored \(…0001\)\)/);
  assert.match(text, /Harvest API changed: v1 \(was v3\)/);
  assert.match(text, /^Saved\. 1 warning: see what to do in the Status checklist above\./);
  const items = await checks('#checklist');
  // a warning, marked as one (never a green tick), with what to do; the summary counts it
  assert.ok(items.some((c) => c.check === 'Harvest v1 retirement' && c.status === 'warn' &&
    /^! Warning/.test(c.text) && /2026-08-31/.test(c.text) && /What to do: Create Harvest v3 credentials/.test(c.text)),
  JSON.stringify(items));
  const summary = await page.textContent('#summary');
  assert.match(summary, /Working, with 1 warning: see what to do below\./);
  // the menu path is Greenhouse's own, said as where it is
  assert.match(await page.textContent('#checklist'), /in Greenhouse, an admin's menu: Configure, the gear icon > Dev Center/);
  assert.ok(!/client credentials/i.test(await page.textContent('#checklist')), 'no OAuth words in the checklist');
  assert.ok(!/Every check passed/.test(summary), summary);
  await page.waitForFunction(() => document.getElementById('gh_api_key_state').textContent !== 'not set');
  assert.strictEqual(await page.textContent('#gh_client_secret_state'), 'not set');
  await shot('v1');
});

test('Opt a number out: its own example and the ways people write a number work; others get a clear word', { skip }, async () => {
  // the last action's message goes when another action starts
  assert.match(await page.textContent('#save_result'), /^Saved/);
  const lock = async (typed) => {
    await page.evaluate(() => { document.getElementById('optout_msg').textContent = ''; });
    await page.fill('#optout_to', typed);
    await page.click('#optout');
    await page.waitForFunction(() => document.getElementById('optout_msg').textContent, null, { timeout: 30000 });
    return page.textContent('#optout_msg');
  };
  const example = await page.getAttribute('#optout_to', 'placeholder');
  assert.strictEqual(example, '(312) 555-0142');
  assert.strictEqual(await lock(example), 'Opted out: (312) 555-0142 can no longer be texted from TextUs.');
  assert.strictEqual(await page.textContent('#save_result'), '', 'the old "Saved" message went');
  assert.match(await lock('303.555.0188'), /^Opted out: 303\.555\.0188 /);
  assert.match(await lock('+1 303 555 0189'), /^Opted out/);
  assert.match(await lock('1-303-555-0190'), /^Opted out/);
  // the compose box's word: "opted out", never "lock"
  const section = await page.evaluate(() => document.getElementById('optout').closest('fieldset').innerText);
  assert.ok(!/\block/i.test(section), section);
  const locked = JSON.stringify((await F.fakeState(fakes)).textus.opt_outs);
  for (const n of ['+13125550142', '+13035550188', '+13035550189', '+13035550190']) assert.ok(locked.includes(n), locked);
  // too few digits (never sent), and a number the host refuses (an N11 area code)
  assert.strictEqual(await lock('555-0142'), 'Type a US/Canada number, e.g. (312) 555-0142.');
  // the host's number-format rule is not shown: what to type is
  assert.strictEqual(await lock('(911) 555-0142'),
    'Not opted out: (911) 555-0142 is not a US/Canada number that can be texted. Type one like (312) 555-0142.');
  await shot('optout');
});
