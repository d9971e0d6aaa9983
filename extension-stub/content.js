// TextUs for Greenhouse (stub) — content script for Greenhouse candidate profiles
// (https://*.greenhouse.io/people/*). It finds the candidate's name and the profile header,
// sends the header's visible lines to the host (extract_phone: the host picks the number
// beneath the name), puts a "Text candidate" button beside that number and an
// "Import to TextUs" action beside the name. The button opens a compose box: a dialog with a
// fixed header (name, number and where it came from), the conversation scrolling beneath it
// and one primary button per state (a disabled Send says why beside it); focus moves into it
// and Escape closes it. For a first contact it starts with the local template (the merge
// fields of TextUs saved replies filled, from the page and then from the host; an unfilled
// one highlighted and never sent without a second click); a counter says "2 texts (limit 3)".
// It checks the number first (prepare_send: a locked or blocked number shows before anyone
// types; an opted-out one with who and when from the answer's lock) and offers "Opt out of
// texts" (a confirmation, then opt_out), sends through the host (send_sms with a fresh request id and reply_before_note:
// "Sent." as soon as TextUs accepted it, the note's line on the host's note event), follows
// delivery (message_status) until Delivered / Not delivered, and is then ready for the next
// text. What happened to the text and to the note is said in words (compose.js), never a
// config key, verb or command. The conversation is the host's conversation verb (which also
// logs the candidate's new replies in Greenhouse; a new reply is announced); the button
// carries a dot, said in words too, while the latest message is an unanswered reply; the
// candidate's texts still scheduled are listed read-only (changed or cancelled in TextUs). While
// the page is open it tells the service worker so every minute (the worker flushes the
// outbox, which logs replies, every 2 minutes). The composing aids (template picker, the
// candidate's local time, scheduling in their quiet hours) and the box's words are in
// compose.js.
// It never talks to the host directly: everything goes through the service worker (sw.js),
// over one port per profile page (a warm host behind it).
'use strict';

(() => {
  if (window.__textusStub) return;
  window.__textusStub = true;

  // The local template's merge fields are those of TextUs saved replies (host/PROTOCOL.md,
  // saved_replies): the candidate's {first_name}, {last_name}, {full_name} and the recruiter's
  // {recruiter_first_name}, {recruiter_name}.
  const DEFAULT_TEMPLATE = 'Hi {first_name}, this is {recruiter_first_name}. Thanks for your interest in the ' +
    'role. Do you have a few minutes to talk this week?';
  const FIELD = /\{([A-Za-z0-9_]{1,64})\}/g;
  const NAME_SELECTORS = [
    '[data-provides="candidate-name"]', '[data-testid="candidate-name"]',
    '.person-header .name', '.candidate-header .name', '.candidate-name', '.person-name',
    'h1.name', 'h2.name', '#person-name', 'header h1', 'main h1', 'h1',
  ];
  const MAX_LINES = 200;
  const MAX_LINE = 500;

  const state = { url: null, profile: null, phone: null, candidateId: null, busy: false };

  // One runtime port to the service worker while this page shows a profile: behind it the
  // worker keeps one native port, a warm host whose connections stay open (sw.js). Replies
  // come back by request number; event frames (the note written after a send's reply) go to
  // whoever listens (onHostEvent). The port goes when the page does, or when the page leaves
  // the profile (tick); the next request opens a new one.
  let tabPort = null;
  let nextRid = 1;
  const waiting = new Map();
  const eventListeners = new Set();

  function extensionError(message) {
    return { ok: false, error: { code: 'extension_error', message } };
  }

  function connect() {
    if (tabPort) return tabPort;
    try {
      tabPort = chrome.runtime.connect({ name: 'textus-tab' });
    } catch (e) {
      return null;
    }
    tabPort.onMessage.addListener((m) => {
      if (!m || typeof m !== 'object') return;
      if (m.event) {
        for (const fn of Array.from(eventListeners)) fn(m.event);
        return;
      }
      const w = waiting.get(m.rid);
      if (w) {
        waiting.delete(m.rid);
        w(m.reply || extensionError('no reply'));
      }
    });
    tabPort.onDisconnect.addListener(() => {
      tabPort = null;
      for (const w of waiting.values()) {
        w(extensionError('The extension restarted while TextUs was working. Reload the page: ' +
          'a text is never sent twice.'));
      }
      waiting.clear();
    });
    return tabPort;
  }

  function disconnect() {
    if (!tabPort) return;
    try { tabPort.disconnect(); } catch (e) { /* already gone */ }
    tabPort = null;
  }

  function onHostEvent(fn) {
    eventListeners.add(fn);
    return () => eventListeners.delete(fn);
  }

  function host(verb, request) {
    return new Promise((resolve) => {
      const p = connect();
      if (!p) {
        resolve(extensionError('The extension was updated or removed: reload this page.'));
        return;
      }
      const rid = nextRid++;
      waiting.set(rid, resolve);
      try {
        p.postMessage({ rid, verb, request });
      } catch (e) {
        waiting.delete(rid);
        resolve(extensionError('The extension was updated or removed: reload this page.'));
      }
    });
  }

  function visible(el) {
    if (!el || !el.getClientRects().length) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none';
  }

  function findName() {
    for (const sel of NAME_SELECTORS) {
      for (const el of document.querySelectorAll(sel)) {
        if (el.closest('.textus-ui')) continue;
        const text = (el.innerText || '').trim();
        if (visible(el) && text && text.length <= 120) return el;
      }
    }
    return null;
  }

  const PHONEISH = /(\+?\d[\d\s().\-\u2010-\u2015\u00a0]{6,}\d)/;

  // The header: the nearest ancestor of the name that also holds contact details.
  function findHeader(nameEl) {
    let el = nameEl.parentElement;
    for (let depth = 0; el && depth < 6; depth++, el = el.parentElement) {
      const t = el.innerText || '';
      if (t.length > 6000) break;
      if (PHONEISH.test(t) || t.includes('@')) return el;
    }
    return nameEl.parentElement && nameEl.parentElement.parentElement || nameEl.parentElement;
  }

  // The nearest ancestor (up to root) that is laid out as a block: text inside one block is one line.
  function blockOf(el, root) {
    for (let e = el; e && e !== root; e = e.parentElement) {
      if (!getComputedStyle(e).display.startsWith('inline')) return e;
    }
    return root;
  }

  // The header's visible text, one entry per line as a person reads it. Unlike innerText this
  // puts a space between adjacent inline elements ("(303) 555-0123" + "Mobile" in two spans
  // must not become "(303) 555-0123Mobile"), and skips hidden elements and our own buttons.
  function headerLines(header) {
    const lines = [];
    let cur = '';
    let curBlock = null;
    let lastParent = null;
    const flush = () => {
      const l = cur.replace(/\s+/g, ' ').trim();
      if (l) lines.push(l.slice(0, MAX_LINE));
      cur = '';
    };
    const walker = document.createTreeWalker(header, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, {
      acceptNode(n) {
        if (n.nodeType === Node.ELEMENT_NODE) {
          if (n.classList.contains('textus-ui') || /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT)$/.test(n.tagName)) {
            return NodeFilter.FILTER_REJECT;
          }
          return n.tagName === 'BR' ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
        }
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    for (let n = walker.nextNode(); n && lines.length < MAX_LINES; n = walker.nextNode()) {
      if (n.nodeType === Node.ELEMENT_NODE) { // <br>
        flush();
        continue;
      }
      const p = n.parentElement;
      if (!p || !visible(p)) continue;
      const text = n.nodeValue;
      if (!text.trim()) {
        if (cur) cur += ' ';
        continue;
      }
      const block = blockOf(p, header);
      if (block !== curBlock) {
        flush();
        curBlock = block;
      } else if (p !== lastParent && cur && !/\s$/.test(cur)) {
        cur += ' ';
      }
      cur += text;
      lastParent = p;
    }
    flush();
    return lines.slice(0, MAX_LINES);
  }

  function candidateIdFromUrl(url) {
    const m = /\/people\/(\d+)/.exec(url);
    return m ? m[1] : null;
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'style') e.style.cssText = v;
      else e.setAttribute(k, v);
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const BTN_STYLE = 'margin-left:8px;padding:2px 10px;border:1px solid #1b6ac9;border-radius:12px;' +
    'background:#fff;color:#1b6ac9;font:600 12px/18px system-ui,sans-serif;cursor:pointer;vertical-align:middle';

  // A small status line under the name: install hints and other problems show here.
  function showNotice(anchor, text, kind, withSettingsLink) {
    let n = document.querySelector('.textus-notice');
    if (!n) {
      n = el('div', { class: 'textus-ui textus-notice', role: 'status',
        style: 'margin:4px 0;padding:6px 10px;border-radius:6px;font:13px/18px system-ui,sans-serif;' +
          'max-width:640px;overflow-wrap:anywhere' });
      anchor.insertAdjacentElement('afterend', n);
    }
    n.dataset.kind = kind;
    n.style.background = kind === 'error' ? '#fdecea' : '#eef4fc';
    n.style.color = kind === 'error' ? '#8a1c12' : '#123a6b';
    n.textContent = 'TextUs: ' + text;
    if (withSettingsLink) {
      const a = el('a', { href: '#', class: 'textus-open-settings', style: 'margin-left:6px' }, 'Open TextUs settings');
      a.addEventListener('click', (ev) => { ev.preventDefault(); chrome.runtime.sendMessage({ cmd: 'open_options' }); });
      n.appendChild(a);
    }
    return n;
  }

  function errorText(reply) {
    const e = (reply && reply.error) || {};
    switch (e.code) {
      case 'not_configured':
        return { text: 'TextUs is not set up yet (' + (e.message || 'no credentials') + ').', settings: true };
      case 'opted_out':
        return { text: 'This candidate has opted out of texts (locked in TextUs). Nothing was sent.' };
      case 'blocked':
        return { text: 'This number is blocked in TextUs. Nothing was sent.' };
      case 'outcome_unknown':
        return { text: "We couldn't confirm that it went through. Don't repeat it: it is being checked " +
          'and finished on its own.' };
      case 'textus_auth':
      case 'textus_account':
      case 'greenhouse_auth':
      case 'greenhouse_permission':
      case 'greenhouse_user_not_found':
      case 'greenhouse_v1_retired':
      case 'invalid_config':
        return { text: e.message || e.code, settings: true };
      default:
        return { text: e.message || e.code || 'unknown error' };
    }
  }

  // ---- locate the number and place the buttons ---------------------------------------

  function findTextNode(root, display) {
    const want = display.replace(/\s+/g, ' ').trim();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement && n.parentElement.closest('.textus-ui')) continue;
      if (n.nodeValue.replace(/\s+/g, ' ').includes(want)) return n;
    }
    return null;
  }

  function placeButtons(nameEl, header, phone) {
    if (window.TextusCompose) TextusCompose.ensureStyle();
    document.querySelectorAll('.textus-ui.textus-text-btn, .textus-ui.textus-import-btn').forEach((b) => b.remove());
    const textBtn = el('button', { type: 'button', class: 'textus-ui textus-text-btn', style: BTN_STYLE,
      'data-e164': phone.e164, 'data-label': phone.label || '', title: 'Text ' + phone.display + ' through TextUs' },
    'Text candidate');
    textBtn.addEventListener('click', () => openCompose());
    const node = findTextNode(header, phone.display);
    if (node) node.parentNode.insertBefore(textBtn, node.nextSibling);
    else nameEl.insertAdjacentElement('afterend', textBtn);

    const importBtn = el('button', { type: 'button', class: 'textus-ui textus-import-btn', style: BTN_STYLE },
      'Import to TextUs');
    importBtn.addEventListener('click', () => importContact(importBtn));
    nameEl.insertAdjacentElement('afterend', importBtn);
  }

  async function scan() {
    const nameEl = findName();
    if (!nameEl) return false;
    const header = findHeader(nameEl);
    const lines = headerLines(header);
    if (lines.length < 2) return false;
    state.url = location.href;
    state.candidateId = candidateIdFromUrl(location.href);
    state.profile = { url: location.href, name: nameEl.innerText.replace(/\s+/g, ' ').trim(), lines };
    document.documentElement.dataset.textusLines = String(lines.length);
    document.documentElement.dataset.textusState = 'checking';

    const ping = await host('ping', {});
    if (!ping.ok) {
      showNotice(nameEl, errorText(ping).text, 'error', false);
      document.documentElement.dataset.textusState = 'error:' + ping.error.code;
      return true;
    }
    const r = await host('extract_phone', { profile: state.profile });
    if (!r.ok) {
      const et = errorText(r);
      if (r.error.code === 'no_phone_found') {
        showNotice(nameEl, 'no phone number found beneath the name.', 'info', false);
      } else {
        showNotice(nameEl, et.text, 'error', et.settings);
      }
      document.documentElement.dataset.textusState = 'error:' + r.error.code;
      return true;
    }
    state.phone = r.result.phone;
    // whether the number is on the candidate's Greenhouse record: true, false, or null when the
    // host could not check it (no store, Greenhouse unreachable); false asks before Send
    state.onRecord = r.result.on_record === undefined ? null : r.result.on_record;
    if (r.result.candidate_id) state.candidateId = r.result.candidate_id;
    placeButtons(nameEl, header, state.phone);
    document.documentElement.dataset.textusState = 'ready';
    loadThread(); // the dot on the button (and the candidate's new replies logged)
    return true;
  }

  // ---- import ------------------------------------------------------------------------

  async function importContact(btn) {
    btn.disabled = true;
    btn.textContent = 'Importing…';
    const r = await host('import_contact', { candidate_id: state.candidateId, profile: state.profile,
      name: state.profile.name, to: state.phone && state.phone.e164 });
    btn.disabled = false;
    if (r.ok) {
      const c = r.result.contact || {};
      btn.textContent = c.created ? 'Imported to TextUs' : 'Updated in TextUs';
      btn.dataset.state = c.created ? 'created' : 'updated';
    } else {
      btn.textContent = 'Import to TextUs';
      btn.dataset.state = 'error:' + r.error.code;
      const et = errorText(r);
      showNotice(btn, et.text, 'error', et.settings);
    }
  }

  // ---- compose box -------------------------------------------------------------------

  let box = null;

  // A name's merge fields as the host splits one (compose_split_name): parenthesised parts
  // (pronouns) dropped; the first word, the last word when there are two or more, all words.
  function nameFields(name, prefix) {
    const words = (name || '').replace(/\([^)]*\)/g, ' ').split(/\s+/).filter(Boolean);
    const f = {};
    f[`${prefix}first_name`] = words[0] || null;
    if (prefix) f[`${prefix}name`] = words.join(' ') || null;
    else {
      f.last_name = words.length > 1 ? words[words.length - 1] : null;
      f.full_name = words.join(' ') || null;
    }
    return f;
  }

  // Templates saved before the fields were renamed: {name} and {recruiter} mean these now.
  function currentFieldNames(tpl) {
    return tpl.replace(/\{name\}/g, '{full_name}').replace(/\{recruiter\}/g, '{recruiter_name}');
  }

  // Every {field} with a value filled (values inserted as they are, never scanned again); the
  // others stay exactly as written and are listed in `missing`, once each.
  function fillTemplate(tpl, fields) {
    const missing = [];
    const body = tpl.replace(FIELD, (token, name) => {
      const v = fields[name];
      if (typeof v === 'string' && v) return v;
      if (!missing.includes(name)) missing.push(name);
      return token;
    });
    return { body, missing };
  }

  // The fields still unfilled in a text, once each, in order.
  function unfilled(text) {
    const names = [];
    for (const m of text.matchAll(FIELD)) if (!names.includes(m[1])) names.push(m[1]);
    return names;
  }

  // The recruiter's words for a refused send and for the note: compose.js.
  const sendWords = (error, first) => TextusCompose.sendWords(error, first);
  const noteWords = (note) => TextusCompose.noteWords(note);

  // "Opted out by Sam Admin on Dec 7." / "Opted out on Dec 7." from an answer's `lock` (who and
  // when, as TextUs's OptOut says; each may be missing): '' when it says neither.
  function lockWords(lock) {
    if (!lock) return '';
    const d = lock.created_at ? new Date(lock.created_at) : null;
    const ok = d && !isNaN(d.getTime());
    const opts = { month: 'short', day: 'numeric' };
    if (ok && d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
    const on = ok ? ` on ${d.toLocaleDateString('en-US', opts)}` : '';
    const by = lock.user_name ? ` by ${lock.user_name}` : '';
    return by || on ? `Opted out${by}${on}.` : '';
  }
  // a refused opt_out, in words: whether the number may be opted out, and what to do
  function optOutWords(error) {
    const code = error && error.code;
    if (['outcome_unknown', 'upstream_unavailable', 'rate_limited', 'host_timeout'].includes(code)) {
      return "TextUs didn't answer in time, so this number may not be opted out yet. Pressing the button again is safe.";
    }
    if (code === 'bad_request') return "This number can't be opted out: it is not a US or Canada number.";
    return "Not opted out: TextUs refused. Check the TextUs settings (the extension's options page), then try again.";
  }

  // "2:05 PM" today, "Yesterday 2:05 PM", "Dec 3, 2:05 PM": the recruiter's own time.
  function threadTime(at) {
    const d = new Date(at);
    if (!at || isNaN(d.getTime())) return '';
    const time = d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
    const day = (x) => x.toDateString();
    const now = new Date();
    if (day(d) === day(now)) return time;
    if (day(d) === day(new Date(now.getTime() - 86400000))) return `Yesterday ${time}`;
    return `${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })}, ${time}`;
  }

  async function openCompose() {
    if (box) closeCompose(false);
    const opener = document.querySelector('.textus-ui.textus-text-btn');
    const stored = await new Promise((res) => {
      try { chrome.storage.local.get({ template: DEFAULT_TEMPLATE, recruiter: '' }, res); } catch (e) { res({ template: DEFAULT_TEMPLATE }); }
    });
    const template = currentFieldNames(stored.template || DEFAULT_TEMPLATE);
    // the candidate's names from the page, the recruiter's as typed on the options page ("Your
    // name"), until the host's saved_replies answer brings its own (the recruiter's Greenhouse
    // name), which come first
    const local = Object.assign(nameFields(state.profile.name, ''), nameFields(stored.recruiter, 'recruiter_'));
    const first = local.first_name || '';
    let fields = local;
    if (window.TextusCompose) TextusCompose.ensureStyle();
    box = el('div', { class: 'textus-ui textus-compose', role: 'dialog', 'aria-labelledby': 'textus-compose-title',
      'aria-describedby': 'textus-compose-number' });
    // the header: who, which number and where it came from; the thread scrolls beneath it
    const head = el('div', { class: 'textus-head' });
    const title = el('h2', { class: 'textus-title', id: 'textus-compose-title' }, `Text ${state.profile.name}`);
    const label = state.phone.label ? ` · ${state.phone.label}` : '';
    const from = state.phone.source === 'greenhouse' ? 'from the Greenhouse record' : 'beneath the name on this page';
    const number = el('p', { class: 'textus-number', id: 'textus-compose-number' });
    number.append(`${state.phone.display}${label} · `,
      el('span', { class: 'textus-number-source', 'data-source': state.phone.source || 'profile' }, from));
    const close = el('button', { type: 'button', class: 'textus-x textus-close', 'aria-label': 'Close', title: 'Close (Esc)' }, '×');
    head.append(title, number, close);
    // a number the host found not to be on the candidate's Greenhouse record: said, and Send
    // waits for the person to confirm it (the send then carries to_unlisted, and its note says so)
    const offRecord = state.onRecord === false;
    const confirmNumber = el('input', { type: 'checkbox', class: 'textus-confirm-number-box', id: 'textus-confirm-number' });
    let confirmLabel = null; // the tick "Text … anyway": never offered for a number that can't be texted
    if (offRecord) {
      confirmLabel = el('label', { class: 'textus-line textus-confirm-number', for: 'textus-confirm-number' });
      confirmLabel.append(confirmNumber,
        ` Text ${state.phone.display} anyway: I checked it is ${first || 'the candidate'}'s number`);
      head.append(el('p', { class: 'textus-line textus-number-warning', role: 'alert' },
        `This number is not on ${state.profile.name}'s Greenhouse record.`), confirmLabel);
    }
    const foot = el('div', { class: 'textus-foot' });
    const taLabel = el('label', { for: 'textus-compose-body', class: 'textus-sr' }, `Message to ${state.profile.name}`);
    const ta = el('textarea', { class: 'textus-body', id: 'textus-compose-body', rows: '4',
      placeholder: `Write a message to ${first || 'the candidate'}` });
    const pending = el('p', { class: 'textus-line textus-unfilled', role: 'status' });
    const counter = el('p', { class: 'textus-line textus-counter', 'aria-live': 'off' });
    const check = el('p', { class: 'textus-line textus-check', role: 'status' });
    const status = el('div', { class: 'textus-line textus-send-status', role: 'status', 'aria-live': 'polite' });
    const lineText = el('div', { class: 'textus-line-text' });
    const lineNote = el('div', { class: 'textus-line-note' });
    status.append(lineText, lineNote);
    const actions = el('div', { class: 'textus-actions' });
    const send = el('button', { type: 'button', class: 'textus-btn textus-primary textus-send',
      'aria-describedby': 'textus-send-reason' }, 'Send');
    const reason = el('span', { class: 'textus-send-reason', id: 'textus-send-reason' });
    actions.append(send, reason);
    const announce = el('div', { class: 'textus-sr textus-announce', 'aria-live': 'polite' });
    // "Opt out of texts" (the word the box uses for a locked number): a closed disclosure, so
    // it is never a second button beside Send; opening it is the confirmation
    const lockLine = el('p', { class: 'textus-line textus-lock' });
    const more = el('details', { class: 'textus-optout' });
    const moreSummary = el('summary', { class: 'textus-optout-open' }, 'Opt out of texts');
    const moreWords = el('p', { class: 'textus-line textus-optout-words' });
    const moreResult = el('p', { class: 'textus-line textus-optout-result', role: 'status' });
    const moreDo = el('button', { type: 'button', class: 'textus-btn textus-secondary textus-optout-confirm' },
      `Opt ${first || 'this candidate'} out of texts`);
    const moreKeep = el('button', { type: 'button', class: 'textus-btn textus-secondary textus-optout-keep' }, 'Keep texting');
    const moreActions = el('div', { class: 'textus-actions' });
    moreActions.append(moreDo, moreKeep);
    more.append(moreSummary, moreWords, moreActions, moreResult);
    foot.append(check, lockLine, taLabel, ta, pending, counter, status, actions, more);
    box.append(head, foot, announce);
    document.body.appendChild(box);
    box.dataset.prefill = 'waiting';
    mountThread(box, foot, first);
    const myBox = box;

    const closeBox = () => closeCompose(true);
    close.addEventListener('click', closeBox);
    box.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); closeBox(); }
    });
    box.returnFocus = opener;
    ta.focus();

    // The template pre-fills only a first contact: once the thread says there is none yet
    // (and the recruiter has not typed), the box gets the filled template.
    let autoFilled = null; // what the template gave, while the recruiter has not edited it
    const prefill = (items) => {
      if (box !== myBox || box.dataset.prefill !== 'waiting') return;
      if (items === null || items.length || ta.value || refused) {
        box.dataset.prefill = items === null ? 'unknown' : items.length ? 'thread' : ta.value ? 'typed' : 'refused';
        return;
      }
      box.dataset.prefill = 'template';
      ta.value = fillTemplate(template, fields).body;
      autoFilled = ta.value;
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    };
    thread.onFirst = prefill;

    const showUnfilled = () => {
      const names = unfilled(ta.value);
      pending.textContent = '';
      pending.dataset.missing = names.join(',');
      if (!names.length) return;
      // in words ("The job title isn't known: edit it in the text."), never the braces alone
      pending.appendChild(el('mark', { class: 'textus-missing', 'data-fields': names.join(',') },
        TextusCompose.unfilledWords(names)));
      pending.append(`: edit ${names.length > 1 ? 'them' : 'it'} in the text.`);
    };
    // templates, their local time, quiet hours: compose.js. Its saved_replies answer carries the
    // merge fields' values as the host has them: they fill the local template too, as long as
    // the recruiter has not edited it.
    const aids = { host, state, el };
    aids.onFields = (hostFields) => {
      const merged = Object.assign({}, local);
      for (const [k, v] of Object.entries(hostFields || {})) if (typeof v === 'string' && v) merged[k] = v;
      fields = merged;
      box.dataset.fields = 'ready';
      if (autoFilled === null || ta.value !== autoFilled || box !== myBox) return;
      ta.value = fillTemplate(template, fields).body;
      autoFilled = ta.value;
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    };
    let picker = null;
    if (window.TextusCompose) picker = TextusCompose.attach(aids, number, ta).picker;

    let requestId = null;
    let sentBody = null;
    let refused = null; // 'opted_out' | 'blocked': the number cannot be texted
    let optedOutBy = null; // who locked it in TextUs (the lock's user), when TextUs says
    let checkedAt = 0;
    let asWritten = null; // the text the recruiter chose to send with its unfilled fields
    let busy = false; // a send or schedule is under way
    let sendHidden = false;
    const optedOutShort = () => (optedOutBy ? `Opted out of texts by ${optedOutBy}` : `${first || 'The candidate'} opted out of texts`);
    let retryLabel = null; // "Try again" / "Check again" while the same text may be retried
    const update = () => {
      showUnfilled();
      if (asWritten !== null && ta.value !== asWritten) {
        asWritten = null;
        if (status.dataset.state === 'unfilled') show(null, '', '', '');
      }
      if (retryLabel && ta.value !== sentBody) retryLabel = null;
      const c = TextusSms.count(ta.value, 3);
      const n = Array.from(ta.value).length;
      counter.textContent = !n ? '' : c.tooLong
        ? `${n} characters · ${c.segments} texts: too long, the limit is 3 texts. Shorten it by ${-c.remaining} characters.`
        : `${n} characters · ${c.segments} ${c.segments === 1 ? 'text' : 'texts'} (limit 3)` +
          (c.encoding === 'UCS-2' ? ' · emoji and some symbols make each text shorter' : '');
      counter.dataset.tooLong = c.tooLong ? '1' : '0';
      const why = busy ? '' : refused === 'opted_out' ? optedOutShort()
        : refused === 'blocked' ? 'This number is blocked in TextUs'
          : offRecord && !confirmNumber.checked ? 'Confirm the number first (it is not on the Greenhouse record)'
            : !ta.value.trim() ? 'Type a message first' : c.tooLong ? 'Too long to send' : '';
      send.disabled = busy || !!why;
      reason.textContent = why;
      send.textContent = busy ? 'Sending…' : retryLabel || (asWritten !== null ? 'Send as written' : 'Send');
      send.hidden = sendHidden;
      reason.hidden = sendHidden;
      box.dataset.segments = String(c.segments);
      box.dataset.encoding = c.encoding;
    };
    const show = (stateName, text, note, kind) => {
      if (stateName === null) delete status.dataset.state;
      else status.dataset.state = stateName;
      lineText.textContent = text || '';
      lineNote.textContent = note || '';
      lineText.dataset.kind = kind || '';
      // the note's own colour: red only when the note itself failed
      lineNote.dataset.kind = /^Note not added/.test(note || '') ? 'bad' : /^Note added/.test(note || '') ? 'good' : '';
      status.querySelectorAll('.textus-open-settings').forEach((a) => a.remove());
    };
    const settingsLink = () => {
      const a = el('a', { href: '#', class: 'textus-open-settings' }, 'Open TextUs settings');
      a.addEventListener('click', (ev) => { ev.preventDefault(); chrome.runtime.sendMessage({ cmd: 'open_options' }); });
      lineText.append(' ', a);
    };
    const hideSend = (hidden) => { sendHidden = hidden; update(); };

    // The checks ahead of the click (prepare_send): a locked or blocked number shows before the
    // recruiter types, the host's connections get ready, and a send within 60 s skips them.
    // Asked again while typing once the last answer is 30 s old, which keeps both fresh.
    const prepare = async () => {
      checkedAt = Date.now();
      box.dataset.check = 'checking';
      const r = await host('prepare_send', { candidate_id: state.candidateId, to: state.phone.e164 });
      if (box !== myBox) return;
      if (!r.ok) { // the send checks again and says why
        box.dataset.check = 'error:' + r.error.code;
        return;
      }
      applyRefused(r.result);
    };
    // the number cannot be texted (prepare_send's answer, or this box's own opt_out): said, with
    // who opted it out and when where TextUs gave them (the answer's `lock`)
    const applyRefused = (result) => {
      refused = result.opted_out ? 'opted_out' : result.blocked ? 'blocked' : null;
      optedOutBy = refused === 'opted_out' && result.lock && result.lock.user_name ? result.lock.user_name : null;
      if (confirmLabel) { // an opted-out or blocked number is not sendable: no tick offers it
        confirmLabel.hidden = !!refused;
        if (refused) confirmNumber.checked = false;
      }
      box.dataset.check = refused || 'clear';
      lockLine.textContent = refused === 'opted_out' ? lockWords(result.lock) : '';
      more.hidden = !!refused;
      if (refused) more.open = false;
      if (refused && autoFilled !== null && ta.value === autoFilled) { // no introduction for them
        ta.value = '';
        autoFilled = null;
        box.dataset.prefill = 'refused';
      }
      // said by who did it: a lock with a user is that person's (a recruiter), not the candidate's
      check.textContent = refused === 'opted_out'
        ? (optedOutBy ? `${optedOutBy} opted this number out of texts in TextUs, so it can't be texted. `
          : `${first || 'This candidate'} has opted out of texts, so this number can't be texted. `) +
          `Reach ${first || 'them'} another way, e.g. by email.`
        : refused === 'blocked' ? "This number is blocked in TextUs, so it can't be texted. If that is a " +
          'mistake, a TextUs admin can unblock it in TextUs.' : '';
      // nothing can be sent: the message box says so and takes no typing; focus leaves it
      ta.disabled = !!refused;
      if (picker) picker.hidden = !!refused; // no template for a number that can't be texted
      if (refused) {
        ta.placeholder = refused === 'opted_out' ? optedOutShort()
          : 'This number is blocked in TextUs';
        if (document.activeElement === ta || !box.contains(document.activeElement)) close.focus();
      }
      box.dataset.refused = refused || '';
      update();
    };
    // The confirmation says only what TextUs documents: opt-outs are organisation-wide and the
    // candidate opts back in by texting START
    // (https://docs.textus.com/en/articles/8676971-understanding-opt-outs); there is no undo.
    moreSummary.addEventListener('click', (ev) => { // opened here: the words are there when it shows
      ev.preventDefault();
      if (more.open) { more.open = false; return; }
      const who = first || 'The candidate';
      const org = fields.company ? `anyone at ${fields.company}` : 'anyone in your organisation';
      const name = first || 'the candidate';
      moreWords.textContent = `${who} won't get texts from ${org} until ${name} texts START to opt back in. ` +
        `Only ${name} can undo this.`;
      moreResult.textContent = '';
      moreDo.disabled = false;
      more.open = true;
      moreDo.focus(); // onto the confirming button
    });
    moreKeep.addEventListener('click', () => { more.open = false; moreSummary.focus(); });
    moreDo.addEventListener('click', async () => {
      moreDo.disabled = true;
      moreResult.textContent = 'Opting out…';
      const r = await host('opt_out', { to: state.phone.e164 });
      if (box !== myBox) return;
      moreDo.disabled = false;
      if (!r.ok) {
        moreResult.textContent = optOutWords(r.error);
        return;
      }
      box.dataset.optedOutHere = '1';
      applyRefused({ opted_out: true, blocked: false, lock: r.result.lock });
      if (!lockLine.textContent) lockLine.textContent = 'Opted out just now.';
    });
    ta.addEventListener('input', () => {
      update();
      if (Date.now() - checkedAt > 30000 && !busy) prepare();
    });
    update();
    prepare();
    let stopEvents = null;
    box.cleanup = () => { if (stopEvents) stopEvents(); };

    // the last send's two lines: the text (Sent, then Delivered) and the note
    let current = null; // the message id the status lines are about
    const parts = { text: '', note: '' };
    const render = () => show(status.dataset.state, parts.text, parts.note, parts.kind);

    let scheduleKey = null;
    let scheduleId = null;
    const sendNow = async (extra) => {
      const body = ta.value;
      const names = unfilled(body);
      if (names.length && asWritten !== body) {
        // never sent silently: the first click says which fields are unfilled
        asWritten = body;
        show('unfilled', `${TextusCompose.unfilledWords(names)}: edit the text, or press "Send as written" to ` +
          'send it with the curly braces as they are.', '', 'bad');
        update();
        return;
      }
      if (requestId === null || body !== sentBody) {
        requestId = crypto.randomUUID(); // a fresh id per message; a retry of the same text reuses it
        sentBody = body;
      }
      busy = true;
      current = null;
      parts.text = ''; parts.note = '';
      show('sending', '', '', ''); // the button says "Sending…"; one place is enough
      delete status.dataset.note;
      delete status.dataset.delivery;
      update();
      const rid = requestId;
      if (stopEvents) stopEvents();
      stopEvents = onHostEvent((ev) => {
        if (ev.event === 'note' && ev.request_id === rid && ev.note && box === myBox) {
          status.dataset.note = ev.note.state || '';
          if (current === rid) { parts.note = noteWords(ev.note); render(); }
        }
      });
      const r = await host('send_sms', Object.assign({ request_id: rid, candidate_id: state.candidateId,
        to: state.phone.e164, body, reply_before_note: true }, offRecord ? { to_unlisted: true } : {}, extra || {}));
      busy = false;
      if (box !== myBox) return;
      if (!r.ok && r.error.code === 'quiet_hours' && window.TextusCompose) {
        // their quiet hours: nothing was sent; schedule it for later, or send anyway
        show('refused:quiet_hours', TextusCompose.quietSentence(r.error, first), '', 'bad');
        TextusCompose.quietActions(aids, box, r.error, {
          status, actions,
          now: sendNow,
          body: () => ta.value,
          hideSend,
          words: (err) => sendWords(err, first),
          noteWords,
          show,
          first,
          scheduled: (id, words) => { knownScheduled.set(id, words); refreshThread(); },
          // one schedule request id per text and time, so that a retry never schedules twice
          scheduleId: (at) => {
            if (scheduleKey !== ta.value + '@' + at) { scheduleKey = ta.value + '@' + at; scheduleId = crypto.randomUUID(); }
            return scheduleId;
          },
          done: () => { ta.value = ''; requestId = null; hideSend(false); ta.focus(); refreshThread(); },
        });
        update();
        return;
      }
      hideSend(false);
      box.querySelectorAll('.textus-quiet-actions').forEach((n) => n.remove());
      if (!r.ok) {
        const words = sendWords(r.error, first);
        show('refused:' + r.error.code, words.text, words.note, 'bad');
        if (words.settings) settingsLink();
        retryLabel = words.retry ? (words.again || 'Try again') : null; // same text, same request id
        update();
        return;
      }
      // sent: the box is ready for the next text; the thread shows this one
      const msgId = (r.result.message && r.result.message.id) || '';
      current = rid;
      status.dataset.messageId = msgId;
      status.dataset.note = (r.result.note && r.result.note.state) || '';
      parts.text = 'Sent: waiting for the phone company to confirm delivery.';
      parts.kind = 'good';
      parts.note = noteWords(r.result.note || {});
      status.dataset.state = 'sent';
      render();
      if (msgId) localSent.set(msgId, { id: msgId, direction: 'out', body, at: new Date().toISOString(), delivered: null });
      ta.value = '';
      asWritten = null;
      retryLabel = null;
      requestId = null;
      if (picker) picker.clear();
      update();
      ta.focus();
      refreshThread();
      followDelivery(msgId, status, (ok, description) => {
        if (current !== rid || box !== myBox) return;
        parts.text = ok ? `Delivered: it reached ${first ? `${first}'s` : 'their'} phone.`
          : "Not delivered: the phone company didn't deliver it. " +
          `Check the number, or reach ${first || 'the candidate'} another way.`;
        // the note was written when the text went out: say what it records
        if (!ok && status.dataset.note === 'written') {
          parts.note = 'The note in Greenhouse says the text was sent; it does not say it failed. ' +
            'Add a note there if others should know.';
        }
        if (description) status.title = description;
        parts.kind = ok ? 'good' : 'bad';
        render();
      });
    };
    send.addEventListener('click', () => sendNow());
    confirmNumber.addEventListener('change', () => update());
  }

  function closeCompose(restoreFocus) {
    if (!box) return;
    const b = box;
    if (b.cleanup) b.cleanup();
    unmountThread();
    b.remove();
    box = null;
    if (restoreFocus && b.returnFocus && b.returnFocus.isConnected) b.returnFocus.focus();
  }

  async function followDelivery(messageId, status, show) {
    if (!messageId) return;
    let wait = 1500;
    for (let i = 0; i < 40; i++) {
      await new Promise((res) => setTimeout(res, wait));
      wait = Math.min(wait * 1.5, 15000);
      const r = await host('message_status', { message_id: messageId });
      if (!r.ok) {
        if (r.error.retryable) continue;
        if (status.dataset.messageId === messageId) status.dataset.delivery = 'error:' + r.error.code;
        return;
      }
      if (r.result.final || r.result.delivered !== null && r.result.delivered !== undefined) {
        const ok = r.result.delivered === true;
        if (status.dataset.messageId === messageId) status.dataset.delivery = ok ? 'delivered' : 'not_delivered';
        markDelivery(messageId, ok);
        show(ok, ok ? '' : r.result.description || '');
        return;
      }
    }
  }

  // ---- the thread above the text box, and the unanswered-reply dot --------------------
  // The conversation verb gives the latest 50 messages, oldest first; asked with the candidate
  // id, the host also logs the candidate's replies since its first text as Greenhouse notes.

  const THREAD_REFRESH_MS = 60 * 1000;
  const thread = { el: null, timer: null, busy: false, again: false, onFirst: null, seen: null, first: '' };
  // texts sent from this page, shown in the thread until the conversation read has them
  const localSent = new Map();

  // Final delivery states learned from message_status: the thread's bubble of that message says
  // the same as the status line, also when a conversation read is older than the answer.
  const knownDelivery = new Map();
  // Texts scheduled from this page: their bubble says "Scheduled for 8:00 AM their time (…)",
  // never a send time, while the conversation still shows them as scheduled.
  const knownScheduled = new Map();

  function markDelivery(messageId, ok) {
    knownDelivery.set(messageId, ok);
    if (!thread.el) return;
    for (const b of thread.el.querySelectorAll('.textus-msg[data-direction="out"]')) {
      if (b.dataset.id !== messageId) continue;
      const word = ok ? 'Delivered' : 'Not delivered';
      b.dataset.delivery = ok ? 'Delivered' : 'Not Delivered';
      const d = b.querySelector('.textus-msg-delivery');
      if (d) {
        d.textContent = word;
        d.dataset.bad = ok ? '0' : '1';
      }
    }
  }

  function deliveryWord(item) {
    if ((item.delivered === null || item.delivered === undefined) && knownDelivery.has(item.id)) {
      return knownDelivery.get(item.id) ? 'Delivered' : 'Not delivered';
    }
    if (item.delivered === true) return 'Delivered';
    if (item.delivered === false) return 'Not delivered';
    if (item.delivery_state === 'scheduled' || knownScheduled.has(item.id)) return 'Scheduled';
    return 'Sent';
  }

  function renderThread(list, result) {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
    list.textContent = '';
    const items = (result.items || []).slice();
    const ids = new Set(items.map((i) => i.id));
    for (const [id, m] of localSent) {
      if (ids.has(id)) localSent.delete(id);
      else items.push(m);
    }
    // oldest first (the host's order; texts sent from this page go by their time too)
    items.sort((a, b) => (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0));
    if (!items.length) {
      list.appendChild(el('p', { class: 'textus-thread-empty' }, 'No messages with this number yet.'));
    } else {
      // whose clock the times are, and where the candidate's replies go
      const who = thread.first || 'The candidate';
      const logged = result.notes_enabled !== false && result.logging_since;
      list.appendChild(el('p', { class: 'textus-thread-caption' }, 'Times are your time.' +
        (logged ? ` ${who}'s replies go to Greenhouse as notes.` : '')));
    }
    for (const item of items) {
      const out = item.direction === 'out';
      const bubble = el('div', { class: 'textus-msg', 'data-direction': item.direction, 'data-id': item.id });
      bubble.appendChild(el('span', { class: 'textus-sr' }, out ? 'You: ' : `${thread.first || 'Candidate'}: `));
      bubble.appendChild(el('div', { class: 'textus-msg-body' }, item.body || '(no text)'));
      const meta = el('div', { class: 'textus-msg-meta' });
      const word = out ? deliveryWord(item) : '';
      if (word === 'Scheduled' && knownScheduled.has(item.id)) {
        // a scheduled text has no send time yet: the time it goes out, in both clocks
        meta.appendChild(el('span', { class: 'textus-msg-delivery', 'data-bad': '0' }, knownScheduled.get(item.id)));
      } else {
        meta.appendChild(el('time', { datetime: item.at || '' }, threadTime(item.at)));
      }
      if (out && !(word === 'Scheduled' && knownScheduled.has(item.id))) {
        meta.append(' · ');
        meta.appendChild(el('span', { class: 'textus-msg-delivery', 'data-bad': word === 'Not delivered' ? '1' : '0' }, word));
      }
      if (out) {
        bubble.dataset.delivery = word === 'Sent' || word === 'Scheduled' ? 'Pending'
          : word === 'Not delivered' ? 'Not Delivered' : word;
      }
      bubble.appendChild(meta);
      list.appendChild(bubble);
    }
    list.dataset.count = String(items.length);
    list.dataset.repliesLogged = String(result.replies_logged || 0);
    list.dataset.state = 'ready';
    list.title = result.replies_error ? 'A reply could not be added to Greenhouse yet; it is retried automatically.' : '';
    if (atBottom || !thread.rendered) list.scrollTop = list.scrollHeight;
    thread.rendered = true;
  }

  // The dot: the latest message is the candidate's, and nobody has answered it yet. Said in
  // words too (the button's accessible name), not only in red.
  function setDot(items) {
    const btn = document.querySelector('.textus-ui.textus-text-btn');
    if (!btn) return;
    const last = items && items[items.length - 1];
    const unanswered = !!last && last.direction === 'in';
    btn.dataset.unanswered = unanswered ? '1' : '0';
    let dot = btn.querySelector('.textus-dot');
    if (unanswered && !dot) {
      dot = el('span', { class: 'textus-dot', title: 'The candidate replied' });
      dot.style.cssText = 'display:inline-block;width:8px;height:8px;margin-left:6px;border-radius:50%;background:#d93025;' +
        'vertical-align:middle';
      dot.appendChild(el('span', { class: 'textus-sr', style: 'position:absolute;width:1px;height:1px;overflow:hidden;' +
        'clip:rect(0,0,0,0);white-space:nowrap' }, ' (new reply)'));
      btn.appendChild(dot);
    } else if (!unanswered && dot) {
      dot.remove();
    }
  }

  async function loadThread() {
    if (!state.phone || !state.phone.e164) return null;
    const request = { to: state.phone.e164 };
    if (state.candidateId) request.candidate_id = state.candidateId;
    const r = await host('conversation', request);
    if (r.ok) setDot(r.result.items);
    return r;
  }

  // New replies since the last read are announced (the box's polite live region).
  function announceReplies(items) {
    const incoming = (items || []).filter((i) => i.direction === 'in');
    if (thread.seen === null) {
      thread.seen = new Set(incoming.map((i) => i.id));
      return;
    }
    const fresh = incoming.filter((i) => !thread.seen.has(i.id));
    for (const i of fresh) thread.seen.add(i.id);
    const region = box && box.querySelector('.textus-announce');
    if (fresh.length && region) {
      const lastReply = fresh[fresh.length - 1];
      region.textContent = `New reply from ${thread.first || 'the candidate'}: ${lastReply.body || ''}`;
    }
  }

  async function refreshThread() {
    if (thread.busy) { thread.again = true; return; } // e.g. a send while a refresh runs
    thread.busy = true;
    try {
      do {
        thread.again = false;
        const r = await loadThread();
        if (!thread.el || !r) break;
        if (r.ok) {
          renderThread(thread.el, r.result);
          renderScheduled(r.result.scheduled);
          announceReplies(r.result.items);
        } else {
          thread.el.dataset.state = 'error:' + r.error.code;
          thread.el.textContent = 'The conversation could not be loaded right now.';
        }
        if (thread.onFirst) {
          const fn = thread.onFirst;
          thread.onFirst = null;
          fn(r.ok ? (r.result.items || []) : null);
        }
      } while (thread.again);
    } finally {
      thread.busy = false;
    }
  }

  // The candidate's texts still to go (conversation's `scheduled`), read-only: TextUs documents
  // no way to list, change or cancel them through its API, so the box says where to do it.
  function renderScheduled(items) {
    const sec = thread.sched;
    if (!sec) return;
    const list = Array.isArray(items) ? items : [];
    sec.textContent = '';
    sec.hidden = !list.length;
    sec.dataset.count = String(list.length);
    if (!list.length) return;
    sec.appendChild(el('h3', { id: 'textus-scheduled-title' },
      list.length === 1 ? '1 text scheduled to go later' : `${list.length} texts scheduled to go later`));
    const ul = el('ul');
    for (const item of list) {
      const body = Array.from(item.body || '');
      const li = el('li', { class: 'textus-scheduled-item', 'data-id': item.id || '' },
        `“${body.length > 80 ? body.slice(0, 79).join('') + '…' : body.join('')}”`);
      if (knownScheduled.has(item.id)) li.append(` · ${knownScheduled.get(item.id)}`);
      ul.appendChild(li);
    }
    sec.append(ul, el('p', { class: 'textus-scheduled-note' },
      `To change or cancel ${list.length === 1 ? 'it' : 'one'}, open the conversation in TextUs: ` +
      "it can't be done from here."));
  }

  function mountThread(compose, before, first) {
    thread.sched = el('section', { class: 'textus-scheduled', 'aria-labelledby': 'textus-scheduled-title' });
    thread.sched.hidden = true;
    before.insertBefore(thread.sched, before.firstChild);
    thread.el = el('div', { class: 'textus-thread', role: 'region', tabindex: '0',
      'aria-label': `Conversation with ${first || 'the candidate'}` }, 'Loading the conversation…');
    thread.el.dataset.state = 'loading';
    thread.seen = null;
    thread.first = first;
    thread.rendered = false;
    compose.insertBefore(thread.el, before);
    refreshThread();
    thread.timer = setInterval(refreshThread, THREAD_REFRESH_MS);
  }

  function unmountThread() {
    clearInterval(thread.timer);
    thread.timer = null;
    thread.el = null;
    thread.sched = null;
    thread.onFirst = null;
  }

  // ---- while this page is open, the worker flushes the outbox (replies are logged) ----

  const HEARTBEAT_MS = 60 * 1000;
  function greenhouseHeartbeat() {
    try {
      chrome.runtime.sendMessage({ cmd: 'greenhouse_open' }, () => void chrome.runtime.lastError);
    } catch (e) { /* the extension was reloaded: this page's script is orphaned */ }
  }
  greenhouseHeartbeat();
  setInterval(greenhouseHeartbeat, HEARTBEAT_MS);

  // ---- start, and follow the single-page app's navigation ----------------------------

  let lastUrl = null;
  let tries = 0;
  async function tick() {
    if (location.href !== lastUrl) {
      lastUrl = location.href;
      tries = 0;
      state.phone = null;
      document.querySelectorAll('.textus-ui').forEach((e) => e.remove());
      if (!candidateIdFromUrl(location.href)) disconnect(); // left the profile: no warm host
    }
    if (state.busy || tries > 30 || state.url === location.href) return;
    state.busy = true;
    tries++;
    try {
      await scan();
    } finally {
      state.busy = false;
    }
  }
  setInterval(tick, 1000);
  tick();
})();
