// TextUs for Greenhouse (stub) — the compose box's composing aids, kept apart from the box
// itself (content.js): a template picker over the recruiter's TextUs saved replies (search,
// a preview with the merge fields filled and the missing ones highlighted), the candidate's
// local time next to the number, and, when the host refuses a text in the candidate's quiet
// hours, a "Schedule for <next allowed, their time>" button beside "Send anyway".
// Everything goes through the host (saved_replies, local_time, schedule_sms): the time zones
// come from the number, on the host's side.
'use strict';

(function (root) {
  const MUTED = '#5a6b7d';
  const ALERT = '#b3261e';

  // "9:05 PM" (and "Wed" when withDay) at instant `date` in an IANA zone.
  function timeIn(zone, date, withDay) {
    const opts = { timeZone: zone, hour: 'numeric', minute: '2-digit' };
    if (withDay) opts.weekday = 'short';
    try {
      return new Intl.DateTimeFormat('en-US', opts).format(date);
    } catch (e) {
      return null;
    }
  }

  function zoneLabel(zone) {
    return zone.replace(/^.*\//, '').replace(/_/g, ' ');
  }

  // ---- the candidate's local time -----------------------------------------------------

  function localTimeLine(ctx) {
    const line = ctx.el('div', { class: 'textus-local-time', style: `margin:-2px 0 6px;color:${MUTED}` },
      'Their time: checking…');
    let info = null;
    const paint = () => {
      if (!info) return;
      const zones = info.time_zones || [];
      if (!zones.length) {
        line.textContent = 'Their time: not known for this number (quiet hours cannot be checked)';
        line.dataset.state = 'unknown';
        return;
      }
      const now = new Date();
      const parts = zones.map((z) => `${timeIn(z.zone, now) || z.local_time} (${zoneLabel(z.zone)})`);
      line.textContent = `Their time: ${parts.join(' / ')}`;
      line.dataset.zones = zones.map((z) => z.zone).join(' ');
      if (info.quiet_hours !== 'off') {
        const [start, end] = info.quiet_hours.split('-');
        const outside = info.allowed === false;
        line.textContent += outside ? ` · quiet hours (texts ${start}–${end} their time)` : '';
        line.style.color = outside ? ALERT : MUTED;
        line.dataset.state = outside ? 'quiet' : 'allowed';
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

  // ---- the template picker ------------------------------------------------------------

  // The body with the missing fields ({name} left as written) marked, as DOM nodes.
  function previewNodes(ctx, body, missing) {
    const frag = document.createDocumentFragment();
    if (!missing.length) {
      frag.appendChild(document.createTextNode(body));
      return frag;
    }
    const tokens = new Set(missing.map((m) => `{${m}}`));
    // split keeps the {field} tokens (the capture group) between the plain runs
    for (const part of body.split(/(\{[A-Za-z0-9_]{1,64}\})/)) {
      if (!part) continue;
      if (tokens.has(part)) {
        frag.appendChild(ctx.el('mark', { class: 'textus-missing', title: 'not filled: edit it before sending',
          style: 'background:#fde7b0;color:#6b4500;border-radius:3px;padding:0 2px' }, part));
      } else {
        frag.appendChild(document.createTextNode(part));
      }
    }
    return frag;
  }

  function templatePicker(ctx, textarea) {
    const wrap = ctx.el('div', { class: 'textus-templates', style: 'margin:0 0 8px' });
    const search = ctx.el('input', { type: 'search', class: 'textus-template-search', placeholder: 'Search templates',
      'aria-label': 'Search TextUs templates', style: 'width:100%;box-sizing:border-box;padding:4px 6px;margin-bottom:4px' });
    const list = ctx.el('div', { class: 'textus-template-list', role: 'listbox',
      style: 'max-height:110px;overflow:auto;border:1px solid #e1e8f0;border-radius:6px' });
    const note = ctx.el('div', { class: 'textus-template-note', style: `color:${MUTED};margin:4px 0` });
    const preview = ctx.el('div', { class: 'textus-template-preview',
      style: 'display:none;white-space:pre-wrap;background:#f6f9fc;border-radius:6px;padding:6px;margin:4px 0' });
    const use = ctx.el('button', { type: 'button', class: 'textus-template-use', style: ctx.btnStyle + ';margin-left:0;display:none' },
      'Use this template');
    wrap.append(search, list, note, preview, use);

    let chosen = null;
    let seq = 0;
    const show = (reply) => {
      chosen = reply;
      preview.textContent = '';
      preview.appendChild(previewNodes(ctx, reply.body, reply.missing || []));
      preview.style.display = 'block';
      preview.dataset.id = reply.id;
      use.style.display = 'inline-block';
      note.textContent = reply.missing && reply.missing.length
        ? `Not filled: ${reply.missing.map((m) => `{${m}}`).join(', ')} — edit before sending.` : '';
      note.dataset.missing = (reply.missing || []).join(',');
      for (const b of list.querySelectorAll('.textus-template')) {
        b.setAttribute('aria-selected', String(b.dataset.id === reply.id));
        b.style.background = b.dataset.id === reply.id ? '#e3eefb' : '#fff';
      }
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
          ? 'Your TextUs templates appear here after your first text (TextUs has not said yet which user you are).'
          : `Templates unavailable: ${r.error.message || r.error.code}`;
        return;
      }
      if (ctx.onFields) ctx.onFields(r.result.fields); // the merge fields' values, for the local template
      const replies = r.result.replies || [];
      wrap.dataset.state = 'ready';
      wrap.dataset.count = String(replies.length);
      note.textContent = replies.length ? '' : (q ? 'No template matches.' : 'No saved replies in TextUs yet.');
      for (const reply of replies) {
        const b = ctx.el('button', { type: 'button', class: 'textus-template', role: 'option', 'data-id': reply.id,
          style: 'display:block;width:100%;text-align:left;border:0;border-bottom:1px solid #eef2f6;background:#fff;' +
            'padding:4px 6px;cursor:pointer;font:13px/18px system-ui,sans-serif' }, reply.title || '(untitled)');
        b.addEventListener('click', () => show(reply));
        list.appendChild(b);
      }
    };
    let timer = null;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => load(search.value.trim()), 300);
    });
    use.addEventListener('click', () => {
      if (!chosen) return;
      textarea.value = chosen.body;
      textarea.dataset.template = chosen.id;
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      textarea.focus();
    });
    load('');
    return wrap;
  }

  // ---- quiet hours: schedule for later, or send anyway ----------------------------------

  // Below the status line: the two ways on after a quiet_hours refusal.
  function quietActions(ctx, box, error, send) {
    box.querySelectorAll('.textus-quiet-actions').forEach((n) => n.remove());
    const bar = ctx.el('div', { class: 'textus-quiet-actions', style: 'margin:4px 0' });
    const zone = error.time_zone;
    if (error.next_allowed && zone) {
      // at least two minutes ahead: the host refuses a time less than a minute away
      const at = new Date(Math.max(Date.parse(error.next_allowed), Date.now() + 120000));
      at.setUTCSeconds(0, 0);
      const label = timeIn(zone, at, true) || error.next_local_time;
      const sched = ctx.el('button', { type: 'button', class: 'textus-schedule', style: ctx.btnStyle + ';margin-left:0',
        'data-send-at': at.toISOString().replace(/\.\d{3}Z$/, 'Z') }, `Schedule for ${label} their time`);
      sched.addEventListener('click', () => schedule(ctx, box, bar, sched.dataset.sendAt, label, send));
      bar.appendChild(sched);
    }
    const anyway = ctx.el('button', { type: 'button', class: 'textus-send-anyway', style: ctx.btnStyle },
      'Send anyway');
    anyway.addEventListener('click', () => {
      bar.remove();
      send.now({ override_quiet_hours: true });
    });
    bar.appendChild(anyway);
    send.status.insertAdjacentElement('afterend', bar);
    return bar;
  }

  async function schedule(ctx, box, bar, sendAt, label, send) {
    for (const b of bar.querySelectorAll('button')) b.disabled = true;
    const status = send.status;
    status.textContent = 'Scheduling…';
    status.dataset.state = 'scheduling';
    status.style.color = '#1d2733';
    const r = await ctx.host('schedule_sms', { request_id: send.scheduleId(sendAt), candidate_id: ctx.state.candidateId,
      to: ctx.state.phone.e164, body: send.body(), send_at: sendAt });
    if (!r.ok) {
      status.textContent = r.error.message || r.error.code;
      status.dataset.state = 'refused:' + r.error.code;
      status.style.color = ALERT;
      for (const b of bar.querySelectorAll('button')) b.disabled = false;
      return;
    }
    bar.remove();
    const note = r.result.note || {};
    status.textContent = `Scheduled for ${label} their time` +
      (note.state === 'written' ? ' · note added in Greenhouse' : note.state === 'pending' ? ' · Greenhouse note pending'
        : note.state === 'stopped' ? ' · Greenhouse note stopped: it needs a fix' : '');
    status.dataset.state = 'scheduled';
    status.dataset.messageId = (r.result.message && r.result.message.id) || '';
    status.dataset.scheduledAt = r.result.scheduled_at || '';
    send.done('Scheduled');
  }

  // Attach the aids to a compose box: ctx = {host, state, el, btnStyle, onFields}; title and
  // textarea are the box's own elements; onFields (optional) gets the saved_replies answer's
  // `fields` (the merge fields' values as the host has them).
  function attach(ctx, title, textarea) {
    title.insertAdjacentElement('afterend', localTimeLine(ctx));
    textarea.insertAdjacentElement('beforebegin', templatePicker(ctx, textarea));
  }

  const api = { attach, quietActions, timeIn };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  root.TextusCompose = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
