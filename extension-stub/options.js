// TextUs for Greenhouse (stub) — options page. Shows the host's checklist (the `configure` verb's
// dry run: what is stored, checked online; the same lines `textus-host configure` and `doctor`
// print: Passed / Failed / Warning / Not checked, each failure and warning with what to do, in
// words: the host's config keys and commands become this page's labels and buttons; one
// checklist, under a summary that counts failures and warnings), says per secret
// whether one is stored ("stored (…1234)") or "not set", offers Harvest v3 first and v1 with its removal date
// (announced for 2026-08-31, passed), sends credentials with `configure` (accepted by the
// service worker only from this page) and shows the verification in place after "Save and
// verify". Secret fields are write-only: never filled back, cleared once saved (kept while a
// failed check asks for a correction). Also the compose template (chrome.storage.local; the
// merge fields of TextUs saved replies, and "Your name" for the recruiter's fields when the
// host cannot give them) and locking a contact (opt_out; the number as people write it,
// normalised to +1NXXNXXXXXX here).
'use strict';

const $ = (id) => document.getElementById(id);

function host(verb, request) {
  return new Promise((resolve) => {
    chrome.runtime.sendMessage({ cmd: 'host', verb, request }, (reply) => {
      if (chrome.runtime.lastError || !reply) {
        resolve({ ok: false, error: { code: 'extension_error',
          message: chrome.runtime.lastError ? chrome.runtime.lastError.message : 'no reply' } });
      } else resolve(reply);
    });
  });
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const MARKS = { ok: '✓ Passed', fail: '✗ Failed', warn: '! Warning', unchecked: '? Not checked' };

// The settings' names as this page labels them (never a config key on the page).
const FIELD_WORDS = {
  'textus.token': 'API token', 'textus.account': 'Account', 'textus.base_url': 'TextUs address',
  'greenhouse.email': 'Greenhouse sign-in email', 'greenhouse.client_id': 'Client id',
  'greenhouse.client_secret': 'Client secret', 'greenhouse.api_key': 'API key', 'greenhouse.harvest': 'Harvest API',
  'greenhouse.base_url': 'Greenhouse address', 'settings.quiet_hours': 'quiet hours setting',
  'settings.ca_file': 'certificate file setting',
};

// Whole fixes the host words for its command line, said for this page.
const FIX_WORDS = [
  [/^set greenhouse\.email\b.*/s, 'Type the email you sign in to Greenhouse with in "Your Greenhouse sign-in email", then press "Save and verify".'],
  [/^ask a Greenhouse admin to re-enable the user.*/s, 'Ask a Greenhouse admin to re-enable your user, or type the sign-in email of an enabled user, then press "Save and verify".'],
  [/^set textus\.account\b.*/s, 'Type the slug of a TextUs account your token\'s user belongs to in "Account" (or use a token of a member of that account), then press "Save and verify".'],
  [/^create a new API token in TextUs \(([^)]*)\).*/s, 'Create a new API token in TextUs ($1), type it in "API token" and press "Save and verify".'],
  [/^check greenhouse\.client_id and client_secret \(([^)]*)\).*/s, 'Check the Client id and Client secret ($1), then press "Save and verify".'],
  [/^check greenhouse\.api_key and its permissions \(([^)]*)\).*/s, 'Check the API key and its permissions ($1), then press "Save and verify".'],
  [/^create Harvest v3 credentials \(([^)]*)\).*/s, 'Create Harvest v3 credentials ($1), choose Harvest v3 above and type the Client id and Client secret.'],
];

// A host's message or fix in words: config keys become this page's labels, commands become
// what to press here (or who to ask); the sentence starts with a capital and ends with a stop.
function inWords(text) {
  let t = String(text || '').trim();
  if (!t) return '';
  for (const [re, words] of FIX_WORDS) if (re.test(t)) return t.replace(re, words);
  t = t.replace(/,? ?(?:and |then )?run `?textus-host configure`?(?: again)?(?: with it)?/g, ', then press "Save and verify"')
    .replace(/`?textus-host doctor --report`?/g, 'a support report (your admin can make one)')
    .replace(/`?textus-host (?:doctor|status|outbox [a-z]+)`?/g, 'your admin\'s check of this computer')
    .replace(/\b(?:textus|greenhouse|settings)\.[a-z_]+\b/g, (k) => `the ${FIELD_WORDS[k] || k.replace(/^.*\./, '').replace(/_/g, ' ')}`)
    .replace(/\bbase_url\b/g, 'the service address').replace(/\bclient_secret\b/g, 'Client secret')
    .replace(/\bclient_id\b/g, 'Client id').replace(/\bapi_key\b/g, 'API key')
    .replace(/`/g, '');
  if (!/^\S*[@.]/.test(t)) t = t.charAt(0).toUpperCase() + t.slice(1); // never "Alice@acme.example"
  return /[.!?…)]$/.test(t) ? t : `${t}.`;
}

// The host's checklist ({check, status, message, fix}) as a list a person reads.
function renderChecklist(list, items) {
  list.replaceChildren();
  for (const c of items || []) {
    const li = el('li');
    li.dataset.check = c.check;
    li.dataset.status = c.status;
    const body = el('span', 'body');
    body.append(el('b', '', c.check), ` — ${inWords(c.message)}`);
    if (c.fix) body.append(el('div', 'fix', `What to do: ${inWords(c.fix)}`));
    li.append(el('span', 'mark', MARKS[c.status] || c.status), ' ', body);
    list.append(li);
  }
}

// An error of the host or the extension, in words.
function errorWords(error) {
  const e = error || {};
  if (e.code === 'extension_error' || /^host_/.test(e.code || '')) {
    return 'The TextUs helper on this computer did not answer. Reload this page; if it keeps happening, ask your admin to reinstall it.';
  }
  if (e.code === 'textus_auth') return 'TextUs did not accept the API token: check it above.';
  if (e.code === 'upstream_unavailable' || e.code === 'rate_limited') return 'TextUs did not answer right now. Try again in a minute.';
  return inWords(e.message) || 'Something went wrong. Try again.';
}

// "****1234" -> "stored (…1234)", "****" -> "stored", null -> "not set".
function secretState(masked) {
  if (typeof masked !== 'string') return { text: 'not set', stored: false };
  const tail = masked.replace(/^\*+/, '');
  return { text: tail ? `stored (…${tail})` : 'stored', stored: true };
}

const SECRETS = [
  ['textus_token', (st) => st.textus && st.textus.token],
  ['gh_client_id', (st) => st.greenhouse && st.greenhouse.client_id],
  ['gh_client_secret', (st) => st.greenhouse && st.greenhouse.client_secret],
  ['gh_api_key', (st) => st.greenhouse && st.greenhouse.api_key],
];

let storedHarvest = null; // "v3" | "v1" | null

function showHarvest(gen) {
  $('v3_fields').hidden = gen !== 'v3';
  $('v1_fields').hidden = gen !== 'v1';
}

function chosenHarvest() {
  return $('harvest_v1').checked ? 'v1' : 'v3';
}

// What is stored: the state of each secret, the plain fields, the Harvest choice, the files.
function showStored(st) {
  for (const [id, get] of SECRETS) {
    const s = secretState(get(st));
    $(`${id}_state`).textContent = s.text;
    $(`${id}_state`).className = 'state' + (s.stored ? ' stored' : '');
    $(id).placeholder = s.stored ? `${s.text}; leave empty to keep it` : 'not set';
  }
  const t = st.textus || {};
  const g = st.greenhouse || {};
  if (t.account && !$('textus_account').value) $('textus_account').value = t.account;
  if (g.email && !$('gh_email').value) $('gh_email').value = g.email;
  storedHarvest = g.harvest || null;
  if (storedHarvest) {
    $(`harvest_${storedHarvest}`).checked = true;
    showHarvest(storedHarvest);
  }
  const files = $('files_text');
  files.replaceChildren();
  const p = st.paths || {};
  const perm = st.permissions || {};
  for (const name of ['store', 'key', 'outbox', 'log']) {
    if (p[name]) files.append(el('div', '', `${name}: ${p[name]}${perm[name] ? ` (${perm[name]})` : ''}`));
  }
  if (st.permissions_ok === false) {
    files.append(el('div', 'msg error', 'Some of these files can be read by other users of this computer: ask your admin to check the TextUs setup.'));
  }
}

function say(el_, text, ok, kind) {
  el_.textContent = text;
  el_.className = 'msg ' + (kind || (ok ? 'ok' : 'error'));
}

// The summary line above the checklist: failures and warnings counted, never "passed" above
// a warning.
function summarize(items, verified) {
  const all = items || [];
  const fails = all.filter((c) => c.status === 'fail').length;
  const warns = all.filter((c) => c.status === 'warn').length;
  const unchecked = all.filter((c) => c.status === 'unchecked').length;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const warnText = warns ? plural(warns, 'warning', 'warnings') : '';
  if (fails) {
    return [`${plural(fails, 'check', 'checks')} failed${warns ? ` and ${warnText}` : ''}: see what to do under each.`, false];
  }
  if (warns) return [`Working, with ${warnText}: see what to do below.`, false, 'warn'];
  if (!verified) return [unchecked ? `${plural(unchecked, 'check', 'checks')} could not run: see below.` : 'Checked.', false, 'warn'];
  return [unchecked ? `Every check that can run now passed (${unchecked} later: see below).` : 'Every check passed.', true];
}

async function check() {
  $('summary').dataset.state = 'checking';
  say($('summary'), 'Checking…', true);
  const r = await host('status', {});
  if (!r.ok) {
    say($('summary'), errorWords(r.error), false);
    $('summary').dataset.state = 'error';
    return;
  }
  showStored(r.result);
  const st = r.result;
  const t = st.textus || {};
  const g = st.greenhouse || {};
  if (!(t.token || t.account || g.email || g.harvest)) {
    renderChecklist($('checklist'), []);
    say($('summary'), 'Nothing is configured yet: fill in the fields below and press "Save and verify".', false);
    $('summary').dataset.state = 'unconfigured';
    return;
  }
  const v = await host('configure', { dry_run: true });
  if (!v.ok) {
    say($('summary'), errorWords(v.error), false);
    $('summary').dataset.state = 'error';
    return;
  }
  renderChecklist($('checklist'), v.result.verification);
  const [text, ok, kind] = summarize(v.result.verification, v.result.verified);
  say($('summary'), (st.configured ? '' : 'Not fully configured yet. ') + text, ok && st.configured, kind);
  $('summary').dataset.state = 'checked';
}

// The request the form means: only what was typed, and only the chosen Harvest generation's
// credentials; "harvest" says which when credentials are sent (required to go back to v1).
function formDocument() {
  const textus = {};
  const gh = {};
  if ($('textus_token').value) textus.token = $('textus_token').value;
  if ($('textus_account').value.trim()) textus.account = $('textus_account').value.trim();
  if ($('gh_email').value.trim()) gh.email = $('gh_email').value.trim();
  const gen = chosenHarvest();
  if (gen === 'v3') {
    if ($('gh_client_id').value.trim()) gh.client_id = $('gh_client_id').value.trim();
    if ($('gh_client_secret').value) gh.client_secret = $('gh_client_secret').value;
    if (gh.client_id || gh.client_secret) gh.harvest = 'v3';
  } else if ($('gh_api_key').value) {
    gh.api_key = $('gh_api_key').value;
    gh.harvest = 'v1';
  }
  const doc = {};
  if (Object.keys(textus).length) doc.textus = textus;
  if (Object.keys(gh).length) doc.greenhouse = gh;
  return doc;
}

function showChanges(box, changes) {
  if (!Array.isArray(changes) || !changes.length) return;
  box.append(el('div', '', 'What changed:'));
  const ul = el('ul', 'changes');
  for (const c of changes) {
    const show = (v) => (typeof v === 'string' && /^\*+/.test(v) ? secretState(v).text
      : v === null || v === undefined ? 'not set' : String(v));
    const what = c.change === 'removed' ? `removed (was ${show(c.was)})`
      : c.change === 'set' ? `set: ${show(c.value)}` : `changed: ${show(c.value)} (was ${show(c.was)})`;
    ul.append(el('li', '', `${FIELD_WORDS[c.field] || c.field} ${what}`));
  }
  box.append(ul);
}

$('creds').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const box = $('save_result');
  box.replaceChildren();
  const doc = formDocument();
  if (chosenHarvest() === 'v1' && storedHarvest === 'v3' && !(doc.greenhouse && doc.greenhouse.api_key)) {
    box.dataset.state = 'incomplete';
    box.append(el('p', 'msg error', 'To switch to Harvest v1 (its announced removal date, 2026-08-31, has passed), type the v1 API key; the ' +
      'stored v3 client credentials are then removed.'));
    return;
  }
  if (!Object.keys(doc).length) {
    box.dataset.state = 'nothing';
    box.append(el('p', 'msg error', 'Nothing to save: type a value first.'));
    return;
  }
  box.dataset.state = 'saving';
  box.append(el('p', 'msg ok', 'Saving and checking…'));
  $('save').disabled = true;
  const r = await host('configure', doc);
  $('save').disabled = false;
  box.replaceChildren();
  // one checklist, the Status box's: the result here says what happened, the failures and
  // warnings with what to do, and points there for the rest
  if (r.ok) {
    const items = r.result.verification || [];
    const fails = items.filter((c) => c.status === 'fail').length;
    const warns = items.filter((c) => c.status === 'warn').length;
    const later = items.filter((c) => c.status === 'unchecked').length;
    box.dataset.state = 'saved';
    box.append(el('p', `msg ${fails ? 'error' : warns ? 'warn' : 'ok'}`, fails
      ? `Saved, but ${fails} check${fails > 1 ? 's' : ''} failed: see what to do in the Status checklist above.`
      : warns ? `Saved. ${warns} warning${warns > 1 ? 's' : ''}: see what to do in the Status checklist above.`
        : later ? 'Saved. Every check that can run now passed.' : 'Saved. Every check passed.'));
    showChanges(box, r.result.changes);
    for (const [id] of SECRETS) $(id).value = '';
    renderChecklist($('checklist'), items);
    const [text, ok, kind] = summarize(items, r.result.verified);
    say($('summary'), (r.result.configured ? '' : 'Not fully configured yet. ') + text, ok && r.result.configured, kind);
    $('summary').dataset.state = 'checked';
    const st = await host('status', {});
    if (st.ok) showStored(st.result);
  } else if (r.error.code === 'verification_failed') {
    const items = (r.error.details && r.error.details.verification) || [];
    const failed = items.filter((c) => c.status === 'fail');
    box.dataset.state = 'not_saved';
    box.append(el('p', 'msg error', `Not saved: ${failed.length} of ${items.length} checks failed. Correct what failed and ` +
      'press "Save and verify" again (what you typed is kept).'));
    const ul = el('ul', 'failures');
    for (const c of failed) {
      const li = el('li');
      li.dataset.check = c.check;
      li.append(el('b', '', c.check), ` — ${inWords(c.message)} `, el('span', 'fix', `What to do: ${inWords(c.fix)}`));
      ul.append(li);
    }
    box.append(ul);
    renderChecklist($('checklist'), items);
    const [text] = summarize(items, false);
    say($('summary'), `Not saved. ${text}`, false);
    $('summary').dataset.state = 'not_saved';
  } else {
    box.dataset.state = 'error';
    box.append(el('p', 'msg error', `Not saved: ${errorWords(r.error)}`));
  }
});

for (const r of document.querySelectorAll('input[name=harvest]')) {
  r.addEventListener('change', () => showHarvest(chosenHarvest()));
}

// A US/Canada number as people write it ("(312) 555-0142", "312.555.0142", "+1 312 555 0142")
// as the host wants it (+1NXXNXXXXXX): its digits; 10 of them get +1, 11 starting with 1 get +.
// Anything else is null (the host would refuse it).
function usNumber(text) {
  const digits = text.replace(/\D/g, '');
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits[0] === '1') return `+${digits}`;
  return null;
}

const US_NUMBER_HINT = 'Type a US/Canada number, e.g. (312) 555-0142.';

$('optout').addEventListener('click', async () => {
  const typed = $('optout_to').value.trim();
  if (!typed) return;
  const to = usNumber(typed);
  $('optout_msg').dataset.state = to ? 'locking' : 'bad_request';
  if (!to) {
    say($('optout_msg'), US_NUMBER_HINT, false);
    return;
  }
  $('optout').disabled = true;
  const r = await host('opt_out', { to });
  $('optout').disabled = false;
  $('optout_msg').dataset.state = r.ok ? 'locked' : r.error.code;
  // the host's number-format rule is for the admin: the page says what to type
  if (r.ok) say($('optout_msg'), `Locked ${typed} (${to}): it can no longer be texted.`, true);
  else if (r.error.code === 'bad_request') say($('optout_msg'), `${US_NUMBER_HINT} This one is not a number that can be texted.`, false);
  else say($('optout_msg'), `Not locked: ${errorWords(r.error)}`, false);
});

// The compose template's merge fields: those of TextUs saved replies (content.js fills them).
const FIELDS = ['first_name', 'last_name', 'full_name', 'recruiter_first_name', 'recruiter_name'];

// Templates saved before the fields were renamed: {name} and {recruiter} mean these now.
function currentFieldNames(tpl) {
  return tpl.replace(/\{name\}/g, '{full_name}').replace(/\{recruiter\}/g, '{recruiter_name}');
}

$('save_template').addEventListener('click', () => {
  const template = $('template').value;
  const unknown = [...new Set([...template.matchAll(/\{([A-Za-z0-9_]{1,64})\}/g)].map((m) => m[1]))]
    .filter((n) => !FIELDS.includes(n));
  chrome.storage.local.set({ template, recruiter: $('recruiter').value.trim() }, () => {
    $('template_msg').dataset.state = unknown.length ? 'saved_unknown' : 'saved';
    if (unknown.length) {
      say($('template_msg'), `Saved. Not a merge field: ${unknown.map((n) => `{${n}}`).join(', ')} — it stays ` +
        'as written, highlighted, until you edit it in the compose box.', false);
    } else say($('template_msg'), 'Saved.', true);
  });
});

chrome.storage.local.get({ template: '', recruiter: '' }, (v) => {
  $('template').value = currentFieldNames(v.template);
  $('recruiter').value = v.recruiter;
  $('template').dataset.loaded = '1';
});
$('recheck').addEventListener('click', check);
check();
