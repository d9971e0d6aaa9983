// TextUs for Greenhouse (stub) — service worker: the only part of the extension that talks
// to the native host com.textus.greenhouse. It relays only the known verbs, with a timeout,
// and turns Chrome's terse native-messaging errors into text a recruiter can act on.
// * A Greenhouse profile tab connects a runtime port ('textus-tab') while its profile is
//   open; behind it the worker keeps ONE connectNative port (a warm host: its connections to
//   TextUs and Greenhouse stay open, host/PROTOCOL.md "Ports"), sends every verb of that tab
//   over it, opens a new one at the next request when it died, and disconnects it when the
//   tab's port goes (the tab closed or left the profile). Replies go back by the tab's
//   request number; event frames ({"id", "event", ...}: the note written after a send's
//   reply, a bulk's progress) are passed on to the tab as they come. An open native port also keeps this
//   worker alive.
// * The options page (and anything else) sends {cmd: 'host', verb, request}: one
//   connectNative port per request. `configure` is accepted only from the options page.
// * While a Greenhouse profile is open (its content script says so every minute) it asks the
//   host to flush the outbox every FLUSH_EVERY_MS, so that candidates' replies are logged
//   without a reload, with the inbox in the same call: the count of candidates waiting goes on
//   the toolbar badge, their threads to popup.html, and a new reply is a Chrome notification
//   (unless turned off on the options page). When the last tab that asked closes, the count
//   stays on the badge, grey, with "not checked since" in its title (below, "the badge once
//   the last Greenhouse page is closed").
'use strict';

const HOST = 'com.textus.greenhouse';

// verb -> timeout in ms: each verb's worst case from host/PROTOCOL.md ("How long a request
// can take", with the default settings) plus a margin, so that the extension never gives up
// on a host that is still within its own bounds. R: one read (60 s with retries), W: one
// write (32 s). The host bounds every request; this is the backstop for a host that hangs.
const R = 60000, W = 32000, MARGIN = 5000;
const VERBS = {
  ping: 10000,
  status: R + MARGIN,                    // local, + R for an unknown send
  extract_phone: 2 * R + MARGIN,         // the Greenhouse fallback: 2 R
  prepare_send: R + MARGIN,
  send_sms: R + W + MARGIN,              // sent with reply_before_note: R + W
  message_status: R + MARGIN,
  opt_out: W + MARGIN,
  import_contact: 2 * R + W + MARGIN,
  flush_outbox: 5 * R,                   // no fixed bound: background work
  conversation: 5 * R + W + MARGIN,      // 2 R, + 3 R + W for a reply logged as a note
  schedule_sms: 5 * R + 2 * W + MARGIN,  // send_sms's without reply_before_note, + R
  local_time: 20000,
  saved_replies: 5 * R + MARGIN,
  bulk_preview: 15 * R,                  // 1 Greenhouse read per candidate (≤ 500): a backstop only
  bulk_send: R + MARGIN,                 // the reply is local (the bulk recorded); `bulk` events follow
  bulk_status: 20000,                    // local; asked one-shot, beside a running bulk's port
  bulk_cancel: 20000,                    // local; one-shot, beside a running bulk's port
  inbox: 5 * R,                          // a flush's reads: no fixed bound, background work
};
// configure: about 10 checks in a row, each at most 15 s + T (45 s)
const OPTIONS_ONLY = { configure: 10 * 45000 + MARGIN };

let nextId = 1;

function optionsUrl() {
  return chrome.runtime.getURL('options.html');
}

function fromOptionsPage(sender) {
  return sender && sender.id === chrome.runtime.id && typeof sender.url === 'string' &&
    sender.url.split(/[?#]/)[0] === optionsUrl();
}

// Chrome's messages (native_message_process_host / messaging) -> {code, message}
function explain(chromeMessage) {
  const id = chrome.runtime.id;
  const m = String(chromeMessage || '');
  if (m.includes('Specified native messaging host not found')) {
    return { code: 'host_not_installed',
      message: 'The TextUs host is not installed for this browser profile. Run scripts/install.sh ' +
        '(add --user-data-dir <folder> for a custom profile), then reload this page. ' +
        '"textus-host doctor" checks the installation.' };
  }
  if (m.includes('Access to the specified native messaging host is forbidden')) {
    return { code: 'host_forbidden',
      message: `This extension (id ${id}) is not allowed by the installed TextUs host: ` +
        `reinstall with scripts/install.sh --extension-id ${id}` };
  }
  if (m.includes('disabled by the system administrator')) {
    return { code: 'host_blocked_by_policy',
      message: 'Your administrator blocks native messaging hosts (browser policy). Ask IT to allow ' +
        'com.textus.greenhouse, or to install it machine-wide (scripts/install.sh --system).' };
  }
  if (m.includes('Native host has exited') || m.includes('Failed to start native messaging host')) {
    return { code: 'host_exited',
      message: 'The TextUs host stopped before answering (is the installed file still there and ' +
        'executable?). Run "textus-host doctor", or reinstall with scripts/install.sh.' };
  }
  if (m.includes('Error when communicating with the native messaging host')) {
    return { code: 'host_protocol',
      message: 'The TextUs host sent something the browser could not read. Run "textus-host doctor" ' +
        'and send its report (textus-host doctor --report) to support.' };
  }
  if (m.includes('nativeMessaging permission')) {
    return { code: 'host_permission', message: 'This extension lacks the nativeMessaging permission.' };
  }
  return { code: 'host_unreachable', message: `Could not reach the TextUs host: ${m || 'unknown error'}` };
}

function hostError(code, message, retryable) {
  return { id: null, ok: false, error: { code, message, retryable: !!retryable } };
}

// One request on its own port; resolves with the host's reply envelope or a host_* error.
function callHost(verb, request, timeoutMs) {
  return new Promise((resolve) => {
    let done = false;
    let port;
    const finish = (reply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { if (port) port.disconnect(); } catch (e) { /* already closed */ }
      resolve(reply);
    };
    const timer = setTimeout(() => finish(hostError('host_timeout',
      `The TextUs host did not answer within ${Math.round(timeoutMs / 1000)} s. ` +
      'Trying again is safe: the same request carries the same request id, so nothing is sent twice. ' +
      '"textus-host doctor" checks the connection.', true)), timeoutMs);
    try {
      port = chrome.runtime.connectNative(HOST);
    } catch (e) {
      const ex = explain(e && e.message);
      finish(hostError(ex.code, ex.message));
      return;
    }
    port.onMessage.addListener((reply) => finish(reply));
    port.onDisconnect.addListener(() => {
      const err = chrome.runtime.lastError;
      const ex = explain(err ? err.message : 'Native host has exited.');
      finish(hostError(ex.code, ex.message));
    });
    const msg = Object.assign({}, request || {}, { type: verb, id: `sw-${nextId++}` });
    try {
      port.postMessage(msg);
    } catch (e) {
      finish(hostError('bad_request', `The request could not be sent: ${e && e.message}`));
    }
  });
}

// ---- periodic flush while a Greenhouse profile is open ---------------------------------
// A content script on a Greenhouse profile sends {cmd: 'greenhouse_open'} when the page opens
// and every minute after. The worker may be stopped between two of them, so the time of the
// last flush lives in chrome.storage.session (shared by every tab of the profile, gone when the
// browser closes): one flush per FLUSH_EVERY_MS however many Greenhouse tabs are open, and
// none once the last of them is closed.
const FLUSH_EVERY_MS = 2 * 60 * 1000;
const FLUSH_KEY = 'textusLastFlushAt';
let flushInFlight = null;

// Every tab asking at once shares one check (and at most one flush).
function flushIfDue(origin) {
  if (!flushInFlight) {
    flushInFlight = (async () => {
      const got = await chrome.storage.session.get({ [FLUSH_KEY]: 0 });
      if (Date.now() - got[FLUSH_KEY] < FLUSH_EVERY_MS) return { flushed: false };
      await chrome.storage.session.set({ [FLUSH_KEY]: Date.now() });
      // one call per pass: the flush's reads of the conversations are the inbox's
      // (host/PROTOCOL.md, flush_outbox include_inbox); a host without it gets asked `inbox`
      const reply = await callHost('flush_outbox', { include_inbox: true }, VERBS.flush_outbox);
      await refreshInbox(origin, reply.ok && reply.result.inbox ? reply.result.inbox : null);
      return { flushed: true, ok: !!reply.ok,
        replies_logged: reply.ok ? reply.result.replies_logged : 0,
        error: reply.ok ? null : reply.error.code };
    })().finally(() => { flushInFlight = null; });
  }
  return flushInFlight;
}

// ---- the inbox: candidates waiting for the recruiter's answer -----------------------------
// Each periodic flush brings the inbox (flush_outbox include_inbox, host/PROTOCOL.md: one set
// of reads for both; a host without it is asked `inbox` after the flush), keeps its
// threads in chrome.storage.session (INBOX_KEY, with the Greenhouse origin of the tab that
// asked, so that each thread links to its candidate's profile there) and puts their count on
// the toolbar badge; popup.html lists them.
const INBOX_KEY = 'textusInbox';
async function refreshInbox(origin, given) {
  const reply = given ? { ok: true, result: given } : await callHost('inbox', {}, VERBS.inbox);
  if (!reply.ok) return; // the badge keeps the last count it knew
  const threads = Array.isArray(reply.result.threads) ? reply.result.threads : [];
  const before = (await chrome.storage.session.get({ [INBOX_KEY]: null }))[INBOX_KEY];
  await chrome.storage.session.set({ [INBOX_KEY]: { threads, origin, at: Date.now() } });
  if (before) await notifyNew(before.threads || [], threads, origin); // the session's first pass is the baseline
  try {
    await chrome.action.setBadgeBackgroundColor({ color: '#d93025' });
    await chrome.action.setBadgeText({ text: threads.length ? String(threads.length) : '' });
    await chrome.action.setTitle({ title: threads.length
      ? `TextUs: ${threads.length} ${threads.length === 1 ? 'candidate is' : 'candidates are'} waiting for your answer`
      : 'TextUs: nobody is waiting for your answer' });
  } catch (e) { /* no toolbar button (e.g. a test profile without one) */ }
}

// A Chrome notification for each thread whose latest reply is new since the last pass, unless
// the options page's "New replies" box is unticked (notifyReplies); a click opens the
// candidate's profile. The reply is outside text: a notification shows it as plain text.
const NOTIFY_KEY = 'textusNotified'; // notification id -> profile URL
async function notifyNew(before, threads, origin) {
  const { notifyReplies } = await chrome.storage.local.get({ notifyReplies: true });
  if (notifyReplies === false) return;
  const seen = new Set(before.map((t) => `${t.to}|${t.candidate_id}|${t.last && t.last.at}`));
  const urls = (await chrome.storage.session.get({ [NOTIFY_KEY]: {} }))[NOTIFY_KEY];
  for (const t of threads) {
    if (!t.last || seen.has(`${t.to}|${t.candidate_id}|${t.last.at}`)) continue;
    const id = `textus-reply-${t.candidate_id}-${t.last.at}`;
    if (origin && /^\d+$/.test(t.candidate_id || '')) urls[id] = `${origin}/people/${t.candidate_id}`;
    try {
      await chrome.notifications.create(id, { type: 'basic', iconUrl: 'icon48.png',
        title: `${t.name || `Candidate ${t.candidate_id}`} replied`, message: t.last.body || '(a message without text)' });
    } catch (e) { /* notifications unavailable: the badge still counts it */ }
  }
  await chrome.storage.session.set({ [NOTIFY_KEY]: urls });
}
chrome.notifications.onClicked.addListener(async (id) => {
  const urls = (await chrome.storage.session.get({ [NOTIFY_KEY]: {} }))[NOTIFY_KEY];
  if (urls[id]) chrome.tabs.create({ url: urls[id] });
  chrome.notifications.clear(id);
});

// ---- the badge once the last Greenhouse page is closed ------------------------------------
// The passes above run only while a Greenhouse profile is open (its content script asks). When
// the last tab that asked is closed, nothing refreshes the count any more. Clearing the badge
// would say "nobody is waiting", which is false: the replies are still there, unanswered. So
// the count stays, shown as what it is, the count of the last check: the badge turns grey (red
// while it is current), its title says "2 candidates were waiting for your answer at 3:10 PM;
// not checked since: no candidate's profile is open in Greenhouse", and the popup says the same (the inbox's
// `stale`). The next pass (a Greenhouse profile opened again) makes it current and red. The
// tabs that asked are kept in chrome.storage.session (the worker may sleep in between);
// chrome.tabs.onRemoved needs no permission. A tab that left Greenhouse for another site
// stays counted until it is closed (reading its URL would need the "tabs" permission): the
// popup's "Checked at 3:10 PM" still says how old the list is.
const GH_TABS_KEY = 'textusGreenhouseTabs';
const BADGE_STALE = '#5f6b78'; // refreshInbox's red: current
let tabsChain = Promise.resolve(); // one read-modify-write of GH_TABS_KEY at a time
function editGreenhouseTabs(fn) {
  tabsChain = tabsChain.then(async () => {
    const tabs = (await chrome.storage.session.get({ [GH_TABS_KEY]: [] }))[GH_TABS_KEY];
    const next = fn(tabs);
    if (next) await chrome.storage.session.set({ [GH_TABS_KEY]: next.tabs });
    if (next && next.lastClosed) await markInboxStale();
  }).catch(() => {});
  return tabsChain;
}
chrome.runtime.onMessage.addListener((msg, sender) => {
  if (msg && msg.cmd === 'greenhouse_open' && sender.id === chrome.runtime.id && sender.tab) {
    const id = sender.tab.id;
    editGreenhouseTabs((tabs) => (tabs.includes(id) ? null : { tabs: tabs.concat(id) }));
  }
  return false; // greenhouseOpen answers it
});
chrome.tabs.onRemoved.addListener((id) => {
  editGreenhouseTabs((tabs) => {
    if (!tabs.includes(id)) return null;
    const left = tabs.filter((t) => t !== id);
    return { tabs: left, lastClosed: left.length === 0 };
  });
});
async function markInboxStale() {
  const inbox = (await chrome.storage.session.get({ [INBOX_KEY]: null }))[INBOX_KEY];
  if (!inbox) return; // never checked: the badge shows nothing
  await chrome.storage.session.set({ [INBOX_KEY]: Object.assign({}, inbox, { stale: true }) });
  const n = Array.isArray(inbox.threads) ? inbox.threads.length : 0;
  const at = new Date(inbox.at).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
  try {
    await chrome.action.setBadgeBackgroundColor({ color: BADGE_STALE });
    await chrome.action.setTitle({ title: (n
      ? `TextUs: ${n} ${n === 1 ? 'candidate was' : 'candidates were'} waiting for your answer at ${at}`
      : `TextUs: nobody was waiting for your answer at ${at}`) + "; not checked since: no candidate's profile is open in Greenhouse" });
  } catch (e) { /* no toolbar button */ }
}

// Only the content script sends it, and it runs on Greenhouse profiles only (manifest.json).
function greenhouseOpen(sender, sendResponse) {
  if (!sender.tab) {
    sendResponse({ flushed: false });
    return false;
  }
  let origin = null;
  try { origin = new URL(sender.url || sender.tab.url).origin; } catch (e) { /* no URL: no links */ }
  flushIfDue(origin).then(sendResponse, () => sendResponse({ flushed: false }));
  return true;
}

// One profile tab: its runtime port, and the native port behind it.
class TabLink {
  constructor(tabPort) {
    this.tab = tabPort;
    this.native = null;
    this.pending = new Map(); // host request id -> {rid, timer}, in the order sent
    this.closed = false;
  }

  post(msg) {
    if (this.closed) return;
    try { this.tab.postMessage(msg); } catch (e) { /* the tab went away */ }
  }

  // The native port, opened at the first request and again after it died.
  open() {
    if (this.native) return { port: this.native };
    let port;
    try {
      port = chrome.runtime.connectNative(HOST);
    } catch (e) {
      return { error: explain(e && e.message) };
    }
    port.onMessage.addListener((frame) => this.onFrame(port, frame));
    port.onDisconnect.addListener(() => {
      const err = chrome.runtime.lastError;
      this.gone(port, explain(err ? err.message : 'Native host has exited.'));
    });
    this.native = port;
    return { port };
  }

  request(msg) {
    if (!msg || typeof msg !== 'object' || typeof msg.verb !== 'string') return;
    const rid = msg.rid;
    const timeout = VERBS[msg.verb];
    if (timeout === undefined) {
      this.post({ rid, reply: hostError('unknown_type', `"${msg.verb}" is not relayed to the host`) });
      return;
    }
    const opened = this.open();
    if (opened.error) {
      this.post({ rid, reply: hostError(opened.error.code, opened.error.message) });
      return;
    }
    const id = `sw-${nextId++}`;
    const timer = setTimeout(() => {
      this.finish(id, hostError('host_timeout',
        `The TextUs host did not answer within ${Math.round(timeout / 1000)} s. ` +
        'Trying again is safe: the same request carries the same request id, so nothing is sent twice. ' +
        '"textus-host doctor" checks the connection.', true));
      this.drop(); // a host that does not answer gets no more requests: the next one starts afresh
    }, timeout);
    this.pending.set(id, { rid, timer });
    const request = (msg.request && typeof msg.request === 'object') ? msg.request : {};
    try {
      opened.port.postMessage(Object.assign({}, request, { type: msg.verb, id }));
    } catch (e) {
      this.finish(id, hostError('bad_request', `The request could not be sent: ${e && e.message}`));
    }
  }

  onFrame(port, frame) {
    if (port !== this.native || !frame || typeof frame !== 'object') return;
    if (typeof frame.event === 'string') { // after a reply: e.g. the note of a send
      this.post({ event: frame });
      return;
    }
    // replies come in the order of the requests; one without a readable id is the oldest's
    let id = frame.id;
    if (!this.pending.has(id)) id = this.pending.keys().next().value;
    if (id !== undefined) this.finish(id, frame);
  }

  finish(id, reply) {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    this.post({ rid: p.rid, reply });
  }

  // The native port died: what waited on it fails; the next request opens a new one.
  gone(port, ex) {
    if (port !== this.native) return;
    this.native = null;
    for (const id of Array.from(this.pending.keys())) this.finish(id, hostError(ex.code, ex.message));
  }

  drop() {
    const port = this.native;
    if (!port) return;
    this.native = null;
    try { port.disconnect(); } catch (e) { /* already closed */ }
    for (const id of Array.from(this.pending.keys())) {
      this.finish(id, hostError('host_exited', 'The TextUs host was restarted; try again.'));
    }
  }

  // The tab closed or left the profile: the host gets EOF and exits (after finishing the
  // note of a send, which the outbox also keeps).
  close() {
    this.closed = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    if (this.native) {
      try { this.native.disconnect(); } catch (e) { /* already closed */ }
      this.native = null;
    }
  }
}

chrome.runtime.onConnect.addListener((tabPort) => {
  const s = tabPort.sender;
  if (tabPort.name !== 'textus-tab' || !s || s.id !== chrome.runtime.id || !s.tab) {
    tabPort.disconnect();
    return;
  }
  const link = new TabLink(tabPort);
  tabPort.onMessage.addListener((msg) => link.request(msg));
  tabPort.onDisconnect.addListener(() => link.close());
});

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!msg || typeof msg !== 'object' || sender.id !== chrome.runtime.id) {
    return false;
  }
  if (msg.cmd === 'greenhouse_open') return greenhouseOpen(sender, sendResponse);
  if (msg.cmd === 'open_options') {
    chrome.runtime.openOptionsPage();
    sendResponse({ ok: true });
    return false;
  }
  if (msg.cmd !== 'host' || typeof msg.verb !== 'string') {
    sendResponse(hostError('unknown_type', 'not relayed'));
    return false;
  }
  let timeout = VERBS[msg.verb];
  if (timeout === undefined && OPTIONS_ONLY[msg.verb] !== undefined) {
    if (!fromOptionsPage(sender)) {
      sendResponse(hostError('forbidden', `"${msg.verb}" is accepted only from the options page`));
      return false;
    }
    timeout = OPTIONS_ONLY[msg.verb];
  }
  if (timeout === undefined) {
    sendResponse(hostError('unknown_type', `"${msg.verb}" is not relayed to the host`));
    return false;
  }
  const request = (msg.request && typeof msg.request === 'object') ? msg.request : {};
  callHost(msg.verb, request, timeout).then(sendResponse);
  return true; // asynchronous sendResponse
});
