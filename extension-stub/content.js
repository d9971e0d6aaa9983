// TextUs for Greenhouse (stub) — content script for Greenhouse candidate profiles
// (https://*.greenhouse.io/people/*). It finds the candidate's name and the profile header,
// sends the header's visible lines to the host (extract_phone: the host picks the number
// beneath the name), puts a "Text candidate" button beside that number and an
// "Import to TextUs" action beside the name. The button opens a compose box (the local
// template with the merge fields of TextUs saved replies filled, from the page and then from
// the host; an unfilled one highlighted and never sent without a second click; a segment
// counter) that checks the number first (prepare_send: a locked or blocked number
// shows before anyone types), sends through the host (send_sms with a fresh request id and
// reply_before_note: "Sent" as soon as TextUs accepted it, "note added in Greenhouse" on the
// host's note event) and then follows delivery (message_status) until Delivered / Not
// Delivered. Above the text box the compose box shows the conversation with the number (the
// host's conversation verb, which also logs the candidate's new replies in Greenhouse); the
// button carries a dot while the latest message is an unanswered reply. While the page is
// open it tells the service worker so every minute (the worker flushes the outbox, which
// logs replies, every 2 minutes). The composing aids (template picker, the candidate's local
// time, scheduling in their quiet hours) are in compose.js.
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
        w(extensionError('The extension restarted while the host was working (reload the page; ' +
          'a send is never repeated: textus-host outbox list shows it).'));
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
          'max-width:640px' });
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
        return { text: 'We could not confirm whether the text went out. Do not send it again: ' +
          'the host checks and finishes it on its own (textus-host outbox list).' };
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

  async function openCompose() {
    if (box) { unmountThread(); box.remove(); }
    const stored = await new Promise((res) => {
      try { chrome.storage.local.get({ template: DEFAULT_TEMPLATE, recruiter: '' }, res); } catch (e) { res({ template: DEFAULT_TEMPLATE }); }
    });
    const template = currentFieldNames(stored.template || DEFAULT_TEMPLATE);
    // the candidate's names from the page, the recruiter's as typed on the options page ("Your
    // name"), until the host's saved_replies answer brings its own (the recruiter's Greenhouse
    // name), which come first
    const local = Object.assign(nameFields(state.profile.name, ''), nameFields(stored.recruiter, 'recruiter_'));
    let fields = local;
    box = el('div', { class: 'textus-ui textus-compose', role: 'dialog', 'aria-label': 'Text candidate',
      style: 'position:fixed;right:24px;bottom:24px;width:380px;z-index:2147483647;background:#fff;' +
        'border:1px solid #c6d3e3;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.18);padding:14px;' +
        'font:13px/18px system-ui,sans-serif;color:#1d2733' });
    const title = el('div', { style: 'font-weight:600;margin-bottom:6px' },
      `Text ${state.profile.name} at ${state.phone.display}`);
    // where the number came from (extract_phone's source): the host never picks one above the name
    const fromWhere = el('div', { class: 'textus-number-source', 'data-source': state.phone.source || '',
      style: 'margin:-4px 0 6px;color:#5a6b7d' },
    state.phone.source === 'greenhouse'
      ? 'Number from the candidate\'s Greenhouse record (none is shown beneath their name on this page).'
      : 'Number shown beneath the candidate\'s name on this page.');
    const ta = el('textarea', { class: 'textus-body', rows: '6',
      style: 'width:100%;box-sizing:border-box;font:13px/18px system-ui,sans-serif;padding:6px' });
    ta.value = fillTemplate(template, fields).body;
    let autoFilled = ta.value; // what the template gave, while the recruiter has not edited it
    const counter = el('div', { class: 'textus-counter', style: 'margin:4px 0;color:#5a6b7d' });
    // the merge fields still in the text, highlighted: nothing is sent with one unless the
    // recruiter confirms (Send, then "Send as written")
    const pending = el('div', { class: 'textus-unfilled', role: 'status', style: 'margin:4px 0;color:#6b4500' });
    const check = el('div', { class: 'textus-check', role: 'status', style: 'margin:4px 0' });
    const status = el('div', { class: 'textus-send-status', role: 'status', 'aria-live': 'polite',
      style: 'margin:6px 0;font-weight:600' });
    const send = el('button', { type: 'button', class: 'textus-send', style: BTN_STYLE + ';margin-left:0' }, 'Send');
    const close = el('button', { type: 'button', class: 'textus-close', style: BTN_STYLE }, 'Close');
    box.append(title, fromWhere, ta, pending, counter, check, status, send, close);
    document.body.appendChild(box);
    mountThread(box, ta);
    const showUnfilled = () => {
      const names = unfilled(ta.value);
      pending.textContent = '';
      pending.dataset.missing = names.join(',');
      if (!names.length) return;
      pending.append('Not filled: ');
      names.forEach((n, i) => {
        if (i) pending.append(', ');
        pending.appendChild(el('mark', { class: 'textus-missing', title: 'not filled: edit it before sending',
          style: 'background:#fde7b0;color:#6b4500;border-radius:3px;padding:0 2px' }, `{${n}}`));
      });
      pending.append(' — edit before sending.');
    };
    // templates, their local time, quiet hours: compose.js. Its saved_replies answer carries the
    // merge fields' values as the host has them: they fill the local template too, as long as
    // the recruiter has not edited it.
    const aids = { host, state, el, btnStyle: BTN_STYLE };
    aids.onFields = (hostFields) => {
      const merged = Object.assign({}, local);
      for (const [k, v] of Object.entries(hostFields || {})) if (typeof v === 'string' && v) merged[k] = v;
      fields = merged;
      if (ta.value !== autoFilled || !box || !box.isConnected) return;
      ta.value = fillTemplate(template, fields).body;
      autoFilled = ta.value;
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    };
    if (window.TextusCompose) TextusCompose.attach(aids, title, ta);

    let requestId = null;
    let sentBody = null;
    let refused = false; // the number is locked or blocked: nothing to send
    let checkedAt = 0;
    let asWritten = null; // the text the recruiter chose to send with its unfilled fields
    const update = () => {
      showUnfilled();
      if (asWritten !== null && ta.value !== asWritten) {
        asWritten = null;
        if (status.dataset.state === 'unfilled') { status.textContent = ''; delete status.dataset.state; }
      }
      if (send.textContent === 'Send' || send.textContent === 'Send as written') {
        send.textContent = asWritten !== null ? 'Send as written' : 'Send';
      }
      const c = TextusSms.count(ta.value, 3);
      counter.textContent = `${ta.value.length} characters · ${c.segments} of ${c.limit} segments (${c.encoding})` +
        (c.tooLong ? ` — too long by ${-c.remaining}` : '');
      counter.style.color = c.tooLong ? '#b3261e' : '#5a6b7d';
      send.disabled = refused || c.tooLong || !ta.value.trim() || status.dataset.state === 'sent';
      box.dataset.segments = String(c.segments);
      box.dataset.encoding = c.encoding;
    };

    // The checks ahead of the click (prepare_send): a locked or blocked number shows before the
    // recruiter types, the host's connections get ready, and a send within 60 s skips them.
    // Asked again while typing once the last answer is 30 s old, which keeps both fresh.
    const prepare = async () => {
      checkedAt = Date.now();
      box.dataset.check = 'checking';
      const r = await host('prepare_send', { candidate_id: state.candidateId, to: state.phone.e164 });
      if (!box.isConnected) return;
      if (!r.ok) { // the send checks again and says why
        box.dataset.check = 'error:' + r.error.code;
        return;
      }
      refused = r.result.opted_out || r.result.blocked;
      box.dataset.check = r.result.opted_out ? 'opted_out' : r.result.blocked ? 'blocked' : 'clear';
      check.textContent = r.result.opted_out
        ? 'This candidate has opted out of texts (locked in TextUs).'
        : r.result.blocked ? 'This number is blocked in TextUs.' : '';
      check.style.color = refused ? '#b3261e' : '#1d2733';
      update();
    };
    ta.addEventListener('input', () => {
      update();
      if (Date.now() - checkedAt > 30000 && status.dataset.state !== 'sent') prepare();
    });
    update();
    prepare();
    let stopEvents = null;
    close.addEventListener('click', () => {
      if (stopEvents) stopEvents();
      unmountThread();
      box.remove();
      box = null;
    });

    // "Sent" at once, then the note (the host's event after its reply), then Delivered
    const parts = { sent: '', note: '', delivery: '' };
    const render = () => {
      status.textContent = [parts.delivery || parts.sent, parts.note].filter(Boolean).join(' · ');
    };
    const showNote = (note) => {
      status.dataset.note = note.state || '';
      parts.note = note.state === 'written' ? 'note added in Greenhouse'
        : note.state === 'pending' && note.event ? 'adding the note in Greenhouse…'
          : note.state === 'pending' ? 'Greenhouse note pending'
            : note.state === 'stopped' ? 'Greenhouse note stopped: it needs a fix' : '';
      render();
    };

    let scheduleKey = null;
    let scheduleId = null;
    const sendNow = async (extra) => {
      const body = ta.value;
      const names = unfilled(body);
      if (names.length && asWritten !== body) {
        // never sent silently: the first click says which fields are unfilled
        asWritten = body;
        status.textContent = `Not filled: ${names.map((n) => `{${n}}`).join(', ')} — edit the text, or press ` +
          '"Send as written" to send it with the braces.';
        status.dataset.state = 'unfilled';
        status.style.color = '#b3261e';
        update();
        return;
      }
      if (requestId === null || body !== sentBody) {
        requestId = crypto.randomUUID(); // a fresh id per message; a retry of the same text reuses it
        sentBody = body;
      }
      send.disabled = true;
      ta.readOnly = true;
      status.textContent = 'Sending…';
      status.dataset.state = 'sending';
      status.style.color = '#1d2733';
      const rid = requestId;
      if (stopEvents) stopEvents();
      stopEvents = onHostEvent((ev) => {
        if (ev.event === 'note' && ev.request_id === rid && ev.note) showNote(ev.note);
      });
      const r = await host('send_sms', Object.assign({ request_id: rid, candidate_id: state.candidateId,
        to: state.phone.e164, body, reply_before_note: true }, extra || {}));
      if (!r.ok && r.error.code === 'quiet_hours' && window.TextusCompose) {
        // their quiet hours: nothing was sent; schedule it for later, or send anyway
        status.textContent = r.error.message;
        status.dataset.state = 'refused:quiet_hours';
        status.style.color = '#b3261e';
        send.disabled = false; // editing and sending again stays possible
        ta.readOnly = false;
        TextusCompose.quietActions(aids, box, r.error, {
          status,
          now: sendNow,
          body: () => ta.value,
          // one schedule request id per text and time, so that a retry never schedules twice
          scheduleId: (at) => {
            if (scheduleKey !== ta.value + '@' + at) { scheduleKey = ta.value + '@' + at; scheduleId = crypto.randomUUID(); }
            return scheduleId;
          },
          done: (label) => { send.textContent = label; send.disabled = true; ta.readOnly = true; },
        });
        return;
      }
      if (!r.ok) {
        const et = errorText(r);
        status.textContent = et.text;
        status.dataset.state = 'refused:' + r.error.code;
        status.style.color = '#b3261e';
        if (et.settings) {
          const a = el('a', { href: '#', class: 'textus-open-settings', style: 'margin-left:6px' }, 'Open TextUs settings');
          a.addEventListener('click', (ev) => { ev.preventDefault(); chrome.runtime.sendMessage({ cmd: 'open_options' }); });
          status.appendChild(a);
        }
        if (r.error.retryable) { send.disabled = false; send.textContent = 'Try again'; }
        ta.readOnly = !r.error.retryable;
        return;
      }
      status.style.color = '#1d2733';
      status.dataset.state = 'sent';
      status.dataset.messageId = (r.result.message && r.result.message.id) || '';
      parts.sent = 'Sent';
      showNote(r.result.note || {});
      send.textContent = 'Sent';
      refreshThread();
      followDelivery(r.result.message && r.result.message.id, status, (text) => {
        parts.delivery = text;
        render();
      });
    };
    send.addEventListener('click', () => sendNow());
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
        status.dataset.delivery = 'error:' + r.error.code;
        return;
      }
      if (r.result.final || r.result.delivered !== null && r.result.delivered !== undefined) {
        const ok = r.result.delivered === true;
        status.style.color = ok ? '#1e7b34' : '#b3261e';
        status.dataset.delivery = ok ? 'delivered' : 'not_delivered';
        if (!ok && r.result.description) status.title = r.result.description;
        show(ok ? 'Delivered' : 'Not Delivered');
        markDelivery(messageId, ok);
        return;
      }
    }
  }

  // ---- the thread above the text box, and the unanswered-reply dot --------------------
  // The conversation verb gives the latest 50 messages, oldest first; asked with the candidate
  // id, the host also logs the candidate's replies since its first text as Greenhouse notes.

  const THREAD_REFRESH_MS = 60 * 1000;
  const thread = { el: null, timer: null, busy: false, again: false };

  function threadTime(at) {
    const d = new Date(at);
    if (!at || isNaN(d.getTime())) return at || '';
    return d.toLocaleString([], { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  }

  // Final delivery states learned from message_status: the thread's bubble of that message says
  // the same as the status line, also when a conversation read is older than the answer.
  const knownDelivery = new Map();

  function markDelivery(messageId, ok) {
    knownDelivery.set(messageId, ok);
    if (!thread.el) return;
    for (const b of thread.el.querySelectorAll('.textus-msg[data-direction="out"]')) {
      if (b.dataset.id !== messageId) continue;
      const word = ok ? 'Delivered' : 'Not Delivered';
      b.dataset.delivery = word;
      const d = b.querySelector('.textus-msg-delivery');
      if (d) {
        d.textContent = word;
        d.style.color = ok ? '' : '#b3261e';
      }
    }
  }

  function deliveryWord(item) {
    if ((item.delivered === null || item.delivered === undefined) && knownDelivery.has(item.id)) {
      return knownDelivery.get(item.id) ? 'Delivered' : 'Not Delivered';
    }
    if (item.delivered === true) return 'Delivered';
    if (item.delivered === false) return 'Not Delivered';
    return 'Pending';
  }

  function renderThread(list, result) {
    list.textContent = '';
    const items = result.items || [];
    if (!items.length) {
      list.appendChild(el('div', { class: 'textus-thread-empty', style: 'color:#5a6b7d;font-style:italic' },
        'No messages with this number yet.'));
    }
    for (const item of items) {
      const out = item.direction === 'out';
      const bubble = el('div', { class: 'textus-msg', 'data-direction': item.direction, 'data-id': item.id,
        style: `margin:4px 0;display:flex;flex-direction:column;align-items:${out ? 'flex-end' : 'flex-start'}` });
      bubble.appendChild(el('div', { class: 'textus-msg-body', style: 'max-width:85%;padding:5px 9px;' +
        `border-radius:10px;white-space:pre-wrap;word-break:break-word;background:${out ? '#e3eefc' : '#f1f3f5'}` },
      item.body || '(no text)'));
      const meta = el('div', { class: 'textus-msg-meta', style: 'font-size:11px;color:#5a6b7d' },
        threadTime(item.at) + (out ? ' · ' : ''));
      if (out) {
        const word = deliveryWord(item);
        const d = el('span', { class: 'textus-msg-delivery', style: word === 'Not Delivered' ? 'color:#b3261e' : '' }, word);
        bubble.dataset.delivery = word;
        meta.appendChild(d);
      }
      bubble.appendChild(meta);
      list.appendChild(bubble);
    }
    list.dataset.count = String(items.length);
    list.dataset.repliesLogged = String(result.replies_logged || 0);
    list.dataset.state = 'ready';
    list.title = result.replies_error ? 'A reply could not be logged in Greenhouse yet: ' +
      result.replies_error.message : '';
    list.scrollTop = list.scrollHeight;
  }

  // The dot: the latest message is the candidate's, and nobody has answered it yet.
  function setDot(items) {
    const btn = document.querySelector('.textus-ui.textus-text-btn');
    if (!btn) return;
    const last = items && items[items.length - 1];
    const unanswered = !!last && last.direction === 'in';
    btn.dataset.unanswered = unanswered ? '1' : '0';
    let dot = btn.querySelector('.textus-dot');
    if (unanswered && !dot) {
      dot = el('span', { class: 'textus-dot', 'aria-label': 'unanswered reply', title: 'The candidate replied',
        style: 'display:inline-block;width:8px;height:8px;margin-left:6px;border-radius:50%;background:#d93025;' +
          'vertical-align:middle' });
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
        } else {
          thread.el.dataset.state = 'error:' + r.error.code;
          thread.el.textContent = 'The conversation could not be shown: ' + errorText(r).text;
        }
      } while (thread.again);
    } finally {
      thread.busy = false;
    }
  }

  function mountThread(compose, before) {
    thread.el = el('div', { class: 'textus-thread', role: 'log', 'aria-label': 'Conversation',
      style: 'max-height:240px;overflow-y:auto;margin:0 0 8px;padding:4px;border:1px solid #e1e7ef;' +
        'border-radius:6px;font:13px/17px system-ui,sans-serif' }, 'Loading the conversation…');
    thread.el.dataset.state = 'loading';
    compose.insertBefore(thread.el, before);
    refreshThread();
    thread.timer = setInterval(refreshThread, THREAD_REFRESH_MS);
  }

  function unmountThread() {
    clearInterval(thread.timer);
    thread.timer = null;
    thread.el = null;
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
