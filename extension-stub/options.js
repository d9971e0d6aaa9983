// TextUs for Greenhouse (stub) — options page. Shows the host's checklist (the `configure` verb's
// dry run: what is stored, checked online; the same lines `textus-host configure` and `doctor`
// print: ok / FAIL / warn / unchecked, each failure and warning with its fix), says per secret
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

const MARKS = { ok: '✓ ok', fail: '✗ FAIL', warn: '! warn', unchecked: '? unchecked' };

// The host's checklist ({check, status, message, fix}) as a list a person reads.
function renderChecklist(list, items) {
  list.replaceChildren();
  for (const c of items || []) {
    const li = el('li');
    li.dataset.check = c.check;
    li.dataset.status = c.status;
    const body = el('span', 'body');
    body.append(el('b', '', c.check), `: ${c.message}`);
    if (c.fix) body.append(el('div', 'fix', `fix: ${c.fix}`));
    li.append(el('span', 'mark', MARKS[c.status] || c.status), ' ', body);
    list.append(li);
  }
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
  if (st.permissions_ok === false) files.append(el('div', 'msg error', 'Some files have unsafe permissions: run textus-host doctor.'));
}

function say(el_, text, ok) {
  el_.textContent = text;
  el_.className = 'msg ' + (ok ? 'ok' : 'error');
}

// The summary line above the checklist.
function summarize(items, verified) {
  const fails = (items || []).filter((c) => c.status === 'fail').length;
  if (fails) return [`${fails} check${fails > 1 ? 's' : ''} failed: see the fix under each.`, false];
  return [verified ? 'Every check passed.' : 'Checked.', true];
}

async function check() {
  $('summary').dataset.state = 'checking';
  say($('summary'), 'Checking…', true);
  const r = await host('status', {});
  if (!r.ok) {
    say($('summary'), `${r.error.code}: ${r.error.message}`, false);
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
    say($('summary'), `${v.error.code}: ${v.error.message}`, false);
    $('summary').dataset.state = 'error';
    return;
  }
  renderChecklist($('checklist'), v.result.verification);
  const [text, ok] = summarize(v.result.verification, v.result.verified);
  say($('summary'), (st.configured ? '' : 'Not fully configured yet. ') + text, ok && st.configured);
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
    ul.append(el('li', '', `${c.field === 'greenhouse.harvest' ? 'Harvest API' : c.field} ${what}`));
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
  const list = el('ul', 'checklist');
  if (r.ok) {
    const fails = r.result.verification.filter((c) => c.status === 'fail').length;
    box.dataset.state = 'saved';
    box.append(el('p', 'msg ok', fails ? `Saved, but ${fails} check(s) failed.` : 'Saved. Every check passed.'));
    showChanges(box, r.result.changes);
    renderChecklist(list, r.result.verification);
    box.append(list);
    for (const [id] of SECRETS) $(id).value = '';
    renderChecklist($('checklist'), r.result.verification);
    const [text, ok] = summarize(r.result.verification, r.result.verified);
    say($('summary'), (r.result.configured ? '' : 'Not fully configured yet. ') + text, ok && r.result.configured);
    const st = await host('status', {});
    if (st.ok) showStored(st.result);
  } else if (r.error.code === 'verification_failed') {
    const items = (r.error.details && r.error.details.verification) || [];
    const fails = items.filter((c) => c.status === 'fail').length;
    box.dataset.state = 'not_saved';
    box.append(el('p', 'msg error', `Not saved: ${fails} of ${items.length} checks failed. Correct what is marked FAIL and press "Save and verify" again (what you typed is kept).`));
    renderChecklist(list, items);
    box.append(list);
  } else {
    box.dataset.state = 'error';
    box.append(el('p', 'msg error', `Not saved: ${r.error.code}: ${r.error.message}`));
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
  const r = await host('opt_out', { to });
  $('optout_msg').dataset.state = r.ok ? 'locked' : r.error.code;
  if (r.ok) say($('optout_msg'), `Locked ${typed} (${to}): it can no longer be texted.`, true);
  else if (r.error.code === 'bad_request') say($('optout_msg'), `${US_NUMBER_HINT} (${r.error.message})`, false);
  else say($('optout_msg'), `${r.error.code}: ${r.error.message}`, false);
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
