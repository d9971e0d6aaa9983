// TextUs for Greenhouse (stub) — the compose box's composing aids and its words, kept apart
// from the box itself (content.js): the box's stylesheet (one primary button per state, a
// disabled button that looks disabled), the candidate's local time in the header, a template
// picker over the recruiter's TextUs saved replies (search; picking one puts it in the message
// box, its merge fields filled, a missing one said in words: "The job title isn't known"), and,
// when the host refuses a text in the candidate's quiet hours, a sentence a person says ("It's
// 8:32 PM for Jane (Denver): too late to text. Texts are allowed 8 AM–9 PM their time.", built
// from the error's structured fields, never the host's message) with "Schedule for 8:00 AM
// their time" beside "Send anyway" (which asks once more before it sends). Once scheduled, the
// header stops warning and says when the text goes out.
// Everything goes through the host (saved_replies, local_time, schedule_sms): the time zones
// come from the number, on the host's side. Times are shown as 12-hour clock times in the
// recruiter's zone, and in the candidate's where it matters; never UTC, never a config key.
'use strict';

(function (root) {
  const ALERT = '#b3261e';

  const CSS = `
.textus-compose{position:fixed;right:24px;bottom:24px;width:400px;max-width:calc(100vw - 16px);
  height:min(600px,calc(100vh - 48px));display:flex;flex-direction:column;z-index:2147483647;background:#fff;
  border:1px solid #c6d3e3;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.18);
  font:13px/18px system-ui,sans-serif;color:#1d2733;box-sizing:border-box;text-align:left;overflow-wrap:anywhere}
.textus-compose *{box-sizing:border-box}
.textus-compose .textus-head{flex:none;padding:12px 44px 8px 14px;border-bottom:1px solid #e1e7ef;position:relative}
.textus-compose .textus-title{font:600 15px/20px system-ui,sans-serif;margin:0}
.textus-compose .textus-number,.textus-compose .textus-local-time{color:#4f5f70;margin:1px 0 0}
.textus-compose .textus-local-time[data-state=quiet]{color:${ALERT}}
.textus-compose .textus-number-source{white-space:nowrap}
.textus-compose .textus-x{position:absolute;top:8px;right:8px;width:30px;height:30px;border:0;border-radius:6px;
  background:transparent;color:#1d2733;font:20px/28px system-ui,sans-serif;cursor:pointer}
.textus-compose .textus-x:hover{background:#eef2f6}
.textus-compose .textus-thread{flex:1 1 auto;min-height:64px;overflow-y:auto;padding:8px 14px;background:#fafbfd}
.textus-compose .textus-foot{flex:none;padding:8px 14px 12px;border-top:1px solid #e1e7ef;max-height:60%;overflow-y:auto}
.textus-compose textarea.textus-body{width:100%;display:block;resize:none;font:13px/18px system-ui,sans-serif;padding:6px 8px;
  border:1px solid #9aabbd;border-radius:6px}
.textus-compose .textus-line{margin:4px 0 0;min-height:0}
.textus-compose .textus-line:empty{display:none}
.textus-compose .textus-counter{color:#4f5f70}
.textus-compose .textus-counter[data-too-long="1"]{color:${ALERT}}
.textus-compose .textus-check{color:${ALERT};font-weight:600}
.textus-compose .textus-send-status{font-weight:600}
.textus-compose .textus-send-status .textus-line-text[data-kind=bad],.textus-compose .textus-send-status .textus-line-note[data-kind=bad]{color:${ALERT}}
.textus-compose .textus-send-status [data-kind=good]{color:#1e6b30}
.textus-compose .textus-actions{display:flex;align-items:center;gap:8px;flex-wrap:wrap;margin-top:8px}
.textus-compose .textus-btn{padding:6px 16px;border-radius:6px;font:600 13px/18px system-ui,sans-serif;cursor:pointer;
  border:1px solid #1b6ac9;margin:0}
.textus-compose .textus-primary{background:#1b6ac9;color:#fff}
.textus-compose .textus-primary:hover{background:#1558a8}
.textus-compose .textus-secondary{background:#fff;color:#1b5fb4}
.textus-compose .textus-secondary:hover{background:#eef4fc}
.textus-compose .textus-btn:disabled{background:#e9edf2;color:#5f6b78;border-color:#c9d1db;cursor:not-allowed}
.textus-compose button:focus-visible,.textus-compose textarea:focus-visible,.textus-compose input:focus-visible,
.textus-compose summary:focus-visible,.textus-compose .textus-thread:focus-visible{outline:2px solid #0b57d0;outline-offset:1px}
.textus-compose .textus-send-reason{color:#4f5f70;font-size:12px}
.textus-compose .textus-quiet-actions{display:flex;gap:8px;flex-wrap:wrap;margin-top:8px}
.textus-compose details.textus-templates{margin:0 0 6px}
.textus-compose details.textus-templates summary{cursor:pointer;color:#1b5fb4;font-weight:600;width:max-content}
.textus-compose .textus-template-search{width:100%;padding:4px 6px;margin:4px 0;border:1px solid #9aabbd;border-radius:6px}
.textus-compose .textus-template-list{max-height:96px;overflow:auto;border:1px solid #e1e8f0;border-radius:6px}
.textus-compose .textus-template{display:block;width:100%;text-align:left;border:0;border-bottom:1px solid #eef2f6;
  background:#fff;color:#1d2733;padding:4px 6px;cursor:pointer;font:13px/18px system-ui,sans-serif}
.textus-compose .textus-template[aria-selected=true]{background:#e3eefb}
.textus-compose .textus-template-note{color:#4f5f70;margin:4px 0}
.textus-compose .textus-lock{color:#4f5f70}
.textus-compose details.textus-optout{margin:8px 0 0}
.textus-compose details.textus-optout summary{cursor:pointer;color:#1b5fb4;font-size:12px;width:max-content}
.textus-compose .textus-optout-words{font-weight:600}
.textus-compose .textus-scheduled{margin:0 0 6px;padding:6px 8px;border:1px solid #e1e7ef;border-radius:6px;background:#fff}
.textus-compose .textus-scheduled h3{font:600 13px/18px system-ui,sans-serif;margin:0}
.textus-compose .textus-scheduled ul{margin:4px 0;padding-left:18px}
.textus-compose .textus-scheduled-note{color:#4f5f70;margin:0}
.textus-compose mark.textus-missing{background:#fde7b0;color:#5c3b00;border-radius:3px;padding:0 2px}
.textus-compose .textus-msg{margin:4px 0;display:flex;flex-direction:column}
.textus-compose .textus-msg[data-direction=out]{align-items:flex-end}
.textus-compose .textus-msg[data-direction=in]{align-items:flex-start}
.textus-compose .textus-msg-body{max-width:85%;padding:5px 9px;border-radius:10px;white-space:pre-wrap;word-break:break-word;background:#f1f3f5}
.textus-compose .textus-msg[data-direction=out] .textus-msg-body{background:#dce9fb}
.textus-compose .textus-msg-meta{font-size:11px;color:#4f5f70}
.textus-compose .textus-msg-delivery[data-bad="1"]{color:${ALERT}}
.textus-compose .textus-thread-empty{color:#4f5f70;font-style:italic}
.textus-sr{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
/* a narrow window: a sheet over the lower part, the profile's name and number stay visible above it */
@media (max-width:480px){.textus-compose{right:8px;bottom:8px;left:8px;width:auto;height:min(600px,calc(100vh - 240px));min-height:340px}}
.textus-compose .textus-thread-caption{font-size:11px;color:#4f5f70;margin:0 0 4px;text-align:center}
.textus-compose .textus-confirm{margin-top:8px;padding:6px 8px;border:1px solid #e1c27a;border-radius:6px;background:#fff8e6}
.textus-compose textarea.textus-body:disabled{background:#f1f3f5;color:#5f6b78;cursor:not-allowed}
`;

  // The box's stylesheet, added to the page once.
  function ensureStyle() {
    if (document.getElementById('textus-compose-style')) return;
    const s = document.createElement('style');
    s.id = 'textus-compose-style';
    s.textContent = CSS;
    (document.head || document.documentElement).appendChild(s);
  }

  // "9:05 PM" (and "Wed" when withDay; "21:05" when h23, for comparing) at instant `date` in an
  // IANA zone (undefined: the recruiter's own zone).
  function timeIn(zone, date, withDay, h23) {
    const opts = h23 ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { hour: 'numeric', minute: '2-digit' };
    if (zone) opts.timeZone = zone;
    if (withDay) opts.weekday = 'short';
    try {
      return new Intl.DateTimeFormat('en-US', opts).format(date);
    } catch (e) {
      return null;
    }
  }

  // The calendar day of `date` in a zone, "2026-12-07", for comparing days.
  function dayIn(zone, date) {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(date);
    } catch (e) {
      return null;
    }
  }

  function zoneLabel(zone) {
    return String(zone || '').replace(/^.*\//, '').replace(/_/g, ' ');
  }

  // "20:32" -> "8:32 PM"; "08:00" -> "8:00 AM" (short: "8 AM" when on the hour).
  function clock12(hhmm, short) {
    const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
    if (!m) return hhmm || '';
    const h = Number(m[1]) % 24;
    const ap = h < 12 ? 'AM' : 'PM';
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return short && m[2] === '00' ? `${h12} ${ap}` : `${h12}:${m[2]} ${ap}`;
  }

  // "08:00-21:00" -> "8 AM–9 PM".
  function windowWords(win) {
    const m = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(win || '');
    return m ? `${clock12(m[1], true)}–${clock12(m[2], true)}` : '';
  }

  // When the box's own day word: "" (today in their zone), "tomorrow", or the weekday.
  function dayWord(zone, at) {
    const today = dayIn(zone, new Date());
    const then = dayIn(zone, at);
    if (!today || !then || today === then) return '';
    if (dayIn(zone, new Date(Date.now() + 86400000)) === then) return 'tomorrow';
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long' }).format(at);
    } catch (e) {
      return '';
    }
  }

  // The quiet-hours refusal as a person says it, from the error's structured fields.
  function quietSentence(error, firstName) {
    const who = firstName || 'the candidate';
    if (!error.time_zone || !error.local_time) {
      return "We can't tell the time zone of this number, so we don't know whether it's a good time " +
        `for ${who}. Nothing was sent. Send it anyway if you know it is.`;
    }
    const win = windowWords(error.quiet_hours);
    const which = lateOrEarly(error.local_time, error.quiet_hours);
    return `It's ${clock12(error.local_time)} for ${who} (${zoneLabel(error.time_zone)})` +
      (which ? `: too ${which} to text. ` : '. ') +
      (win ? `Texts are allowed ${win} their time. ` : '') + 'Nothing was sent yet.';
  }

  // Outside the allowed window "08:00-21:00" at "HH:MM": 'late' when the window's end is
  // nearer behind than its start is ahead, else 'early' ('' when the times cannot be read).
  function lateOrEarly(hhmm, win) {
    const mins = (t) => { const m = /^(\d{1,2}):(\d{2})$/.exec(t || ''); return m ? Number(m[1]) * 60 + Number(m[2]) : null; };
    const w = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(win || '');
    const now = mins(hhmm);
    if (!w || now === null) return '';
    const start = mins(w[1]);
    const end = mins(w[2]);
    const sinceEnd = (now - end + 1440) % 1440;
    const untilStart = (start - now + 1440) % 1440;
    const inside = start <= end ? now >= start && now < end : now >= start || now < end;
    // inside by the clock (the host's verdict is what counts; e.g. a minute's margin): the nearer edge
    if (inside) return (end - now + 1440) % 1440 < (now - start + 1440) % 1440 ? 'late' : 'early';
    return sinceEnd < untilStart ? 'late' : 'early';
  }

  // Merge fields as words: "the job title", "your first name", "the team".
  const FIELD_WORDS = {
    first_name: "the candidate's first name", last_name: "the candidate's last name", full_name: "the candidate's name",
    recruiter_first_name: 'your first name', recruiter_name: 'your name', job_title: 'the job title',
  };
  function fieldWord(name) {
    return FIELD_WORDS[name] || `the ${String(name).replace(/_/g, ' ')}`;
  }
  // "The job title isn't known" / "The job title and your first name aren't known".
  function unfilledWords(names) {
    const w = names.map(fieldWord);
    const list = w.length <= 1 ? w.join('') : `${w.slice(0, -1).join(', ')} and ${w[w.length - 1]}`;
    return `${list.charAt(0).toUpperCase()}${list.slice(1)} ${w.length > 1 ? "aren't" : "isn't"} known`;
  }

  // The recruiter-facing words for a refused send or schedule: what happened to the text and
  // to the note, one line each, and what the recruiter can do. Never a config key, a verb
  // name, a command line or UTC: those are for the admin's `textus-host doctor`.
  const ADMIN = 'If it keeps happening, ask your TextUs admin to check the setup on this computer.';
  function sendWords(error, firstName) {
    const who = firstName || 'The candidate';
    const none = 'No note was added in Greenhouse (nothing was sent).';
    const e = error || {};
    switch (e.code) {
      case 'opted_out':
        return { text: `Not sent: ${who} has opted out of texts.`, note: none };
      case 'blocked':
        return { text: 'Not sent: this number is blocked in TextUs.', note: none };
      case 'not_configured':
        return { text: 'Not sent: TextUs is not set up yet.', note: none, settings: true };
      case 'textus_auth':
      case 'textus_account':
        return { text: 'Not sent: TextUs did not accept your sign-in.', note: none, settings: true };
      case 'invalid_config':
      case 'store_corrupt':
      case 'store_key_mismatch':
      case 'store_permissions':
        return { text: 'Not sent: the TextUs settings on this computer need attention.', note: none, settings: true };
      case 'body_too_long':
        return { text: 'Not sent: the message is longer than 3 texts. Shorten it and send again.', note: none };
      case 'textus_rejected':
        return { text: 'Not sent: TextUs refused this text. Check the number, or edit the text and try again.', note: none };
      case 'rate_limited':
        return { text: 'Not sent: TextUs asked us to slow down. Wait a minute, then press Try again.', note: none, retry: true };
      case 'upstream_unavailable':
      case 'upstream_invalid':
      case 'store_io':
        return { text: 'Not sent: TextUs is not responding right now. Press Try again in a moment.', note: none, retry: true };
      case 'outcome_unknown':
        return { text: "We couldn't confirm that the text went out. Don't send it again: it is being checked, " +
          'and it will show in the conversation once it is confirmed.',
        note: 'The note will be added in Greenhouse once the text is confirmed.', retry: true, again: 'Check again' };
      case 'schedule_out_of_range':
        return { text: 'Not scheduled: that time is too soon or too far ahead.', note: none };
      case 'extension_error':
      case 'host_timeout':
        return { text: 'Not sent: the TextUs helper on this computer did not answer. Reload the page and try again. ' + ADMIN,
          note: none, retry: true };
      default:
        if (/^host_/.test(e.code || '')) {
          return { text: 'Not sent: the TextUs helper on this computer is not working. ' + ADMIN, note: none };
        }
        return { text: 'Not sent: something went wrong. ' + ADMIN, note: none, retry: !!e.retryable };
    }
  }

  // What happened to the Greenhouse note, from a send's `note` (or the note event).
  function noteWords(note) {
    const n = note || {};
    const code = String(n.reason || '').replace(/:.*$/s, '');
    if (n.state === 'written') return 'Note added in Greenhouse.';
    if (n.state === 'disabled') return 'Greenhouse notes are turned off for texts.';
    if (n.state === 'dismissed') return 'No note in Greenhouse (your admin stopped it).';
    if (n.state !== 'pending' && n.state !== 'stopped') return '';
    if (n.event && n.state === 'pending') return 'Adding the note in Greenhouse…';
    if (n.state === 'pending' && n.retrying !== false) {
      return 'Note not added yet: Greenhouse did not answer. It is retried automatically while Greenhouse is open ' +
        'in Chrome; you can close this tab.';
    }
    if (n.never) {
      return code === 'greenhouse_not_found'
        ? 'Note not added: Greenhouse cannot find this candidate (deleted or merged?). Add the note by hand if you need it.'
        : 'Note not added: Greenhouse refused this note. Add it by hand if you need it.';
    }
    if (code === 'greenhouse_permission' || code === 'greenhouse_auth') {
      return 'Note not added: Greenhouse refused it (your account may not be allowed to add notes). ' +
        'Ask your Greenhouse admin to allow it. It is not retried on its own: once that is fixed, your TextUs ' +
        'admin can add it from this computer. Closing this tab loses nothing.';
    }
    if (code === 'greenhouse_user_not_found') {
      return 'Note not added: Greenhouse does not know your email. Check it in the TextUs settings.';
    }
    return 'Note not added: Greenhouse refused it. ' + ADMIN;
  }

  // ---- the candidate's local time ---------------------------------------------------------

  function localTimeLine(ctx) {
    const line = ctx.el('p', { class: 'textus-local-time' }, 'Their time: checking…');
    let info = null;
    let scheduledFor = null; // once a text is scheduled, the header says so instead of warning
    line.setScheduled = (label) => { scheduledFor = label; paint(); };
    const paint = () => {
      if (!info) return;
      const zones = info.time_zones || [];
      if (!zones.length) {
        line.textContent = "Their time: not known for this number";
        line.dataset.state = 'unknown';
        return;
      }
      const now = new Date();
      const parts = zones.map((z) => `${timeIn(z.zone, now) || clock12(z.local_time)} (${zoneLabel(z.zone)})`);
      line.textContent = `Their time: ${parts.join(' / ')}`;
      line.dataset.zones = zones.map((z) => z.zone).join(' ');
      if (info.quiet_hours !== 'off') {
        const outside = info.allowed === false;
        const hhmm = timeIn(zones[0].zone, now, false, true) || zones[0].local_time;
        const which = lateOrEarly(hhmm, info.quiet_hours) || 'late or early';
        if (outside && scheduledFor) line.textContent += ` · your text is scheduled for ${scheduledFor} their time`;
        else if (outside) line.textContent += ` · too ${which} to text (allowed ${windowWords(info.quiet_hours)})`;
        line.dataset.state = outside ? (scheduledFor ? 'scheduled' : 'quiet') : 'allowed';
      } else {
        line.dataset.state = 'off';
      }
    };
    const refresh = async () => {
      const r = await ctx.host('local_time', { to: ctx.state.phone.e164 });
      if (!r.ok) {
        line.textContent = '';
        line.dataset.state = 'error:' + r.error.code;
        return;
      }
      info = r.result;
      paint();
    };
    refresh();
    // the clock moves on; the window verdict is asked again every few minutes
    const ticks = setInterval(() => {
      if (!line.isConnected) { clearInterval(ticks); return; }
      paint();
    }, 30000);
    const asks = setInterval(() => {
      if (!line.isConnected) { clearInterval(asks); return; }
      refresh();
    }, 300000);
    return line;
  }

  // ---- the template picker ------------------------------------------------------------------

  // A disclosure ("Templates", closed at first: the box keeps its layout) with search and list;
  // picking one puts it in the message box (its merge fields filled by the host; an unknown one
  // stays as written and the box says in words what is missing) and closes the list.
  function templatePicker(ctx, textarea) {
    const wrap = ctx.el('details', { class: 'textus-templates' });
    const summary = ctx.el('summary', {}, 'Templates');
    const search = ctx.el('input', { type: 'search', class: 'textus-template-search', placeholder: 'Search templates',
      'aria-label': 'Search your TextUs templates' });
    const list = ctx.el('div', { class: 'textus-template-list', role: 'listbox',
      'aria-label': 'Your TextUs templates: pick one to put it in the message box' });
    const note = ctx.el('div', { class: 'textus-template-note', role: 'status' });
    wrap.append(summary, search, list, note);

    let seq = 0;
    const clear = () => {
      for (const b of list.querySelectorAll('.textus-template')) b.setAttribute('aria-selected', 'false');
    };
    const pick = (reply) => {
      textarea.value = reply.body;
      textarea.dataset.template = reply.id;
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      for (const b of list.querySelectorAll('.textus-template')) {
        b.setAttribute('aria-selected', String(b.dataset.id === reply.id));
      }
      wrap.open = false;
      textarea.focus();
    };
    const load = async (q) => {
      const mine = ++seq;
      wrap.dataset.state = 'loading';
      const request = { candidate_id: ctx.state.candidateId, profile: { name: ctx.state.profile.name } };
      if (q) request.q = q;
      const r = await ctx.host('saved_replies', request);
      if (mine !== seq) return; // a newer search answered first
      list.textContent = '';
      if (!r.ok) {
        wrap.dataset.state = 'error:' + r.error.code;
        note.textContent = r.error.code === 'textus_user_unknown'
          ? 'Your TextUs templates appear here after your first text.'
          : 'Your TextUs templates could not be loaded right now.';
        return;
      }
      if (ctx.onFields) ctx.onFields(r.result.fields); // the merge fields' values, for the local template
      const replies = r.result.replies || [];
      wrap.dataset.state = 'ready';
      wrap.dataset.count = String(replies.length);
      note.textContent = replies.length ? '' : (q ? 'No template matches.' : 'No saved replies in TextUs yet.');
      for (const reply of replies) {
        const b = ctx.el('button', { type: 'button', class: 'textus-template', role: 'option', 'aria-selected': 'false',
          'data-id': reply.id }, reply.title || '(untitled)');
        b.addEventListener('click', () => pick(reply));
        list.appendChild(b);
      }
    };
    let timer = null;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => load(search.value.trim()), 300);
    });
    wrap.clear = clear;
    load('');
    return wrap;
  }

  // ---- quiet hours: schedule for later, or send anyway -----------------------------------

  // Below the status line: the two ways on after a quiet_hours refusal. The box's Send button
  // is hidden meanwhile (send.hideSend): Schedule is the one primary action.
  function quietActions(ctx, box, error, send) {
    box.querySelectorAll('.textus-quiet-actions').forEach((n) => n.remove());
    const bar = ctx.el('div', { class: 'textus-quiet-actions', role: 'group', 'aria-label': 'Quiet hours' });
    const zone = error.time_zone;
    if (error.next_allowed && zone) {
      // at least two minutes ahead: the host refuses a time less than a minute away
      const at = new Date(Math.max(Date.parse(error.next_allowed), Date.now() + 120000));
      at.setUTCSeconds(0, 0);
      const day = dayWord(zone, at);
      const label = (timeIn(zone, at) || clock12(error.next_local_time)) + (day ? ` ${day}` : '');
      const sched = ctx.el('button', { type: 'button', class: 'textus-btn textus-primary textus-schedule',
        'data-send-at': at.toISOString().replace(/\.\d{3}Z$/, 'Z') }, `Schedule for ${label} their time`);
      sched.addEventListener('click', () => schedule(ctx, box, bar, sched.dataset.sendAt, label, at, send));
      bar.appendChild(sched);
    }
    const anyway = ctx.el('button', { type: 'button',
      class: `textus-btn ${error.next_allowed && zone ? 'textus-secondary' : 'textus-primary'} textus-send-anyway` },
    'Send anyway');
    // a text in their night is sent only when confirmed: the question replaces the two buttons
    anyway.addEventListener('click', () => {
      const keep = [...bar.children];
      for (const k of keep) k.hidden = true;
      const ask = ctx.el('div', { class: 'textus-confirm', role: 'group', 'aria-label': 'Send now?' });
      ask.append(ctx.el('p', { class: 'textus-line textus-confirm-text' }, zone
        ? `Send it now anyway, outside ${send.first ? `${send.first}'s` : 'their'} texting hours? A sent text can't be taken back.`
        : `Send it now anyway, without knowing the time for ${send.first || 'the candidate'}? A sent text can't be taken back.`));
      const yes = ctx.el('button', { type: 'button', class: 'textus-btn textus-primary textus-confirm-send' }, 'Yes, send now');
      const no = ctx.el('button', { type: 'button', class: 'textus-btn textus-secondary textus-confirm-cancel' }, 'Cancel');
      const row = ctx.el('div', { class: 'textus-quiet-actions' });
      row.append(yes, no);
      ask.append(row);
      bar.append(ask);
      yes.addEventListener('click', () => {
        bar.remove();
        send.now({ override_quiet_hours: true });
      });
      no.addEventListener('click', () => {
        ask.remove();
        for (const k of keep) k.hidden = false;
        anyway.focus();
      });
      yes.focus();
    });
    bar.appendChild(anyway);
    send.actions.insertAdjacentElement('beforebegin', bar);
    send.hideSend(true);
    return bar;
  }

  async function schedule(ctx, box, bar, sendAt, label, at, send) {
    for (const b of bar.querySelectorAll('button')) b.disabled = true;
    send.show('scheduling', 'Scheduling…', '', '');
    const r = await ctx.host('schedule_sms', { request_id: send.scheduleId(sendAt), candidate_id: ctx.state.candidateId,
      to: ctx.state.phone.e164, body: send.body(), send_at: sendAt,
      ...(ctx.state.onRecord === false ? { to_unlisted: true } : {}) });
    if (!r.ok) {
      const words = send.words(r.error);
      send.show('refused:' + r.error.code, 'Not scheduled: ' + words.text.replace(/^Not sent: /, ''), words.note, 'bad');
      for (const b of bar.querySelectorAll('button')) b.disabled = false;
      return;
    }
    bar.remove();
    const yours = timeIn(undefined, at);
    const when = `${label} their time${yours ? ` (${yours} your time)` : ''}`;
    send.show('scheduled', `Scheduled for ${when}. It has not been sent yet.`,
      send.noteWords(r.result.note || {}), 'good');
    const status = send.status;
    const msgId = (r.result.message && r.result.message.id) || '';
    status.dataset.messageId = msgId;
    // the thread's bubble says the same, and the header stops warning
    if (send.scheduled && msgId) send.scheduled(msgId, `Scheduled for ${when}`);
    const header = box.querySelector('.textus-local-time');
    if (header && header.setScheduled) header.setScheduled(label);
    status.dataset.scheduledAt = r.result.scheduled_at || '';
    send.done();
  }

  // Attach the aids to a compose box: ctx = {host, state, el, onFields}; the local time goes
  // under `after` (the header's number line), the template picker before the textarea.
  // onFields (optional) gets the saved_replies answer's `fields` (the merge fields' values as
  // the host has them). Returns {picker}.
  function attach(ctx, after, textarea) {
    after.insertAdjacentElement('afterend', localTimeLine(ctx));
    const picker = templatePicker(ctx, textarea);
    (textarea.closest('.textus-foot') || textarea.parentNode).insertBefore(picker,
      textarea.closest('.textus-foot') ? textarea.closest('.textus-foot').firstChild : textarea);
    return { picker };
  }

  const api = { attach, quietActions, timeIn, clock12, windowWords, quietSentence, zoneLabel, ensureStyle,
    sendWords, noteWords, unfilledWords, fieldWord, lateOrEarly };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  root.TextusCompose = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
