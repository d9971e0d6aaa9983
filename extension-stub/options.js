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
// host cannot give them) and opting a number out of texts (opt_out; the number as people write
// it, normalised to +1NXXNXXXXXX here). Each action clears the previous one's message; a secret
// typed but not saved says so; switching to Harvest v1 over stored v3 credentials asks first
// and says what it removed; the checklist's names are said without API scopes. New replies:
// the box that turns off the Chrome notification of a new reply (sw.js).
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

const MARKS = { ok: '✓ Passed', fail: '✗ Failed', warn: '! Warning', unchecked: '? Not checked yet',
  first_text: '… At first text' };

// The host's check names, said without API scopes: "Candidates: Add Note (harvest:notes:create)"
// is "Candidates: Add Note" (the permission's name in Greenhouse), the same for Harvest v1 and v3.
function checkWords(name) {
  return String(name || '').replace(/\s*\((?:harvest|[a-z]+):[a-z_:]+\)/g, '')
    .replace(/\(Harvest v3 client credentials\)/, '(Harvest v3 Client id and secret)');
}

// A check that runs only at the first text (adding a note to see whether it is allowed would
// add one): said as such, not as a check that could not run.
function firstTextOnly(c) {
  return c.status === 'unchecked' && /without side effects/.test(c.message || '');
}

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
  // Greenhouse's own menu path is kept, said as where it is
  const menu = (x) => x.replace(/\(Configure > Dev Center/g, '(in Greenhouse, an admin\'s menu: Configure, the gear icon > Dev Center');
  for (const [re, words] of FIX_WORDS) if (re.test(t)) return menu(t.replace(re, words));
  t = t.replace(/,? ?(?:and |then )?run `?textus-host configure`?(?: again)?(?: with it)?/g, ', then press "Save and verify"')
    .replace(/`?textus-host doctor --report`?/g, 'a support report (your admin can make one)')
    .replace(/`?textus-host (?:doctor|status|outbox [a-z]+)`?/g, 'your admin\'s check of this computer')
    .replace(/\b(?:textus|greenhouse|settings)\.[a-z_]+\b/g, (k) => `the ${FIELD_WORDS[k] || k.replace(/^.*\./, '').replace(/_/g, ' ')}`)
    .replace(/\bbase_url\b/g, 'the service address').replace(/\bclient_secret\b/g, 'Client secret')
    .replace(/\bclient_id\b/g, 'Client id').replace(/\bapi_key\b/g, 'API key')
    .replace(/`/g, '')
    .replace(/\bHarvest v3 client credentials\b/g, 'Harvest v3 credentials');
  t = menu(t);
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
    const message = firstTextOnly(c)
      ? 'Checked when you send your first text: checking it now would add a note to a candidate.' : inWords(c.message);
    body.append(el('b', '', checkWords(c.check)), ` — ${message}`);
    if (c.fix) body.append(el('div', 'fix', `What to do: ${inWords(c.fix)}`));
    li.append(el('span', 'mark', MARKS[firstTextOnly(c) ? 'first_text' : c.status] || c.status), ' ', body);
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
const storedState = {}; // id -> {text, stored}: what the host has, for the label beside each secret

// The label beside a secret: what is stored, or that what is typed in its box is not saved yet.
function paintSecret(id) {
  const s = storedState[id] || { text: 'not set', stored: false };
  const typed = !!$(id).value;
  $(`${id}_state`).textContent = typed ? (s.stored ? `${s.text}; the new one you typed is not saved yet`
    : 'typed, not saved yet') : s.text;
  $(`${id}_state`).className = 'state' + (s.stored && !typed ? ' stored' : '');
}

function showStored(st) {
  for (const [id, get] of SECRETS) {
    const s = secretState(get(st));
    storedState[id] = s;
    paintSecret(id);
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
  const atFirst = all.filter(firstTextOnly).length;
  if (unchecked && atFirst === unchecked) {
    return [`Every check that can run now passed; ${atFirst === 1 ? 'one is' : `${atFirst} are`} checked at your first text.`, true];
  }
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
    say($('summary'), 'Nothing is set up yet: fill in the boxes below and press "Save and verify".', false);
    $('summary').dataset.state = 'unconfigured';
    $('recheck').hidden = true; // nothing to check again until something is saved
    return;
  }
  $('recheck').hidden = false;
  const v = await host('configure', { dry_run: true });
  if (!v.ok) {
    say($('summary'), errorWords(v.error), false);
    $('summary').dataset.state = 'error';
    return;
  }
  renderChecklist($('checklist'), v.result.verification);
  const [text, ok, kind] = summarize(v.result.verification, v.result.verified);
  say($('summary'), (st.configured ? 'Your settings are saved. ' : 'Not fully set up yet. ') + text, ok && st.configured, kind);
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

// One action's message at a time: starting one clears the others' (a failed opt-out never
// shows beside an old "Saved").
function clearMessages(except) {
  if (except !== 'save') { $('save_result').replaceChildren(); delete $('save_result').dataset.state; }
  if (except !== 'template') { $('template_msg').textContent = ''; delete $('template_msg').dataset.state; }
  if (except !== 'optout') { $('optout_msg').textContent = ''; delete $('optout_msg').dataset.state; }
}

let v1Confirmed = false; // the switch to v1 over stored v3 credentials, confirmed for this save

$('creds').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearMessages('save');
  const box = $('save_result');
  box.replaceChildren();
  const doc = formDocument();
  if (chosenHarvest() === 'v1' && storedHarvest === 'v3' && !(doc.greenhouse && doc.greenhouse.api_key)) {
    box.dataset.state = 'incomplete';
    box.append(el('p', 'msg error', 'To switch to Harvest v1 (its announced removal date, 2026-08-31, has passed), type the v1 API key; the ' +
      'saved v3 Client id and Client secret are then removed.'));
    return;
  }
  if (chosenHarvest() === 'v1' && storedHarvest === 'v3' && !v1Confirmed) {
    // removing working credentials is asked first, in place, with what it removes and why
    box.dataset.state = 'confirm_v1';
    const ask = el('div', 'confirm');
    ask.append(el('p', 'msg warn', 'Switch to Harvest v1? This removes the saved Harvest v3 Client id and Client secret ' +
      'from this computer: TextUs keeps one Greenhouse sign-in. Harvest v1 is past its announced removal date and may stop ' +
      'at any time.'));
    const yes = el('button', 'primary', 'Switch to v1 and remove v3');
    yes.type = 'button';
    yes.id = 'confirm_v1';
    const no = el('button', '', 'Keep v3');
    no.type = 'button';
    no.id = 'cancel_v1';
    // one primary action while the question is open: its answer (Save and verify waits)
    $('save').disabled = true;
    yes.addEventListener('click', () => { v1Confirmed = true; $('save').disabled = false; $('creds').requestSubmit(); });
    no.addEventListener('click', () => {
      $('save').disabled = false;
      box.replaceChildren();
      delete box.dataset.state;
      $('harvest_v3').checked = true;
      $('gh_api_key').value = '';
      paintSecret('gh_api_key');
      showHarvest('v3');
    });
    ask.append(yes, no);
    box.append(ask);
    yes.focus();
    return;
  }
  const switchedToV1 = v1Confirmed;
  v1Confirmed = false;
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
    if (switchedToV1) {
      box.append(el('p', '', 'Harvest v1 is in use now. The Harvest v3 Client id and Client secret were removed from ' +
        'this computer, as you confirmed; to go back, choose Harvest v3 and type them again.'));
    }
    showChanges(box, r.result.changes);
    for (const [id] of SECRETS) { $(id).value = ''; paintSecret(id); }
    renderChecklist($('checklist'), items);
    const [text, ok, kind] = summarize(items, r.result.verified);
    say($('summary'), (r.result.configured ? 'Your settings are saved. ' : 'Not fully set up yet. ') + text, ok && r.result.configured, kind);
    $('recheck').hidden = false;
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
  r.addEventListener('change', () => { v1Confirmed = false; showHarvest(chosenHarvest()); });
}
for (const [id] of SECRETS) $(id).addEventListener('input', () => paintSecret(id));

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
  clearMessages('optout');
  if (!typed) {
    $('optout_msg').dataset.state = 'empty';
    say($('optout_msg'), 'Type the number to opt out first.', false);
    return;
  }
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
  // the host's number-format rule is for the admin: the page says what to type. "Opted out",
  // the compose box's word for the same thing
  if (r.ok) say($('optout_msg'), `Opted out: ${typed} can no longer be texted from TextUs.`, true);
  else if (r.error.code === 'bad_request') {
    say($('optout_msg'), `Not opted out: ${typed} is not a US/Canada number that can be texted. Type one like (312) 555-0142.`, false);
  } else say($('optout_msg'), `Not opted out: ${errorWords(r.error)}`, false);
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
  clearMessages('template');
  chrome.storage.local.set({ template, recruiter: $('recruiter').value.trim() }, () => {
    $('template_msg').dataset.state = unknown.length ? 'saved_unknown' : 'saved';
    if (unknown.length) {
      say($('template_msg'), `Saved. Not a merge field: ${unknown.map((n) => `{${n}}`).join(', ')} — it stays ` +
        'as written, and the compose box asks you to edit it before sending.', false);
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

// New replies: a Chrome notification per new reply (sw.js, after each inbox) unless unticked
// here; saved in this browser as notifyReplies (on when never set).
chrome.storage.local.get({ notifyReplies: true }, (v) => { $('notify_replies').checked = v.notifyReplies !== false; });
$('notify_replies').addEventListener('change', () => {
  const on = $('notify_replies').checked;
  chrome.storage.local.set({ notifyReplies: on }, () => {
    $('notify_msg').textContent = on ? 'Saved: you will be notified of new replies.'
      : 'Saved: no notifications; the toolbar button still counts the replies waiting.';
  });
});
