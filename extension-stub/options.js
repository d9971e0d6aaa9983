// TextUs for Greenhouse (stub) — options page: sends credentials to the host (configure,
// accepted by the service worker only from this page), shows the host's masked status,
// locks a contact (opt_out) and keeps the compose template in chrome.storage.local.
// Secret fields are write-only: they are cleared after sending and never filled back.
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

// The host's verification checklist ({check, status, message, fix}) as lines a person reads.
function checklist(list) {
  if (!Array.isArray(list) || !list.length) return '';
  return '\n' + list.map((c) => `${c.status === 'ok' ? '✓' : c.status === 'fail' ? '✗' : '–'} ${c.check}: ` +
    `${c.message}${c.fix ? ` → ${c.fix}` : ''}`).join('\n');
}

function say(el, text, ok) {
  el.textContent = text;
  el.className = 'msg ' + (ok ? 'ok' : 'error');
}

async function refresh() {
  const r = await host('status', {});
  $('status').textContent = r.ok ? JSON.stringify(r.result, null, 2)
    : `${r.error.code}: ${r.error.message}`;
  if (r.ok) {
    const t = r.result.textus || {};
    const g = r.result.greenhouse || {};
    if (t.account && !$('textus_account').value) $('textus_account').value = t.account;
    if (g.email && !$('gh_email').value) $('gh_email').value = g.email;
  }
}

$('creds').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const doc = {};
  const textus = {};
  const gh = {};
  if ($('textus_token').value) textus.token = $('textus_token').value;
  if ($('textus_account').value.trim()) textus.account = $('textus_account').value.trim();
  if ($('gh_email').value.trim()) gh.email = $('gh_email').value.trim();
  if ($('gh_api_key').value) gh.api_key = $('gh_api_key').value;
  if ($('gh_client_id').value.trim()) gh.client_id = $('gh_client_id').value.trim();
  if ($('gh_client_secret').value) gh.client_secret = $('gh_client_secret').value;
  if (Object.keys(textus).length) doc.textus = textus;
  if (Object.keys(gh).length) doc.greenhouse = gh;
  for (const id of ['textus_token', 'gh_api_key', 'gh_client_secret']) $(id).value = '';
  if (!Object.keys(doc).length) { say($('save_msg'), 'Nothing to save.', false); return; }
  say($('save_msg'), 'Saving and checking…', true);
  const r = await host('configure', doc);
  if (r.ok) {
    say($('save_msg'), 'Saved.' + checklist(r.result && r.result.verification), true);
  } else {
    const details = r.error.details && r.error.details.verification;
    say($('save_msg'), `Not saved: ${r.error.message}` + checklist(details), false);
  }
  refresh();
});

$('optout').addEventListener('click', async () => {
  const to = $('optout_to').value.trim();
  if (!to) return;
  const r = await host('opt_out', { to });
  if (r.ok) say($('optout_msg'), `Locked ${to}: it can no longer be texted.`, true);
  else say($('optout_msg'), `${r.error.code}: ${r.error.message}`, false);
});

$('save_template').addEventListener('click', () => {
  chrome.storage.local.set({ template: $('template').value, recruiter: $('recruiter').value.trim() },
    () => say($('template_msg'), 'Saved.', true));
});

chrome.storage.local.get({ template: '', recruiter: '' }, (v) => {
  $('template').value = v.template;
  $('recruiter').value = v.recruiter;
});
$('refresh').addEventListener('click', refresh);
refresh();
