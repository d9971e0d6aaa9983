// The compose box's segment counter (extension-stub/sms.js): GSM-7 160/153, UCS-2 70/67, limit 3.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { count } = require(path.join(__dirname, '..', '..', 'extension-stub', 'sms.js'));

test('GSM-7 boundaries', () => {
  assert.deepStrictEqual([count('').segments, count('a'.repeat(160)).segments, count('a'.repeat(161)).segments,
    count('a'.repeat(306)).segments, count('a'.repeat(307)).segments, count('a'.repeat(459)).segments],
  [0, 1, 2, 2, 3, 3]);
  assert.strictEqual(count('a'.repeat(459)).tooLong, false);
  assert.strictEqual(count('a'.repeat(460)).tooLong, true);
  assert.strictEqual(count('é').encoding, 'GSM-7'); // in the default alphabet
});

test('extension characters take two septets', () => {
  const c = count('€'.repeat(80));
  assert.strictEqual(c.encoding, 'GSM-7');
  assert.strictEqual(c.units, 160);
  assert.strictEqual(c.segments, 1);
  assert.strictEqual(count('{'.repeat(81)).segments, 2);
});

test('UCS-2 boundaries, and emoji count as two units', () => {
  assert.strictEqual(count('ł'.repeat(70)).segments, 1);
  assert.strictEqual(count('ł'.repeat(71)).segments, 2);
  assert.strictEqual(count('ł'.repeat(201)).tooLong, false);
  assert.strictEqual(count('ł'.repeat(202)).tooLong, true);
  const e = count('Hi 😀');
  assert.strictEqual(e.encoding, 'UCS-2');
  assert.strictEqual(e.units, 5);
  assert.strictEqual(count('a'.repeat(459) + '😀').tooLong, true);
});

test('another limit', () => {
  assert.strictEqual(count('a'.repeat(161), 1).tooLong, true);
  assert.strictEqual(count('a'.repeat(160), 1).capacity, 160);
});
