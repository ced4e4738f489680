// End-to-end test of the kiosk page and the desk page in headless Chromium
// (Debian's `chromium` package, driven by playwright-core; no browser is
// ever downloaded), against `voter-lookup demo` servers this script starts
// on 127.0.0.1 and stops.
//
// - Kiosk: a voter found from a misspelled surname and a birth date entered
//   by touch (right station and order number); not found; several voters
//   (true homonyms of the demo roll); busy (a server whose concurrency limit
//   is 1, kept full by a bounded flood of staff searches), with its
//   countdown from Retry-After and the retry that then finds the voter; the
//   page clearing itself after inactivity and after an answer was shown.
// - Desk: a voter found from a misspelled name typed with a desk date, the
//   match explanation read, the keyboard (arrows, Escape).
// - The météo report: `voter-lookup weather --format html` against the
//   main server after the kiosk and desk searches, opened from its file:
//   the verdict and a light per check, its three charts drawn, nothing
//   fetched, no console error.
// - axe-core on every state: no serious or critical violation.
// - A screenshot of each state under target/screenshots/ (SCREENSHOT_DIR).
//
// Run: `npm ci && node --test pages.test.mjs` in tests/browser, after
// `cargo build -p voter-lookup -p index-builder` (VOTER_LOOKUP_BIN and
// INDEX_BUILDER_BIN override the binaries, CHROMIUM the browser).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const TARGET = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target');
const SERVER_BIN = process.env.VOTER_LOOKUP_BIN || path.join(TARGET, 'debug', 'voter-lookup');
const BUILDER_BIN = process.env.INDEX_BUILDER_BIN || path.join(TARGET, 'debug', 'index-builder');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(process.env.SCREENSHOT_DIR || path.join(ROOT, 'target', 'screenshots'));

const VOTERS = 20000;
const SEED = 42;
const DESK_KEY = 'e2e-desk-key-0001';
/** The main server's kiosk timers: short, so that the test sees them. */
const IDLE_RESET_SECONDS = 5;
const ANSWER_SHOWN_SECONDS = 12;
/** Chromium on this closed network: nothing fetched, nothing synced. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** What axe checks: WCAG 2.x A and AA, and its best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

const started = [];
let scratch;
let main;
let busy;
let context;
let roll;

// ---- servers -----------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `voter-lookup demo` with `extra` flags; resolves to its HTTP base URL. */
async function startDemo(name, extra) {
  const grpcPort = await freePort();
  const args = [
    'demo', '--voters', String(VOTERS), '--seed', String(SEED),
    '--http', '127.0.0.1:0', '--grpc', `127.0.0.1:${grpcPort}`,
    '--log-format', 'json', '--api-key', `${DESK_KEY}:staff`,
    ...extra,
  ];
  const child = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name}: no address within 90 s\n${out}\n${stderr}`)), 90000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = out.match(/HTTP\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}\n${out}\n${stderr}`));
    });
  });
  child.stdout.resume();
  return { name, base, child };
}

async function stopAll() {
  await Promise.all(started.map((child) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  })));
}

/** One search through the API, as the pages make it. */
async function apiSearch(server, body, key) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) {
    headers['X-Api-Key'] = key;
  }
  const response = await fetch(`${server.base}/v1/search`, {
    method: 'POST', headers, body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

// ---- the demo roll -------------------------------------------------------------

/** The rows of a `;`-separated, `"`-quoted REU export. */
function parseRoll(text) {
  const lines = text.split(/\r?\n/).filter((line) => line.length);
  const split = (line) => {
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (c === '"') {
          quoted = false;
        } else {
          cell += c;
        }
      } else if (c === '"') {
        quoted = true;
      } else if (c === ';') {
        cells.push(cell);
        cell = '';
      } else {
        cell += c;
      }
    }
    cells.push(cell);
    return cells;
  };
  const header = split(lines[0]);
  const column = (name) => {
    const at = header.indexOf(name);
    assert.ok(at >= 0, `the roll has a column ${name}`);
    return at;
  };
  const cols = {
    list: column('libellé du type de liste'),
    surname: column('nom de naissance'),
    usage: column("nom d'usage"),
    given: column('prénoms'),
    date: column('date de naissance'),
    station: column('code du bureau de vote'),
    commune: column("libellé de l'ugle"),
    order: column("numéro d'ordre dans le bureau de vote"),
  };
  return lines.slice(1).map((line) => {
    const cells = split(line);
    const [day, month, year] = (cells[cols.date] || '').split('/');
    return {
      list: cells[cols.list],
      surname: cells[cols.surname],
      usage: cells[cols.usage],
      given: cells[cols.given],
      firstGiven: (cells[cols.given] || '').split(' ')[0],
      day, month, year,
      iso: year && year.length === 4 ? `${year}-${month}-${day}` : '',
      station: cells[cols.station],
      commune: cells[cols.commune],
      order: Number(cells[cols.order]),
    };
  });
}

/** What an on-screen keyboard without accents lets a voter type. */
function unaccented(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase();
}

/** `surname` with one letter in its middle changed: a typo. */
function misspell(surname) {
  const at = Math.floor(surname.length / 2);
  const replaced = surname[at] === 'E' ? 'A' : 'E';
  return surname.slice(0, at) + replaced + surname.slice(at + 1);
}

/** A voter the kiosk view finds from a misspelled surname (checked through the API). */
async function pickFoundVoter(rows) {
  const born = new Map();
  for (const row of rows) {
    const key = `${row.surname}|${row.iso}`;
    born.set(key, (born.get(key) || 0) + 1);
  }
  const candidates = rows.filter((row) => row.list === 'Liste principale'
    && !row.usage && /^[A-Z]{7,12}$/.test(row.surname)
    && /^[A-Za-zÀ-ÿ]{4,}$/.test(row.firstGiven) && row.iso
    && born.get(`${row.surname}|${row.iso}`) === 1);
  // Prefer a given name with an accent, which the keyboard cannot type.
  candidates.sort((a, b) => Number(unaccented(b.firstGiven) !== b.firstGiven.toUpperCase())
    - Number(unaccented(a.firstGiven) !== a.firstGiven.toUpperCase()));
  for (const row of candidates.slice(0, 30)) {
    const typed = { surname: misspell(row.surname), given: unaccented(row.firstGiven) };
    const answer = await apiSearch(main, {
      q: `${typed.surname} ${typed.given}`, birth_date: row.iso, view: 'kiosk',
    });
    if (answer.status === 200 && answer.body.outcome === 'found'
      && answer.body.station.code === row.station && answer.body.order_number === row.order) {
      return { ...row, typed };
    }
  }
  throw new Error('no voter of the demo roll is found from a misspelled surname');
}

/** True homonyms of the demo roll: the kiosk answers `several`. */
async function pickHomonyms(rows) {
  const groups = new Map();
  for (const row of rows.filter((r) => r.list === 'Liste principale' && r.iso && /^[A-Z]+$/.test(r.surname))) {
    const key = `${row.surname}|${row.given}|${row.iso}`;
    groups.set(key, [...(groups.get(key) || []), row]);
  }
  for (const group of groups.values()) {
    if (group.length < 2 || !/^[A-Za-zÀ-ÿ]+$/.test(group[0].firstGiven)) {
      continue;
    }
    const row = group[0];
    const typed = { surname: row.surname, given: unaccented(row.firstGiven) };
    const answer = await apiSearch(main, {
      q: `${typed.surname} ${typed.given}`, birth_date: row.iso, view: 'kiosk',
    });
    if (answer.status === 200 && answer.body.outcome === 'several') {
      return { ...row, typed };
    }
  }
  throw new Error('no true homonyms in the demo roll');
}

// ---- the browser -----------------------------------------------------------------

async function axe(page, state) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const grave = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of results.violations) {
    if (!grave.includes(v)) {
      console.log(`# axe (${state}, ${v.impact}): ${v.id}: ${v.help}`);
    }
  }
  assert.deepEqual(
    grave.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe finds serious or critical violations in state ${state}`,
  );
}

async function shoot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function kioskPage(server) {
  const page = await context.newPage();
  page.on('pageerror', (error) => assert.fail(`the kiosk page threw: ${error.message}`));
  await page.goto(`${server.base}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  return page;
}

/** Taps `text` on the kiosk's on-screen keyboard, letter by letter. */
async function tapLetters(page, text) {
  const keyboard = page.locator('#letters');
  for (const letter of text) {
    const name = letter === ' ' ? 'Espace' : letter;
    await keyboard.getByRole('button', { name, exact: true }).tap();
  }
}

async function tapDigits(page, digits) {
  const keypad = page.locator('#digits');
  for (const digit of digits) {
    await keypad.getByRole('button', { name: digit, exact: true }).tap();
  }
}

/** A whole kiosk search by touch; resolves when an outcome is shown. */
async function kioskSearch(page, voter, waitFor) {
  await tapLetters(page, voter.typed.surname);
  assert.equal(await page.locator('#surname').inputValue(), voter.typed.surname);
  await page.getByRole('button', { name: 'Suivant' }).tap();
  await tapLetters(page, voter.typed.given);
  await page.getByRole('button', { name: 'Suivant' }).tap();
  await tapDigits(page, `${voter.day}${voter.month}${voter.year}`);
  assert.equal(await page.locator('#day').inputValue(), voter.day);
  assert.equal(await page.locator('#month').inputValue(), voter.month);
  assert.equal(await page.locator('#year').inputValue(), voter.year);
  await page.getByRole('button', { name: 'Rechercher' }).tap();
  const states = waitFor.split('|').map((state) => `#outcome[data-state="${state}"]`).join(', ');
  await page.locator(states).first().waitFor({ timeout: 20000 });
}

/** The kiosk is back at its start, everything forgotten. */
async function assertAtStart(page) {
  await assert.doesNotReject(page.locator('#step-surname').waitFor({ state: 'visible' }));
  assert.equal(await page.locator('#outcome').isHidden(), true);
  for (const id of ['surname', 'given', 'day', 'month', 'year']) {
    assert.equal(await page.locator(`#${id}`).inputValue(), '', `#${id} is cleared`);
  }
  assert.equal(await page.locator('#answer').textContent(), '');
}

// ---- the test --------------------------------------------------------------------

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'voter-lookup-pages-'));
  const rollFile = path.join(scratch, 'roll.csv');
  // The demo's roll, written by the same generator from the same seed.
  execFileSync(BUILDER_BIN, ['generate', '--voters', String(VOTERS), '--seed', String(SEED), '--roll', rollFile]);
  roll = parseRoll(readFileSync(rollFile, 'utf8'));
  [main, busy] = await Promise.all([
    startDemo('main', [
      '--kiosk-reset-seconds', String(IDLE_RESET_SECONDS),
      '--kiosk-answer-seconds', String(ANSWER_SHOWN_SECONDS),
    ]),
    // One search at a time and no queue: a search in flight refuses the
    // next one (503 overloaded, Retry-After).
    startDemo('busy', ['--max-concurrency', '1', '--queue-capacity', '0', '--staff-reserve-percent', '0']),
  ]);
  context = await chromium.launchPersistentContext(path.join(scratch, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    hasTouch: true,
    locale: 'fr-FR',
    viewport: { width: 1024, height: 1280 },
  });
});

after(async () => {
  if (context) {
    await context.close();
  }
  await stopAll();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('the kiosk finds a voter from a misspelled surname and a birth date entered by touch', { timeout: 120000 }, async () => {
  const voter = await pickFoundVoter(roll);
  const page = await kioskPage(main);
  await axe(page, 'kiosk start');
  await shoot(page, 'kiosk-start');
  const requests = [];
  page.on('request', (request) => requests.push(request));
  const history = await page.evaluate(() => window.history.length);
  await kioskSearch(page, voter, 'found');
  const answer = page.locator('#answer');
  assert.equal(await answer.locator('.station-code').textContent(), `Bureau n° ${voter.station}`);
  assert.equal(await answer.locator('.order-number').textContent(), String(voter.order));
  assert.match(await answer.textContent(), new RegExp(voter.surname));
  // Only the kiosk view was asked, by POST: nothing of the voter in a URL.
  const searches = requests.filter((r) => r.url().includes('/v1/search'));
  assert.equal(searches.length, 1);
  assert.equal(searches[0].method(), 'POST');
  assert.equal(new URL(searches[0].url()).search, '');
  assert.equal(JSON.parse(searches[0].postData()).view, 'kiosk');
  assert.equal(await page.evaluate(() => window.history.length), history, 'no history entry');
  assert.equal(await page.evaluate(() => window.localStorage.length + window.sessionStorage.length), 0);
  await axe(page, 'kiosk found');
  await shoot(page, 'kiosk-found');
  // Left alone, the answer clears itself.
  await page.locator('#outcome').waitFor({ state: 'hidden', timeout: (ANSWER_SHOWN_SECONDS + 3) * 1000 });
  await assertAtStart(page);
  await page.close();
});

test('the kiosk says when nobody fits, with what to try', { timeout: 60000 }, async () => {
  const page = await kioskPage(main);
  const nobody = { typed: { surname: 'ZYXWVUTQ', given: 'PLOUF' }, day: '01', month: '02', year: '1950' };
  await kioskSearch(page, nobody, 'not_found');
  const text = await page.locator('#answer').textContent();
  assert.match(text, /nom de naissance/);
  assert.match(text, /carte électorale/);
  assert.match(text, /agent/);
  assert.equal(await page.getByRole('button', { name: 'Corriger ma saisie' }).isVisible(), true);
  await axe(page, 'kiosk not found');
  await shoot(page, 'kiosk-not-found');
  await page.close();
});

test('the kiosk sends voters who share a name and a birth date to the staff', { timeout: 60000 }, async () => {
  const homonyms = await pickHomonyms(roll);
  const page = await kioskPage(main);
  await kioskSearch(page, homonyms, 'several');
  const text = await page.locator('#answer').textContent();
  assert.match(text, /Plusieurs électeurs/);
  assert.match(text, /agent/);
  // Nothing about who they are.
  assert.doesNotMatch(text, /Bureau n°|numéro d'ordre/);
  assert.equal(await page.locator('#answer .station').count(), 0);
  await axe(page, 'kiosk several');
  await shoot(page, 'kiosk-several');
  await page.close();
});

test('the kiosk clears itself after inactivity', { timeout: 60000 }, async () => {
  const page = await kioskPage(main);
  await tapLetters(page, 'DUP');
  await page.getByRole('button', { name: 'Effacer la dernière lettre' }).tap();
  assert.equal(await page.locator('#surname').inputValue(), 'DU');
  await tapLetters(page, 'RAND');
  await page.getByRole('button', { name: 'Suivant' }).tap();
  await tapLetters(page, 'ANNE');
  assert.equal(await page.locator('#given').inputValue(), 'ANNE');
  const left = Date.now();
  await page.locator('#step-surname').waitFor({ state: 'visible', timeout: (IDLE_RESET_SECONDS + 5) * 1000 });
  const waited = (Date.now() - left) / 1000;
  assert.ok(waited >= IDLE_RESET_SECONDS - 1, `cleared after ${waited} s, not before the timeout`);
  await assertAtStart(page);
  await axe(page, 'kiosk reset');
  await page.close();
});

test('the kiosk counts down when the service is busy, then retries', { timeout: 120000 }, async () => {
  const voter = await pickFoundVoter(roll);
  const page = await kioskPage(busy);
  const refusals = [];
  page.on('response', async (response) => {
    if (response.url().endsWith('/v1/search') && response.status() !== 200) {
      refusals.push({ status: response.status(), retryAfter: response.headers()['retry-after'] });
    }
  });
  // Keep the server's one search slot full with costly staff searches:
  // bounded in number and time, stopped once the kiosk has been refused.
  let flooding = true;
  const deadline = Date.now() + 60000;
  const costly = 'XQWBZ KVRTPL ZMNOPQ WYXKJT BRZDFG QWERTZ HJKLMN';
  const flooder = async () => {
    let sent = 0;
    while (flooding && Date.now() < deadline && sent < 5000) {
      sent += 1;
      try {
        await apiSearch(busy, { q: costly, limit: 50 }, DESK_KEY);
      } catch (error) {
        // A refused or reset connection is part of being busy.
      }
    }
  };
  const flood = Promise.all(Array.from({ length: 16 }, flooder));
  let attempts = 0;
  try {
    // A search can still slip between two of the flood's: try again then.
    for (;;) {
      attempts += 1;
      await kioskSearch(page, voter, 'busy|found');
      if (await page.locator('#outcome[data-state="busy"]').count() === 1 || attempts === 8) {
        break;
      }
      await page.getByRole('button', { name: 'Terminer' }).tap();
    }
  } finally {
    // The countdown is on screen: the slot frees for the retry.
    flooding = false;
  }
  assert.equal(await page.locator('#outcome').getAttribute('data-state'), 'busy', `refused within ${attempts} searches`);
  assert.ok(refusals.length >= 1, 'the kiosk was refused');
  assert.ok([429, 503].includes(refusals[0].status), `refused with ${refusals[0].status}`);
  const retryAfter = Number(refusals[0].retryAfter);
  console.log(`# busy: refused ${refusals[0].status} (Retry-After ${refusals[0].retryAfter}) at search ${attempts}`);
  assert.ok(retryAfter >= 1, `Retry-After ${refusals[0].retryAfter}`);
  assert.match(await page.locator('#answer').textContent(), /très demandé/);
  const countdown = await page.locator('#countdown').textContent();
  assert.match(countdown, /Nouvel essai dans \d+ seconde/);
  // From Retry-After, but never sooner than 5 s (MIN_RETRY_SECONDS).
  const shown = Number(countdown.match(/\d+/)[0]);
  assert.ok(shown >= 1 && shown <= Math.max(retryAfter, 5), `${countdown} (Retry-After ${retryAfter})`);
  await shoot(page, 'kiosk-busy');
  await axe(page, 'kiosk busy');
  await flood;
  // The retry comes by itself and finds the voter.
  await page.locator('#outcome[data-state="found"]').waitFor({ timeout: (retryAfter + 30) * 1000 });
  assert.equal(await page.locator('#answer .order-number').textContent(), String(voter.order));
  await page.close();
});

test('the kiosk says when the service is not ready yet, then retries by itself', { timeout: 60000 }, async () => {
  const voter = await pickFoundVoter(roll);
  const page = await kioskPage(main);
  // A server answers this way until its first index is loaded (the body
  // and headers tests/openapi.rs checks on a server with no index); the
  // first search meets it, the retry reaches the real server.
  let refused = 0;
  await page.route('**/v1/search', async (route) => {
    if (refused === 0) {
      refused += 1;
      await route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '1', 'cache-control': 'no-store' },
        body: JSON.stringify({ error: { code: 'index_not_ready', message: 'no index is loaded yet' } }),
      });
    } else {
      await route.continue();
    }
  });
  await kioskSearch(page, voter, 'not_ready');
  assert.match(await page.locator('#answer').textContent(), /pas encore prêt/);
  assert.match(await page.locator('#countdown').textContent(), /Nouvel essai dans \d+ seconde/);
  await axe(page, 'kiosk not ready');
  await shoot(page, 'kiosk-not-ready');
  await page.locator('#outcome[data-state="found"]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#answer .order-number').textContent(), String(voter.order));
  assert.equal(refused, 1);
  await page.close();
});

test('the desk finds a voter from a misspelled name and explains the match', { timeout: 60000 }, async () => {
  const voter = await pickFoundVoter(roll);
  const page = await context.newPage();
  page.on('pageerror', (error) => assert.fail(`the desk page threw: ${error.message}`));
  await page.goto(`${main.base}/desk`);
  await page.locator('body[data-ready="true"]').waitFor();
  await axe(page, 'desk key');
  await page.getByLabel("Clé d'accès").fill(DESK_KEY);
  await page.keyboard.press('Enter');
  const query = page.getByLabel('Nom, prénoms, date de naissance');
  await query.waitFor();
  assert.equal(await page.evaluate(() => window.localStorage.length), 0, 'the key is not kept beyond the session');
  assert.equal(await page.evaluate(() => window.sessionStorage.getItem('voter-lookup.desk-key')), DESK_KEY);
  // What staff type: given name first, lower case, the date in a desk form.
  await query.fill(`${voter.firstGiven.toLowerCase()} ${voter.typed.surname.toLowerCase()} ${voter.day}/${voter.month}/${voter.year}`);
  await query.press('Enter');
  await page.locator('body[data-state="results"]').waitFor({ timeout: 20000 });
  const first = page.locator('#results li.result').first();
  assert.match(await first.locator('.station dd').textContent(), new RegExp(`^${voter.station} `));
  assert.equal(await first.locator('.order dd').textContent(), String(voter.order));
  // Station codes repeat from commune to commune: the desk names it.
  assert.equal(await first.locator('.commune dd').textContent(), voter.commune);
  const why = await first.locator('.why').textContent();
  // The misspelled surname, read as the voter's own, and how.
  assert.match(why, new RegExp(`« ${voter.typed.surname} » → nom de naissance « ${voter.surname} » \\((faute de frappe|même son|début du mot)\\)`, 'i'));
  assert.match(why, /date de naissance/);
  assert.match(await first.locator('.confidence dd').textContent(), /certaine|forte|faible/);
  assert.match(await page.locator('#status').textContent(), /résultat/);
  await axe(page, 'desk results');
  await shoot(page, 'desk-results');
  // Arrows move through the results, Escape clears.
  await page.keyboard.press('ArrowDown');
  assert.equal(await first.evaluate((node) => node === document.activeElement), true);
  await page.keyboard.press('ArrowUp');
  assert.equal(await query.evaluate((node) => node === document.activeElement), true);
  await page.keyboard.press('Escape');
  assert.equal(await query.inputValue(), '');
  assert.equal(await page.locator('#results li').count(), 0);
  await page.close();
});

test('the météo report of the main server renders in the browser', { timeout: 60000 }, async () => {
  // Searches of each outcome, so that the traffic chart has bars of each.
  for (const row of roll.filter((r) => r.iso).slice(0, 20)) {
    await apiSearch(main, { q: `${row.surname} ${row.firstGiven}`, birth_date: row.iso }, DESK_KEY);
  }
  await apiSearch(main, { q: 'XQZWYK VBNRTQ' }, DESK_KEY);
  const out = path.join(scratch, 'weather.html');
  // The server has just started: --min-uptime 0s, or its uptime is red;
  // the last ten minutes hold the whole run.
  const run = spawnSync(SERVER_BIN, [
    'weather', '--target', main.base, '--format', 'html', '--out', out, '--min-uptime', '0s', '--window', '10m',
  ], { encoding: 'utf8', timeout: 30000 });
  assert.equal(run.status, 0, `weather exited with ${run.status}: ${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /^weather: AMBER \(0 red, \d amber, \d green\)/);

  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (['error', 'warning'].includes(message.type())) {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`threw: ${error.message}`));
  const fetched = [];
  page.on('request', (request) => fetched.push(request.url()));
  await page.goto(pathToFileURL(out).href);
  await page.locator('[data-verdict]').waitFor();
  assert.equal(await page.locator('[data-verdict]').getAttribute('data-verdict'), 'amber');
  const lights = Object.fromEntries(await page.locator('tr[data-check]').evaluateAll(
    (rows) => rows.map((row) => [row.dataset.check, row.dataset.light]),
  ));
  assert.deepEqual(Object.keys(lights), ['index', 'uptime', 'errors', 'shed', 'degraded', 'latency', 'memory', 'reloads']);
  // A demo index has no build time (amber); a server started minutes ago
  // restarted inside the window (amber); nothing failed or was shed.
  assert.equal(lights.index, 'amber');
  assert.equal(lights.uptime, 'amber');
  for (const check of ['errors', 'shed', 'degraded', 'reloads']) {
    assert.equal(lights[check], 'green', check);
  }
  for (const [check, light] of Object.entries(lights)) {
    assert.notEqual(light, 'red', check);
    const badge = page.locator(`tr[data-check="${check}"] .badge`);
    assert.equal((await badge.textContent()).trim().split(' ').pop(), light.toUpperCase());
  }
  // Three charts drawn at a readable size, with the searches' bars.
  const heights = await page.locator('svg').evaluateAll((svgs) => svgs.map((svg) => svg.getBoundingClientRect().height));
  assert.equal(heights.length, 3);
  assert.ok(heights.every((height) => height > 150), `chart heights ${heights}`);
  assert.ok(await page.locator('section[aria-labelledby="traffic"] svg rect[fill="#2f6fbf"]').count() >= 1, 'bars of found voters');
  assert.ok(await page.locator('section[aria-labelledby="latency"] svg :is(polyline, circle)').count() >= 1, 'a latency line');
  // The file is the whole page: nothing else was asked for.
  assert.deepEqual(fetched.filter((url) => !url.startsWith('file:')), []);
  assert.deepEqual(problems, []);
  await axe(page, 'weather report');
  await shoot(page, 'weather');
  await page.close();
});
