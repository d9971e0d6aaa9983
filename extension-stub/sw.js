// TextUs for Greenhouse (stub) — service worker: relays requests to the native host.
// The content script, compose box and options page arrive with the install/e2e issue.
const HOST = 'com.textus.greenhouse';

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!msg || msg.type !== 'ping') {
    sendResponse({ ok: false, error: { code: 'unknown_type', message: 'not relayed' } });
    return false;
  }
  chrome.runtime.sendNativeMessage(HOST, msg)
    .then((reply) => sendResponse(reply))
    .catch((e) => sendResponse({ ok: false, error: { code: 'host_unreachable', message: String(e && e.message) } }));
  return true;
});
