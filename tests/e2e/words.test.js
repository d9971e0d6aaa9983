// The compose box's words without a browser (extension-stub/compose.js): the quiet-hours
// refusal said as a person says it, from the error's structured fields (12-hour times, the
// city, no UTC, no config key), and for every error code the host can answer (host/error.c)
// and every note state, a line a recruiter can act on: no config key, verb or code name,
// command line, UTC or sentence cut mid-word (L.assertHumane).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const L = require('./lib');
const C = require(path.join(L.SRC, 'extension-stub', 'compose.js'));

test('quiet hours: "It\'s 8:32 PM for Jane (Denver): too late to text. Texts are allowed 8 AM–9 PM their time."', () => {
  const said = C.quietSentence({ code: 'quiet_hours', local_time: '20:32', time_zone: 'America/Denver',
    quiet_hours: '08:00-21:00', next_allowed: '2026-12-08T15:00:00Z', next_local_time: '08:00',
    message: 'for the candidate it is 20:32 in America/Denver, outside the hours texts are allowed (08:00-21:00 ' +
      'their time; settings.quiet_hours); nothing was sent (2026-12-08T15:00:00Z): send it anyway (override_quiet_hours)' },
  'Jane');
  // which of the two it is, never "too late or early"
  assert.strictEqual(said, "It's 8:32 PM for Jane (Denver): too late to text. Texts are allowed 8 AM–9 PM their time. " +
    'Nothing was sent yet.');
  assert.match(C.quietSentence({ local_time: '06:10', time_zone: 'America/Denver', quiet_hours: '08:00-21:00' }, 'Jane'),
    /^It's 6:10 AM for Jane \(Denver\): too early to text\./);
  assert.strictEqual(C.lateOrEarly('23:30', '08:00-21:00'), 'late');
  assert.strictEqual(C.lateOrEarly('05:00', '08:00-21:00'), 'early');
  assert.strictEqual(C.lateOrEarly('12:00', '20:00-06:00'), 'late'); // a window across midnight
  L.assertHumane(said, 'the quiet-hours sentence');
  assert.strictEqual(C.clock12('00:05'), '12:05 AM');
  assert.strictEqual(C.clock12('12:00', true), '12 PM');
  assert.strictEqual(C.windowWords('09:30-20:00'), '9:30 AM–8 PM');
  assert.strictEqual(C.zoneLabel('America/Los_Angeles'), 'Los Angeles');
  // a number whose zone is not known: no time to give, and no field name either
  const unknown = C.quietSentence({ code: 'quiet_hours', local_time: null, time_zone: null, next_allowed: null,
    quiet_hours: '08:00-21:00' }, 'Jane');
  assert.match(unknown, /^We can't tell the time zone of this number/);
  L.assertHumane(unknown, 'the unknown-zone sentence');
});

test('every error code the host answers, and the extension\'s own, reads as words with what to do', () => {
  const table = fs.readFileSync(path.join(L.SRC, 'host', 'error.c'), 'utf8');
  const codes = [...table.matchAll(/\[ERR_[A-Z0-9_]+\] = \{"([a-z0-9_]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length > 30, codes.join(' '));
  codes.push('extension_error', 'host_not_installed', 'host_forbidden', 'host_exited', 'host_protocol',
    'host_timeout', 'host_blocked_by_policy');
  const long = 'greenhouse_permission: ' + 'a reason the host cut at 255 bytes, naming settings.quiet_hours and ' +
    'textus-host outbox list, and it ends mid-wo';
  for (const code of codes) {
    if (code === 'ok' || code === 'quiet_hours') continue; // quiet_hours: its own sentence
    const w = C.sendWords({ code, message: long, retryable: false }, 'Jane');
    L.assertHumane(w.text, `${code}: the text line`);
    L.assertHumane(w.note, `${code}: the note line`);
    assert.ok(!w.text.includes('mid-wo'), `${code} shows the host's message`);
  }
  assert.strictEqual(C.sendWords({ code: 'upstream_unavailable' }, 'Jane').retry, true);
  assert.strictEqual(C.sendWords({ code: 'opted_out' }, 'Jane').text, 'Not sent: Jane has opted out of texts.');
});

test('every note state and stop reason reads as words', () => {
  const reasons = ['greenhouse_permission: Greenhouse refused (403 You don\'t have access to that record) th',
    'greenhouse_auth: HTTP 401', 'greenhouse_user_not_found: no user alice@acme.example',
    'greenhouse_not_found: candidate 5 is gone', 'greenhouse_rejected: body too long', 'invalid_config: x'];
  const notes = [{ state: 'written', id: 1 }, { state: 'disabled' }, { state: 'dismissed', reason: reasons[0] },
    { state: 'pending', event: true }, { state: 'pending', retrying: true, retry_at: '2026-12-01T10:00:05Z' }];
  for (const r of reasons) {
    for (const never of [true, false]) notes.push({ state: 'pending', retrying: false, never, reason: r, fix: 'textus-host outbox flush' });
  }
  for (const n of notes) {
    const w = C.noteWords(n);
    assert.ok(w, JSON.stringify(n));
    L.assertHumane(w, `note ${JSON.stringify(n)}`);
  }
  assert.strictEqual(C.noteWords({ state: 'written' }), 'Note added in Greenhouse.');
});

test('unfilled merge fields are said in words, never as {field}', () => {
  assert.strictEqual(C.unfilledWords(['job_title']), "The job title isn't known");
  assert.strictEqual(C.unfilledWords(['recruiter_first_name', 'team']), "Your first name and the team aren't known");
  for (const n of ['first_name', 'last_name', 'full_name', 'recruiter_first_name', 'recruiter_name', 'job_title', 'x_y_z']) {
    const w = C.unfilledWords([n]);
    assert.ok(!/[{}_]/.test(w), w);
    L.assertHumane(`${w}.`, `the unfilled words for ${n}`);
  }
});

test('a note refused or late says whether it comes back on its own and whether the tab must stay open', () => {
  const refused = C.noteWords({ state: 'stopped', retrying: false, reason: 'greenhouse_permission: 403' });
  assert.match(refused, /It is not retried on its own/);
  assert.match(refused, /Closing this tab loses nothing\.$/);
  const late = C.noteWords({ state: 'pending', retrying: true });
  assert.match(late, /retried automatically while Greenhouse is open in Chrome; you can close this tab\.$/);
});
