// TextUs for Greenhouse (stub) — content script for a Greenhouse candidates list
// (https://*.greenhouse.io/people?...: a job's candidates, a checkbox per row, a "Bulk actions"
// menu). It adds "Text selected" to that menu: a dialog with the text (the merge fields of
// TextUs saved replies) and what to do in the candidates' quiet hours, then the confirmation
// (bulk_preview: how many will be texted, the first three texts as they will go, who will be
// skipped and why, in words; the heading "5 selected · 3 will be texted"), then bulk_send on the
// page's own port (the worker keeps a native port behind it, sw.js) whose `bulk` events give the
// progress, counted against those being texted ("1 of 3 texted", skipped and cancelled said
// apart), and a final summary. Cancel asks bulk_cancel on a port of its own
// (host/PROTOCOL.md: the bulk's port reads no frame until its last event). Every candidate
// goes through the host's single send (opted-out and blocked numbers are never texted, exactly
// once, one Greenhouse note each). It never talks to the host directly.
'use strict';

(() => {
  if (window.__textusBulk) return;
  window.__textusBulk = true;

  const DEFAULT_BODY = 'Hi {first_name}, are you free for a quick call this week?';

  // ---- the page's port to the worker (as content.js's): replies by number, events to listeners
  let tabPort = null;
  let nextRid = 1;
  const waiting = new Map();
  const listeners = new Set();
  const failed = (message) => ({ ok: false, error: { code: 'extension_error', message } });
  function connect() {
    if (tabPort) return tabPort;
    try { tabPort = chrome.runtime.connect({ name: 'textus-tab' }); } catch (e) { return null; }
    tabPort.onMessage.addListener((m) => {
      if (!m || typeof m !== 'object') return;
      if (m.event) { for (const fn of Array.from(listeners)) fn(m.event); return; }
      const w = waiting.get(m.rid);
      if (w) { waiting.delete(m.rid); w(m.reply || failed('no reply')); }
    });
    tabPort.onDisconnect.addListener(() => {
      tabPort = null;
      for (const w of waiting.values()) w(failed('The extension restarted. Reload the page: nobody is texted twice.'));
      waiting.clear();
    });
    return tabPort;
  }
  function host(verb, request) {
    return new Promise((resolve) => {
      const p = connect();
      if (!p) { resolve(failed('The extension was updated or removed: reload this page.')); return; }
      const rid = nextRid++;
      waiting.set(rid, resolve);
      try { p.postMessage({ rid, verb, request }); } catch (e) {
        waiting.delete(rid);
        resolve(failed('The extension was updated or removed: reload this page.'));
      }
    });
  }
  // a request on a port of its own, beside the bulk's (bulk_cancel)
  function hostAside(verb, request) {
    return new Promise((resolve) => {
      try {
        chrome.runtime.sendMessage({ cmd: 'host', verb, request }, (r) => {
          resolve(chrome.runtime.lastError || !r ? failed('The extension did not answer.') : r);
        });
      } catch (e) { resolve(failed('The extension was updated or removed: reload this page.')); }
    });
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- words ------------------------------------------------------------------------------
  // a skip reason (host/PROTOCOL.md bulk_send, bulk_preview) as a recruiter says it
  const REASONS = {
    invalid_id: 'not a Greenhouse candidate',
    duplicate: 'listed twice',
    not_found: 'not found in Greenhouse',
    no_number: 'no US or Canada phone number in Greenhouse',
    merge_missing: 'a field of the text is missing for them',
    opted_out: 'opted out of texts',
    blocked: 'blocked in TextUs',
    quiet_hours: 'in their quiet hours',
    no_time_zone: "their time zone isn't known, so their quiet hours can't be checked",
    not_sent: 'not sent',
    outcome_unknown: 'TextUs did not confirm the text yet',
    rate_limited: 'TextUs was busy; try them again later',
    upstream_unavailable: 'TextUs was not responding',
  };
  const reasonWords = (r) => REASONS[r] || 'the text could not be sent';
  const BULK_MAX = 500; // bulk_send's most candidate ids (host/PROTOCOL.md)
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  // The progress, counted against the candidates being texted (`toText`: the bulk's total less
  // those skipped or to be skipped), never against everyone selected: "1 of 3 texted; 1 failed,
  // listed below. 2 skipped, listed below." A scheduled text has not gone yet, so it is said
  // apart: "2 texted, 1 scheduled for when their quiet hours end, of 3". Skipped and cancelled
  // candidates are said apart: they are not texted.
  function counts(ev, toText) {
    let s = ev.scheduled
      ? `${ev.sent} texted, ${ev.scheduled} scheduled for when their quiet hours end, of ${toText}`
      : `${ev.sent} of ${toText} texted`;
    if (ev.failed) s += `; ${ev.failed} failed, listed below`;
    s += '.';
    if (ev.skipped) s += ` ${ev.skipped} skipped, listed below.`;
    if (ev.cancelled) s += ` ${ev.cancelled} cancelled, not texted.`;
    return s;
  }
  function localTime(iso) {
    const d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return d.toLocaleString('en-US', { weekday: 'short', hour: 'numeric', minute: '2-digit' });
  }

  const STYLE = `
.textus-bulk{position:fixed;inset:0;background:rgba(20,30,40,.45);z-index:2147483000;display:flex;
  align-items:center;justify-content:center;font:13px/18px system-ui,sans-serif;color:#1d2733;overflow-wrap:anywhere}
.textus-bulk-dialog{background:#fff;border-radius:10px;width:min(560px,94vw);max-height:90vh;overflow:auto;padding:16px 18px;
  box-shadow:0 8px 30px rgba(0,0,0,.3)}
.textus-bulk h2{font:600 16px/22px system-ui,sans-serif;margin:0 0 8px}
.textus-bulk h3{font:600 13px/18px system-ui,sans-serif;margin:10px 0 4px}
.textus-bulk textarea{width:100%;box-sizing:border-box;font:13px/18px system-ui,sans-serif;padding:6px 8px;border:1px solid #9aabbd;border-radius:6px}
.textus-bulk fieldset{border:0;margin:8px 0;padding:0}
.textus-bulk legend{font-weight:600;padding:0}
.textus-bulk ul{margin:4px 0;padding-left:18px}
.textus-bulk p{margin:6px 0}
.textus-bulk .textus-bulk-error{color:#b3261e;font-weight:600}
.textus-bulk .textus-bulk-actions{display:flex;gap:8px;flex-wrap:wrap;margin-top:12px}
.textus-bulk button{padding:6px 16px;border-radius:6px;font:600 13px/18px system-ui,sans-serif;cursor:pointer;
  border:1px solid #1b6ac9;background:#fff;color:#1b5fb4}
.textus-bulk button.textus-primary{background:#1b6ac9;color:#fff}
.textus-bulk button:disabled{background:#e9edf2;color:#5f6b78;border-color:#c9d1db;cursor:not-allowed}
.textus-bulk button:focus-visible,.textus-bulk textarea:focus-visible,.textus-bulk input:focus-visible{outline:2px solid #0b57d0;outline-offset:1px}
.textus-bulk progress{width:100%}
.textus-bulk-beside{margin-left:8px;padding:4px 12px;border-radius:4px;font:600 13px/18px system-ui,sans-serif;cursor:pointer;
  border:1px solid #1b6ac9;background:#fff;color:#1b5fb4}
.textus-bulk-beside:focus-visible{outline:2px solid #0b57d0;outline-offset:1px}
`;

  // ---- the page: the list's rows and its bulk-action menu ----------------------------------
  // Not seen on a real Greenhouse page: Greenhouse documents the flow (Candidates tab, "Bulk
  // Actions", tick candidates or "Select All", "Edit Selected", then a modal of actions:
  // https://support.greenhouse.io/hc/en-us/articles/200241959-Perform-Bulk-Actions-on-Candidates)
  // but not its markup, so the list is read by what any such page must have rather than by
  // class names: a ticked checkbox, and in its row a link to the candidate's profile,
  // /people/<candidate id> (the id Harvest knows). A row carrying data-candidate-id (the
  // fixture's table, tests/e2e/fixture/candidates.html) gives the id directly; otherwise the
  // row is the checkbox's nearest ancestor holding links to exactly one candidate
  // (tests/e2e/fixture/candidates-cards.html: cards, links with ?application_id=, other links).
  // The name is that link's text. A checkbox whose surroundings link to no candidate, or to
  // several (a "Select All"), is not a candidate's.
  const PROFILE_PATH = /^\/people\/(\d{1,18})\/?$/;
  const profileId = (a) => {
    try { const m = PROFILE_PATH.exec(new URL(a.getAttribute('href'), location.href).pathname); return m ? m[1] : null; } catch (e) { return null; }
  };
  function profileLinks(root) {
    return Array.from(root.querySelectorAll('a[href*="/people/"]')).map((a) => ({ a, id: profileId(a) })).filter((l) => l.id);
  }
  function rowOf(box) {
    const tagged = box.closest('[data-candidate-id]');
    if (tagged && /^\d{1,18}$/.test(tagged.dataset.candidateId)) {
      const link = profileLinks(tagged).find((l) => l.id === tagged.dataset.candidateId) || profileLinks(tagged)[0];
      return { id: tagged.dataset.candidateId, name: ((link ? link.a : tagged).textContent || '').trim() };
    }
    for (let n = box.parentElement; n && n !== document.body; n = n.parentElement) {
      const links = profileLinks(n);
      if (!links.length) continue;
      const ids = new Set(links.map((l) => l.id));
      if (ids.size !== 1) return null; // a "Select All" or a header: not one candidate's
      const named = links.find((l) => (l.a.textContent || '').trim()) || links[0];
      return { id: links[0].id, name: (named.a.textContent || '').trim() };
    }
    return null;
  }
  // every candidate of the list once: {id, name, checked}. A candidate can have two boxes (a
  // list of one: its "Select All" surrounds links to that one candidate only); ticked when any is.
  function rows() {
    const seen = new Map();
    for (const box of document.querySelectorAll('input[type=checkbox]')) {
      if (dialog && dialog.contains(box)) continue;
      const r = rowOf(box);
      if (!r) continue;
      const had = seen.get(r.id);
      if (had) { had.checked = had.checked || box.checked; had.name = had.name || r.name; }
      else seen.set(r.id, { id: r.id, name: r.name, checked: box.checked });
    }
    return Array.from(seen.values());
  }
  let names = new Map();
  const selected = () => {
    const all = rows();
    names = new Map(all.map((r) => [r.id, r.name]));
    return all.filter((r) => r.checked).map((r) => ({ id: r.id, name: r.name }));
  };
  const nameOf = (id) => names.get(String(id)) || `Candidate ${id}`;
  // Greenhouse's "Bulk Actions" / "Edit Selected" button, found by its words
  const MENU_WORDS = /^(bulk actions|edit selected)$/i;
  function findMenuButton() {
    const all = Array.from(document.querySelectorAll('button, [role=button]')).filter((b) => !(dialog && dialog.contains(b)));
    return all.find((b) => /^edit selected$/i.test((b.textContent || '').trim()) && shown(b)) ||
      all.find((b) => MENU_WORDS.test((b.textContent || '').trim()) && shown(b)) ||
      all.find((b) => MENU_WORDS.test((b.textContent || '').trim()));
  }

  // ---- a modal dialog: focus stays inside while it is open --------------------------------
  // The page behind it is `inert` (neither focusable nor clickable: what the overlay shows), and
  // Tab / Shift+Tab cycle through the dialog's own controls (the last one's Tab goes to the
  // first, so focus never leaves for the browser's address bar either). On close, focus goes
  // back to what opened it ("Text selected") when that is still shown, else to the page's
  // bulk-action menu button (the menu closes when an item is picked, as Greenhouse's does).
  let dialog = null;
  let opener = null;
  let madeInert = [];
  const FOCUSABLE = 'button, textarea, input, select, a[href], [tabindex]:not([tabindex="-1"])';
  const shown = (e) => !!e && e.isConnected && (e.checkVisibility ? e.checkVisibility() : !!e.offsetParent);
  function focusables() {
    const box = dialog && dialog.querySelector('[role=dialog]');
    return box ? Array.from(box.querySelectorAll(FOCUSABLE)).filter((e) => !e.disabled && shown(e) &&
      !(e.type === 'radio' && !e.checked && box.querySelector(`input[type=radio][name="${e.name}"]:checked`))) : [];
  }
  function onKey(ev) {
    if (!dialog) return;
    if (ev.key === 'Escape') {
      if (dialog.dataset.state !== 'sending') { ev.preventDefault(); close(); }
      return;
    }
    if (ev.key !== 'Tab') return;
    const all = focusables();
    if (!all.length) { ev.preventDefault(); return; }
    const at = all.indexOf(document.activeElement);
    if (ev.shiftKey && at <= 0) { ev.preventDefault(); all[all.length - 1].focus(); }
    else if (!ev.shiftKey && (at === -1 || at === all.length - 1)) { ev.preventDefault(); all[0].focus(); }
  }
  function onFocusIn(ev) { // anything that still gets focus outside (a script's focus()) is brought back
    if (dialog && !dialog.contains(ev.target)) { const all = focusables(); if (all.length) all[0].focus(); }
  }
  function close() {
    if (!dialog) return;
    dialog.remove();
    dialog = null;
    document.removeEventListener('keydown', onKey, true);
    document.removeEventListener('focusin', onFocusIn, true);
    for (const e of madeInert) e.inert = false;
    madeInert = [];
    const menuButton = document.querySelector('[data-provides="bulk-actions"] > button') || findMenuButton();
    const back = shown(opener) ? opener : menuButton;
    opener = null;
    if (back) back.focus();
  }

  function open(ev) {
    const picked = selected();
    const from = ev && ev.currentTarget instanceof HTMLElement ? ev.currentTarget : document.activeElement;
    close();
    opener = from;
    ensureStyle();
    dialog = el('div', { class: 'textus-bulk' });
    const d = el('div', { class: 'textus-bulk-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'textus-bulk-title' });
    dialog.appendChild(d);
    for (const e of Array.from(document.body.children)) {
      if (!e.inert && e.tagName !== 'SCRIPT' && e.tagName !== 'STYLE') { e.inert = true; madeInert.push(e); }
    }
    document.body.appendChild(dialog);
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocusIn, true);
    const title = el('h2', { id: 'textus-bulk-title' }, picked.length > BULK_MAX
      ? `${picked.length} selected: too many for one bulk`
      : `Text ${plural(picked.length, 'candidate', 'candidates')}`);
    d.appendChild(title);
    if (!picked.length || picked.length > BULK_MAX) {
      dialog.dataset.state = 'none';
      d.appendChild(el('p', {}, picked.length
        ? `${picked.length} candidates are selected, and a bulk texts at most ${BULK_MAX} at a time. Select fewer, then Text selected again.`
        : 'Select the candidates to text first: tick their boxes in the list.'));
      const ok = el('button', { type: 'button', class: 'textus-primary' }, 'Close');
      ok.addEventListener('click', close);
      d.appendChild(el('div', { class: 'textus-bulk-actions' })).appendChild(ok);
      ok.focus();
      return;
    }
    compose(d, picked, DEFAULT_BODY, 'schedule');
  }

  // step 1: the text and the quiet-hours choice
  function compose(d, picked, body, quiet) {
    dialog.dataset.state = 'compose';
    d.replaceChildren(d.querySelector('h2'));
    const label = el('label', { for: 'textus-bulk-body' }, 'Message (each candidate gets their own name):');
    const ta = el('textarea', { id: 'textus-bulk-body', rows: '4' });
    ta.value = body;
    const fs = el('fieldset');
    fs.appendChild(el('legend', {}, "If it's too early or too late where a candidate is:"));
    for (const [value, words] of [['schedule', 'Schedule their text for when their quiet hours end'], ['skip', "Skip them (don't text them)"]]) {
      const id = `textus-bulk-quiet-${value}`;
      const r = el('input', { type: 'radio', name: 'textus-bulk-quiet', id, value });
      r.checked = value === quiet;
      const l = el('label', { for: id });
      l.append(r, ` ${words}`);
      fs.appendChild(el('div')).appendChild(l);
    }
    const err = el('p', { class: 'textus-bulk-error', role: 'alert' });
    const next = el('button', { type: 'button', class: 'textus-primary textus-bulk-preview' }, 'Review before sending');
    const cancel = el('button', { type: 'button', class: 'textus-bulk-close' }, 'Cancel');
    const actions = el('div', { class: 'textus-bulk-actions' });
    actions.append(next, cancel);
    d.append(label, ta, fs, err, actions);
    cancel.addEventListener('click', close);
    next.addEventListener('click', async () => {
      const text = ta.value;
      const q = (d.querySelector('input[name=textus-bulk-quiet]:checked') || {}).value || 'schedule';
      if (!text.trim()) { err.textContent = 'Type a message first.'; return; }
      next.disabled = true;
      next.textContent = 'Checking the candidates…';
      const r = await host('bulk_preview', { candidate_ids: picked.map((p) => p.id), body: text, quiet_hours: q });
      if (!dialog) return;
      if (!r.ok) {
        next.disabled = false;
        next.textContent = 'Review before sending';
        // only an unknown merge field is the text's fault ("did you mean …?"); any other
        // bad_request is said as it is
        err.textContent = r.error.code === 'bad_request' && /merge field/.test(r.error.message || '')
          ? `Check the text: ${r.error.message}`
          : `The candidates could not be checked: ${r.error.message || 'try again in a moment.'}`;
        return;
      }
      confirm(d, picked, text, q, r.result);
    });
    ta.focus();
  }

  const unchecked0 = (pv) => (Array.isArray(pv.unchecked) ? pv.unchecked.length : 0);

  // step 2: the confirmation (bulk_preview's answer), sent only on the recruiter's word
  function confirm(d, picked, body, quiet, pv) {
    dialog.dataset.state = 'confirm';
    d.replaceChildren(d.querySelector('h2'));
    const n = pv.will_send;
    // the heading counts both: who was selected, who will be texted
    d.querySelector('h2').textContent = `${picked.length} selected · ${unchecked0(pv) && n > 1 ? 'up to ' : ''}` +
      `${n ? n : 'none'} will be texted`;
    // bulk_preview read the opt-out and blocked state of the first 100 it would text; the rest
    // (`unchecked`) are found as each text goes, so only then is the count an upper bound
    const unchecked = Array.isArray(pv.unchecked) ? pv.unchecked.length : 0;
    const optOuts = unchecked
      ? ` ${plural(unchecked, 'candidate was', 'candidates were')} not checked for opt-outs yet` +
        (pv.checks_stopped ? ' (TextUs stopped the checks for now)' : '') +
        '; anyone who opted out or is blocked is skipped when their turn comes.'
      : ' Opt-outs and blocked numbers were checked in TextUs just now.';
    const lead = el('p', { class: 'textus-bulk-count' },
      `${unchecked && n > 1 ? `Up to ${n} candidates` : plural(n, 'candidate', 'candidates')} will get this text` +
      (pv.will_schedule ? `, ${pv.will_schedule} of them scheduled for when their quiet hours end (too early or too late now).` : '.') +
      optOuts);
    d.appendChild(lead);
    if (pv.previews && pv.previews.length) {
      d.appendChild(el('h3', {}, pv.previews.length === 1 ? 'The text as it will go' : `The first ${pv.previews.length} texts as they will go`));
      const ul = el('ul', { class: 'textus-bulk-previews' });
      for (const p of pv.previews) {
        // the compose box's words for a scheduled text: their time first, then the recruiter's
        // (a preview has no time zone of the candidate's, and their quiet window may end at any
        // hour: "when their quiet hours end" stands for their time, never "their morning")
        const yours = p.send_at ? localTime(p.send_at) : '';
        const when = p.send_at ? ` (scheduled for when their quiet hours end${yours ? `: ${yours} your time` : ''})` : '';
        ul.appendChild(el('li', {}, `${p.name || nameOf(p.candidate_id)}: “${p.body}”${when}`));
      }
      d.appendChild(ul);
    }
    if (pv.skipped && pv.skipped.length) {
      d.appendChild(el('h3', {}, `${plural(pv.skipped.length, 'candidate', 'candidates')} won't be texted`));
      const ul = el('ul', { class: 'textus-bulk-skipped' });
      for (const s of pv.skipped) ul.appendChild(el('li', {}, `${nameOf(s.candidate_id)}: ${reasonWords(s.reason)}`));
      d.appendChild(ul);
    }
    const err = el('p', { class: 'textus-bulk-error', role: 'alert' });
    const go = el('button', { type: 'button', class: 'textus-primary textus-bulk-send' }, `Text ${plural(n, 'candidate', 'candidates')}`);
    go.disabled = !n;
    const back = el('button', { type: 'button', class: 'textus-bulk-back' }, 'Edit the message');
    const cancel = el('button', { type: 'button', class: 'textus-bulk-close' }, 'Cancel');
    const actions = el('div', { class: 'textus-bulk-actions' });
    actions.append(go, back, cancel);
    d.append(err, actions);
    back.addEventListener('click', () => {
      d.querySelector('h2').textContent = `Text ${plural(picked.length, 'candidate', 'candidates')}`;
      compose(d, picked, body, quiet);
    });
    cancel.addEventListener('click', close);
    const requestId = crypto.randomUUID(); // one id for this confirmation: a retry never texts twice
    go.addEventListener('click', () => send(d, picked, body, quiet, requestId, err, go, pv));
    go.focus();
  }

  // step 3: bulk_send, its progress from the `bulk` events, and the summary
  async function send(d, picked, body, quiet, requestId, err, go, pv) {
    go.disabled = true;
    go.textContent = 'Starting…';
    let last = null;
    // who is not texted: those the preview said it would skip, and those the events skip (an
    // opt-out found only now); the progress counts against the rest ("1 of 3 texted")
    const notTexted = new Set(((pv && pv.skipped) || []).filter((x) => x.reason !== 'invalid_id' &&
      x.reason !== 'duplicate').map((x) => String(x.candidate_id)));
    const toText = (ev) => Math.max(ev.finished ? ev.total - ev.skipped : ev.total - Math.max(ev.skipped, notTexted.size),
      ev.sent + ev.scheduled + ev.failed, 0);
    const title = () => d.querySelector('h2');
    // the bar fills for what was texted or failed: cancelled is not progress (nor is it full after Stop)
    const progress = el('progress', { max: String(picked.length), value: '0', 'aria-label': 'Texts done' });
    const line = el('p', { class: 'textus-bulk-progress', role: 'status', 'aria-live': 'polite' });
    const skippedList = el('ul', { class: 'textus-bulk-outcomes', 'aria-labelledby': 'textus-bulk-not-texted' });
    const skippedHead = el('h3', { id: 'textus-bulk-not-texted', hidden: '' }, 'Not texted');
    new MutationObserver(() => { skippedHead.hidden = !skippedList.children.length; }).observe(skippedList, { childList: true });
    const stop = el('button', { type: 'button', class: 'textus-bulk-cancel' }, 'Stop sending');
    const onEvent = (ev) => {
      if (ev.event !== 'bulk' || ev.request_id !== requestId || !dialog) return;
      last = ev;
      if (ev.last && ev.last.state === 'skipped') notTexted.add(String(ev.last.candidate_id));
      const n = toText(ev);
      progress.max = Math.max(n, 1);
      progress.value = ev.sent + ev.scheduled + ev.failed;
      if (ev.last && ev.last.state !== 'sent' && ev.last.state !== 'scheduled' && ev.last.reason) {
        skippedList.appendChild(el('li', {}, `${nameOf(ev.last.candidate_id)}: ` +
          `${ev.last.state === 'failed' ? 'failed, ' : ''}${reasonWords(ev.last.reason)}`));
      }
      if (ev.finished) finish(ev);
      else {
        title().textContent = `Texting ${plural(n, 'candidate', 'candidates')}…`;
        line.textContent = counts(ev, n);
      }
    };
    const finish = (ev) => {
      listeners.delete(onEvent);
      dialog.dataset.state = 'done';
      const n = toText(ev);
      progress.max = Math.max(n, 1);
      progress.value = ev.sent + ev.scheduled + ev.failed;
      title().textContent = ev.cancelled ? 'Texting stopped' : 'Texting done';
      line.textContent = `${ev.cancelled ? 'Stopped' : 'Done'}: ${counts(ev, n)} ` +
        'Each text sent is noted on the candidate in Greenhouse.';
      stop.remove();
      const done = el('button', { type: 'button', class: 'textus-primary textus-bulk-close' }, 'Close');
      done.addEventListener('click', close);
      d.querySelector('.textus-bulk-actions').appendChild(done);
      done.focus();
    };
    listeners.add(onEvent);
    const r = await host('bulk_send', { request_id: requestId, candidate_ids: picked.map((p) => p.id), body,
      quiet_hours: quiet });
    if (!dialog) return;
    if (!r.ok) {
      listeners.delete(onEvent);
      go.disabled = false;
      go.textContent = 'Try again';
      err.textContent = `Nothing was started: ${r.error.message || 'try again in a moment.'} Trying again is safe: nobody is texted twice.`;
      return;
    }
    dialog.dataset.state = 'sending';
    dialog.dataset.requestId = requestId; // for support and the demo: bulk_status with it
    d.replaceChildren(d.querySelector('h2'));
    const first = toText({ total: r.result.total, sent: 0, scheduled: 0, failed: 0, skipped: 0 });
    progress.max = Math.max(first, 1);
    d.querySelector('h2').textContent = `Texting ${plural(first, 'candidate', 'candidates')}…`;
    for (const s of r.result.skipped || []) skippedList.appendChild(el('li', {}, `${nameOf(s.candidate_id)}: ${reasonWords(s.reason)}`));
    line.textContent = `0 of ${first} texted. One text a second: keep this page open until it says Done (you can work in another tab meanwhile).`;
    const actions = el('div', { class: 'textus-bulk-actions' });
    actions.append(stop);
    d.append(progress, line, skippedHead, skippedList, actions);
    stop.addEventListener('click', async () => {
      stop.disabled = true;
      stop.textContent = 'Stopping…';
      const c = await hostAside('bulk_cancel', { request_id: requestId });
      if (!c.ok && dialog) { stop.disabled = false; stop.textContent = 'Stop sending'; line.textContent = "It couldn't be stopped yet: press Stop sending again."; }
    });
    stop.focus();
    if (!r.result.driving) { // finished already, or another host is sending it: ask for the counts
      const s = await hostAside('bulk_status', { request_id: requestId });
      if (s.ok && dialog) finish(s.result);
    } else if (last && last.finished) finish(last);
  }

  // ---- "Text selected" in the page's bulk-action menu ------------------------------------
  // In the menu the page marks [data-provides="bulk-actions"] when there is one (an item of
  // its list); else a button of its own beside the page's "Edit Selected" (or "Bulk Actions")
  // button, since the actions modal Greenhouse opens from it is not described anywhere.
  function ensureStyle() {
    if (!document.getElementById('textus-bulk-style')) {
      (document.head || document.documentElement).appendChild(el('style', { id: 'textus-bulk-style' }, STYLE));
    }
  }
  function attach() {
    const present = document.querySelector('.textus-bulk-open');
    if (present && present.isConnected) return;
    const menu = document.querySelector('[data-provides="bulk-actions"] ul, [data-provides="bulk-actions"] [role=menu]');
    const b = el('button', { type: 'button', class: 'textus-bulk-open' }, 'Text selected');
    b.addEventListener('click', open);
    if (menu) {
      const li = el('li', { class: 'textus-bulk-item' });
      li.appendChild(b);
      menu.insertBefore(li, menu.firstChild);
    } else {
      const beside = findMenuButton();
      if (!beside || !beside.parentElement) return;
      b.classList.add('textus-bulk-beside');
      ensureStyle();
      beside.insertAdjacentElement('afterend', b);
    }
    document.documentElement.dataset.textusBulk = 'ready';
  }
  attach();
  new MutationObserver(attach).observe(document.body, { childList: true, subtree: true });
})();
