// TextUs for Greenhouse (stub) — the toolbar popup: the candidates waiting for the recruiter's
// answer, from the service worker's last `inbox` (chrome.storage.session 'textusInbox', sw.js),
// newest first, each a link to the candidate's Greenhouse profile (on the Greenhouse site of
// the tab that asked). Outside text (the last message) is shown as text, never as markup.
'use strict';

(async () => {
  const list = document.getElementById('textus-inbox');
  const empty = document.getElementById('textus-inbox-empty');
  const got = await chrome.storage.session.get({ textusInbox: null });
  const inbox = got.textusInbox;
  const threads = inbox && Array.isArray(inbox.threads) ? inbox.threads : [];
  document.documentElement.dataset.count = String(threads.length);
  if (!inbox) {
    empty.textContent = "Not checked yet: open a candidate's profile in Greenhouse and this list fills within 2 minutes.";
    empty.hidden = false;
    return;
  }
  // how old the list is: "Checked at 3:10 PM.", or once the last Greenhouse page closed (sw.js
  // marks it `stale`) that nothing checks it now
  const whenLine = document.getElementById('textus-inbox-when');
  const checked = new Date(inbox.at);
  if (!isNaN(checked.getTime())) {
    const t = checked.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
    whenLine.textContent = inbox.stale
      ? `Not checked since ${t}: no candidate's profile is open in Greenhouse. Open one and this list is checked again within 2 minutes.`
      : `Checked at ${t}.`;
    if (inbox.stale) whenLine.classList.add('textus-inbox-stale');
    whenLine.hidden = false;
    document.documentElement.dataset.stale = String(!!inbox.stale);
  }
  if (!threads.length) {
    empty.textContent = 'Nobody is waiting for your answer.';
    empty.hidden = false;
    return;
  }
  const display = (e164) => {
    const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164 || '');
    return m ? `(${m[1]}) ${m[2]}-${m[3]}` : (e164 || '');
  };
  const when = (at) => {
    const d = new Date(at);
    return isNaN(d.getTime()) ? '' : d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  };
  for (const t of threads) {
    const li = document.createElement('li');
    li.className = 'textus-inbox-thread';
    li.dataset.candidateId = t.candidate_id || '';
    const who = t.name || `Candidate ${t.candidate_id}`;
    const a = document.createElement('a');
    a.textContent = who;
    if (inbox.origin && /^\d+$/.test(t.candidate_id || '')) {
      a.href = `${inbox.origin}/people/${t.candidate_id}`;
      a.target = '_blank';
      a.rel = 'noopener';
    }
    const meta = document.createElement('div');
    meta.className = 'textus-inbox-meta';
    const n = t.unanswered || 1;
    // the count only where the read saw them all (counted_all), else what is known of it
    const since = when(t.waiting_since || (t.last && t.last.at));
    meta.textContent = `${display(t.to)} · ` + (t.counted_all !== false
      ? `${n} ${n === 1 ? 'reply' : 'replies'} waiting since ${since}`
      : n > 1 ? `${n} or more replies waiting since ${since}` : `waiting for your answer since ${since}`);
    const last = document.createElement('p');
    last.className = 'textus-inbox-last';
    last.textContent = t.last && t.last.body ? `“${t.last.body}”` : '(a message without text)';
    li.append(a, meta, last);
    list.appendChild(li);
  }
})();
