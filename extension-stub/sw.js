// TextUs for Greenhouse (stub) — service worker: the only part of the extension that talks
// to the native host com.textus.greenhouse. Content scripts and the options page send it
// {cmd: 'host', verb, request}; it relays only the known verbs, one connectNative port per
// request with a timeout, and turns Chrome's terse native-messaging errors into text a
// recruiter can act on. `configure` is accepted only from the options page. While a Greenhouse
// profile is open (its content script says so every minute) it asks the host to flush the
// outbox every FLUSH_EVERY_MS, so that candidates' replies are logged without a reload.
'use strict';

const HOST = 'com.textus.greenhouse';

// verb -> timeout in ms (the host itself bounds its network calls; this is the backstop)
const VERBS = {
  ping: 10000,
  status: 20000,
  extract_phone: 20000,
  send_sms: 90000,
  message_status: 30000,
  opt_out: 30000,
  import_contact: 45000,
  flush_outbox: 90000,
  conversation: 45000,
  schedule_sms: 90000,
  local_time: 20000,
  saved_replies: 45000,
};
const OPTIONS_ONLY = { configure: 60000 };

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
function flushIfDue() {
  if (!flushInFlight) {
    flushInFlight = (async () => {
      const got = await chrome.storage.session.get({ [FLUSH_KEY]: 0 });
      if (Date.now() - got[FLUSH_KEY] < FLUSH_EVERY_MS) return { flushed: false };
      await chrome.storage.session.set({ [FLUSH_KEY]: Date.now() });
      const reply = await callHost('flush_outbox', {}, VERBS.flush_outbox);
      return { flushed: true, ok: !!reply.ok,
        replies_logged: reply.ok ? reply.result.replies_logged : 0,
        error: reply.ok ? null : reply.error.code };
    })().finally(() => { flushInFlight = null; });
  }
  return flushInFlight;
}

// Only the content script sends it, and it runs on Greenhouse profiles only (manifest.json).
function greenhouseOpen(sender, sendResponse) {
  if (!sender.tab) {
    sendResponse({ flushed: false });
    return false;
  }
  flushIfDue().then(sendResponse, () => sendResponse({ flushed: false }));
  return true;
}

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
