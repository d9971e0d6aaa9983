// TextUs for Greenhouse (stub) — SMS segment counting for the compose box.
// GSM-7 (3GPP TS 23.038 default alphabet; the extension table's characters take two septets):
// one segment holds 160 septets, each part of a longer message 153. Any other character makes
// the whole message UCS-2: 70 UTF-16 units, 67 per part. TextUs's default limit is 3 segments
// (459 GSM-7 characters or 201 UCS-2), the same limit the host enforces (body_too_long).
'use strict';

(function (root) {
  const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  const GSM_EXT = '^{}\\[~]|€\f';
  const basic = new Set(Array.from(GSM_BASIC));
  const ext = new Set(Array.from(GSM_EXT));

  function count(text, limit) {
    const max = limit || 3;
    let septets = 0;
    let gsm = true;
    for (const ch of text) {
      if (basic.has(ch)) septets += 1;
      else if (ext.has(ch)) septets += 2;
      else { gsm = false; break; }
    }
    let encoding, units, single, multi;
    if (gsm) {
      encoding = 'GSM-7'; units = septets; single = 160; multi = 153;
    } else {
      encoding = 'UCS-2'; units = text.length; single = 70; multi = 67; // UTF-16 code units
    }
    const segments = units === 0 ? 0 : (units <= single ? 1 : Math.ceil(units / multi));
    const capacity = max === 1 ? single : max * multi;
    return { encoding, units, segments, limit: max, capacity, remaining: capacity - units,
      tooLong: segments > max };
  }

  const api = { count };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  root.TextusSms = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
