// POST /api/v1/identifiers/validate: verdicts with every reason and what a
// value encodes, named from the real Jinhua region tree, on the server's
// injected clock; bad bodies refused naming the field; and a cross-check of
// the ID-number verdicts against the npm package id-validator on a few
// hundred numbers from a fixed-seed generator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startFazhi, T0 } from '../lib/fazhi.mjs';

const require = createRequire(import.meta.url);
const IDValidator = require('id-validator');
const GB2260 = require('id-validator/src/GB2260.js');

let h, grid, districts;
before(async () => {
  h = await startFazhi();
  grid = await h.login('grid.330702001');
  const leader = await h.login('leader.330700'); // the grid worker sees only his township
  const city = await h.api('GET', '/api/v1/regions/330700', { token: leader });
  assert.equal(city.status, 200, city.text);
  districts = city.json.children.map((c) => ({ code: c.code, name: c.name }));
  assert.equal(districts.length, 9);
});
after(async () => { await h.stop(); });

const validate = (kind, value, token = grid) =>
  h.api('POST', '/api/v1/identifiers/validate', { token, body: { kind, value } });

// GB 11643: weights 2^(17-i) mod 11, check characters by sum mod 11
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChar = (body17) => '10X98765432'[[...body17].reduce((s, c, i) => s + Number(c) * W[i], 0) % 11];
const withCheck = (body17) => body17 + checkChar(body17);

test('a valid ID number: region named from the tree, birth date, sex and age on the server clock', async () => {
  // 义乌市 330782, born 1990-03-07 (today is 2026-03-02 in the harness), 17th digit 3: a man
  const r = await validate('id_number', ' 330782199003071235 ');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, {
    kind: 'id_number',
    value: '330782199003071235',
    valid: true,
    reasons: [],
    encodes: {
      region: { code: '330782', name: '浙江省金华市义乌市', known: true },
      birth_date: '1990-03-07', sex: 'male', sex_name: '男', age: 35, legacy: false, id18: null,
    },
    masked: '3307**********1235',
  });
  // five days later he is 36: the age follows the injected clock, not the wall clock
  // (sessions last hours: sign in again on either side of the jump)
  h.setNow(T0 + 5 * 86400000);
  const later = await validate('id_number', '330782199003071235', await h.login('grid.330702001'));
  assert.equal(later.json.encodes.age, 36);
  h.setNow(T0);
  grid = await h.login('grid.330702001');
});

test('an invalid ID number gives every reason, naming the bad part and the expected form', async () => {
  // 1999-02-29 does not exist and the check character should be X, written 1
  const r = await validate('id_number', '330702199902291231');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, false);
  assert.deepEqual(r.json.reasons, [
    { code: 'birth_date.invalid', message: '出生日期 19990229 不存在：1999 年不是闰年，2 月只有 28 天' },
    { code: 'check_digit.mismatch', message: '校验码为 1，应为 X' },
  ]);
  assert.equal(r.json.encodes.birth_date, null);
  assert.equal(r.json.encodes.region.name, '浙江省金华市婺城区', 'what is readable is still read');
  // a 15-digit number and its 18-digit form
  const old = await validate('id_number', '330702900307123');
  assert.equal(old.json.valid, true);
  assert.equal(old.json.encodes.legacy, true);
  assert.equal(old.json.encodes.id18, '330702199003071233');
  assert.equal((await validate('id_number', old.json.encodes.id18)).json.valid, true);
  // born after today
  const future = await validate('id_number', withCheck('33070220260303123'));
  assert.deepEqual(future.json.reasons, [
    { code: 'birth_date.future', message: '出生日期 2026-03-03 晚于今天（2026-03-02）' },
  ]);
});

test('credit codes, plates and mobile numbers', async () => {
  let r = await validate('uscc', '91330702MA28D1XK5W');
  assert.equal(r.json.valid, true, r.text);
  assert.deepEqual(r.json.encodes, {
    authority: { code: '9', name: '工商（市场监督管理）' },
    type: { code: '1', name: '企业' },
    region: { code: '330702', name: '浙江省金华市婺城区', known: true },
    organization_code: 'MA28D1XK-5',
  });
  assert.equal(r.json.masked, '91330702********5W');
  r = await validate('uscc', '91330702MA28D1XK5X');
  assert.deepEqual(r.json.reasons, [{ code: 'check_digit.mismatch', message: '校验码为 X，应为 W' }]);

  r = await validate('plate', '浙g·d12345');
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.value, '浙GD12345');
  assert.deepEqual(r.json.encodes, {
    province: '浙', province_name: '浙江省', letter: 'G', issuer: '金华市',
    new_energy: true, size: 'small', power: 'electric', use: null,
  });
  assert.equal(r.json.masked, '浙G****45');
  r = await validate('plate', '浙G12345F');
  assert.equal(r.json.encodes.size, 'large');
  assert.equal(r.json.encodes.power, 'non_electric');
  r = await validate('plate', '浙G1234挂');
  assert.equal(r.json.encodes.use, 'trailer');
  r = await validate('plate', '浙O1I345');
  assert.deepEqual(r.json.reasons.map((x) => x.code), ['authority.letter', 'serial.characters']);
  assert.match(r.json.reasons[1].message, /第 4 位“I”无效：号牌不使用字母 I 和 O/);

  r = await validate('mobile', '+86 138 0000 1234');
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.value, '13800001234');
  assert.deepEqual(r.json.encodes, {});
  assert.equal(r.json.masked, '138****1234');
  r = await validate('mobile', '1280000123');
  assert.deepEqual(r.json.reasons.map((x) => x.code), ['value.length', 'prefix.unknown']);
});

test('a value past 64 bytes is a verdict with the reason value.too_long', async () => {
  const r = await validate('mobile', '1'.repeat(65));
  assert.equal(r.status, 200);
  assert.equal(r.json.value, '');
  assert.deepEqual(r.json.reasons, [{ code: 'value.too_long', message: '长度为 65 字节，超过上限 64 字节' }]);
});

test('bad bodies get a 400 naming the field; signing in is required', async () => {
  const post = (body) => h.api('POST', '/api/v1/identifiers/validate', { token: grid, body });
  let r = await post({ value: '13800001234' });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'missing_field');
  assert.equal(r.json.field, 'kind');
  r = await post({ kind: 'passport', value: 'E12345678' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'kind');
  assert.match(r.json.detail, /passport.*id_number/);
  r = await post({ kind: 'mobile', value: 13800001234 });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'value');
  r = await post({ kind: 'mobile', value: '13800001234', unmask: true });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'unknown_field');
  r = await h.api('POST', '/api/v1/identifiers/validate', { body: { kind: 'mobile', value: '13800001234' } });
  assert.equal(r.status, 401);
});

test('validating stores nothing and is not audited', async () => {
  const auditor = await h.login('auditor.330700');
  const latest = async () => (await h.api('GET', '/api/v1/audit?limit=1', { token: auditor })).json.items[0].seq;
  const before = await latest();
  for (const v of ['330782199003071235', '330702199902291231']) await validate('id_number', v);
  assert.equal(await latest(), before);
});

// ---- cross-check with id-validator ----

// mulberry32: a small fixed-seed generator, so that every run checks the same numbers
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pad = (n, w) => String(n).padStart(w, '0');
const TODAY = Date.UTC(2026, 2, 2); // the harness's T0 as a Shanghai date

function generate(seed, count) {
  const rand = rng(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (a) => a[int(0, a.length - 1)];
  const birth = (from, to) => {
    const d = new Date(from + Math.floor(rand() * (to - from)));
    return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
  };
  const valid18 = () => withCheck(pick(districts).code + birth(Date.UTC(1900, 0, 1), TODAY) + pad(int(0, 999), 3));
  const cases = [];
  for (let i = 0; i < count; i++) {
    const v = valid18();
    const body = v.slice(0, 17);
    switch (i % 10) {
      case 0: case 1: case 2: cases.push(['valid', v]); break;
      case 3: // 15 digits, born in the 1900s
        cases.push(['legacy', pick(districts).code + birth(Date.UTC(1900, 0, 1), Date.UTC(1999, 11, 31)).slice(2) + pad(int(0, 999), 3)]);
        break;
      case 4: { // another check character
        const wrong = '0123456789X'.replace(v[17], '');
        cases.push(['check', body + wrong[int(0, wrong.length - 1)]]);
        break;
      }
      case 5: { // two adjacent digits swapped (MOD 11-2 catches every transposition)
        const k = int(0, 15);
        const s = [...v];
        [s[k], s[k + 1]] = [s[k + 1], s[k]];
        cases.push(['swap', s.join('')]);
        break;
      }
      case 6: { // a month or a day that no calendar has, with a right check character
        const mm = pick(['00', '13', '19', '42', '99']);
        const dd = pick(['00', '32', '45', '99']);
        cases.push(['date', withCheck(int(0, 1) ? body.slice(0, 10) + mm + body.slice(12) : body.slice(0, 12) + dd + body.slice(14))]);
        break;
      }
      case 7: // a digit too few or too many
        cases.push(['length', int(0, 1) ? v.slice(0, 17) : v + String(int(0, 9))]);
        break;
      case 8: { // a letter in the body, or a province code that GB/T 2260 lacks
        const k = int(0, 16);
        cases.push(int(0, 1) ? ['letter', v.slice(0, k) + pick(['A', 'Z', 'O']) + v.slice(k + 1)]
          : ['province', withCheck(pick(['00', '10', '20', '39', '66', '99']) + body.slice(2))]);
        break;
      }
      default: // the check character X written in lower case
        cases.push(['lower', v.replace(/X$/, 'x')]);
    }
  }
  return cases;
}

test('fazhi and id-validator agree on 400 generated ID numbers', async () => {
  const theirs = new IDValidator(GB2260);
  const cases = generate(20260302, 400);
  const kinds = {};
  let agreed = 0;
  for (const [kind, v] of cases) {
    const r = await validate('id_number', v);
    assert.equal(r.status, 200, r.text);
    const ok = theirs.isValid(v);
    assert.equal(r.json.valid, ok, `${kind} ${v}: fazhi ${r.json.valid} (${JSON.stringify(r.json.reasons)}), id-validator ${ok}`);
    if (ok) {
      const info = theirs.getInfo(v);
      assert.equal(r.json.encodes.region.code, info.addrCode, v);
      assert.equal(r.json.encodes.birth_date, info.birth, v);
      assert.equal(r.json.encodes.sex, info.sex === 1 ? 'male' : 'female', v);
      if (info.length === 15) assert.equal(r.json.encodes.id18.length, 18);
    }
    kinds[kind] = (kinds[kind] || 0) + 1;
    agreed += 1;
  }
  assert.equal(agreed, 400);
  // the generator exercised every class, valid and invalid
  assert.deepEqual(Object.keys(kinds).sort(), ['check', 'date', 'legacy', 'length', 'letter', 'lower', 'province', 'swap', 'valid']);
  const verdicts = await Promise.all(cases.slice(0, 40).map(([, v]) => validate('id_number', v)));
  assert.ok(verdicts.some((r) => r.json.valid) && verdicts.some((r) => !r.json.valid));
});

// Where the two differ by design, each difference is asserted, so that a
// change on either side shows up here.
test('documented differences: id-validator checks neither real dates nor today, and lacks 81-83', async () => {
  const theirs = new IDValidator(GB2260);
  const differ = [
    // id-validator only checks month 1-12 and day 1-31
    [withCheck('33070219990229123'), 'birth_date.invalid'],
    [withCheck('33070219900230123'), 'birth_date.invalid'],
    [withCheck('33078219850431123'), 'birth_date.invalid'],
    // nor whether the date has come yet, nor a year before 1900
    [withCheck('33070220300101123'), 'birth_date.future'],
    [withCheck('33070218991231123'), 'birth_date.too_early'],
  ];
  for (const [v, code] of differ) {
    assert.equal(theirs.isValid(v), true, v);
    const r = await validate('id_number', v);
    assert.deepEqual(r.json.reasons.map((x) => x.code), [code], v);
  }
  // residence permits of Hong Kong, Macao and Taiwan residents (810000, 820000, 830000)
  for (const v of ['81000019900307123', '82000019900307123', '83000019900307123'].map(withCheck)) {
    assert.equal(theirs.isValid(v), false, v);
    assert.equal((await validate('id_number', v)).json.valid, true, v);
  }
  // its table predates 金东区 (330703, 2000): valid there as "未知地区"
  const jd = withCheck('33070319800101004');
  assert.equal(theirs.getInfo(jd).addr, '浙江省金华市未知地区');
  assert.deepEqual((await validate('id_number', jd)).json.encodes.region,
    { code: '330703', name: '浙江省金华市金东区', known: true });
});
