// The desk page: staff type what a voter says, in any order and with a
// date in any desk form, and read the ranked voters with their station,
// order number, how each word matched and how sure the service is.
//
// The key is asked once and kept in the browser's session storage only: it
// is gone when the browser closes. Keyboard only: Enter searches, the arrows
// move through the results, Escape clears.

import { search, countdown, clear, element, frenchDate, plural } from './lookup.js';

const KEY_STORAGE = 'voter-lookup.desk-key';
const LIMIT = 10;

const $ = (id) => document.getElementById(id);
const keyForm = $('key-form');
const keyInput = $('key');
const keyError = $('key-error');
const keyState = $('key-state');
const forgetKey = $('forget-key');
const searchForm = $('search-form');
const query = $('query');
const status = $('status');
const countdownLine = $('countdown');
const results = $('results');

let stopCountdown = null;
let lastQuery = '';

const FIELDS = {
  birth_name: 'nom de naissance',
  usage_name: 'nom d\'usage',
  first_names: 'prénoms',
  birth_date: 'date de naissance',
};
const KINDS = {
  exact: 'exact',
  prefix: 'début du mot',
  phonetic: 'même son',
  fuzzy: 'faute de frappe',
  approximate: 'date proche',
  year: 'même année',
};
const CONFIDENCE = {
  exact: 'certaine',
  strong: 'forte',
  weak: 'faible : vérifiez auprès de l\'électeur',
  none: 'aucune',
};

/** The key kept for this session: `null` when none was given yet, `''`
 * when staff chose to go on without one (a server without keys). */
function storedKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch (error) {
    return null;
  }
}

function keep(key) {
  try {
    sessionStorage.setItem(KEY_STORAGE, key);
    return true;
  } catch (error) {
    keyError.textContent = 'Ce navigateur refuse de garder la clé : ouvrez une fenêtre normale.';
    return false;
  }
}

function showKeyForm(message) {
  keyForm.hidden = false;
  searchForm.hidden = true;
  forgetKey.hidden = true;
  keyState.textContent = '';
  keyError.textContent = message || '';
  keyInput.value = '';
  keyInput.focus();
}

function showSearch() {
  keyForm.hidden = true;
  searchForm.hidden = false;
  forgetKey.hidden = false;
  keyState.textContent = storedKey() ? 'Clé enregistrée pour cette session.' : 'Sans clé.';
  query.focus();
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    keyError.textContent = 'Saisissez la clé d\'accès.';
    return;
  }
  if (keep(key)) {
    showSearch();
  }
});

$('no-key').addEventListener('click', () => {
  if (keep('')) {
    showSearch();
  }
});

forgetKey.addEventListener('click', () => {
  try {
    sessionStorage.removeItem(KEY_STORAGE);
  } catch (error) {
    // Nothing kept, nothing to forget.
  }
  clearResults();
  showKeyForm();
});

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  run(query.value.trim());
});

function stopRetry() {
  if (stopCountdown) {
    stopCountdown();
    stopCountdown = null;
  }
  countdownLine.hidden = true;
  countdownLine.textContent = '';
}

function clearResults() {
  stopRetry();
  clear(results);
  status.textContent = '';
  delete document.body.dataset.state;
}

async function run(text) {
  stopRetry();
  if (!text) {
    status.textContent = 'Saisissez un nom, des prénoms ou une date de naissance.';
    return;
  }
  lastQuery = text;
  status.textContent = 'Recherche…';
  document.body.dataset.state = 'searching';
  const result = await search({ q: text, limit: LIMIT }, storedKey() || '');
  if (text !== lastQuery) {
    return;
  }
  show(result);
}

function show(result) {
  clear(results);
  if (result.kind === 'answer') {
    if (!Array.isArray(result.body.results)) {
      document.body.dataset.state = 'failed';
      status.textContent = 'Cette clé ne donne pas accès à la recherche des agents : changez de clé.';
      return;
    }
    showResults(result.body);
    return;
  }
  if (result.kind === 'denied') {
    document.body.dataset.state = 'denied';
    try {
      sessionStorage.removeItem(KEY_STORAGE);
    } catch (error) {
      // Nothing kept.
    }
    showKeyForm(`La clé n'est pas acceptée (${result.message}). Saisissez-la à nouveau.`);
    return;
  }
  if (result.kind === 'busy' || result.kind === 'not_ready') {
    document.body.dataset.state = result.kind;
    status.textContent = result.kind === 'busy'
      ? 'Le service est très demandé : la recherche sera refaite automatiquement.'
      : 'Le service n\'est pas encore prêt (liste en cours de chargement) : la recherche sera refaite automatiquement.';
    const text = lastQuery;
    countdownLine.hidden = false;
    stopCountdown = countdown(result.seconds, (left) => {
      countdownLine.textContent = `Nouvel essai dans ${left} s…`;
    }, () => {
      stopCountdown = null;
      run(text);
    });
    return;
  }
  document.body.dataset.state = result.kind;
  status.textContent = result.kind === 'invalid'
    ? `Recherche refusée : ${result.message}.`
    : `La recherche n'a pas abouti : ${result.message}.`;
}

function showResults(body) {
  const hits = body.results;
  document.body.dataset.state = hits.length ? 'results' : 'none';
  let summary = hits.length
    ? `${plural(hits.length, 'résultat', 'résultats')}.`
    : 'Aucun électeur trouvé : essayez le nom de naissance, une autre orthographe ou la date de naissance.';
  if (body.ambiguous) {
    summary += ' Plusieurs électeurs correspondent à égalité : vérifiez la date de naissance et les prénoms avec la personne.';
  }
  if (body.degraded) {
    summary += ' Service chargé : recherche simplifiée.';
  }
  status.textContent = summary;
  hits.forEach((hit, index) => results.appendChild(resultItem(hit, index)));
}

function resultItem(hit, index) {
  const item = element('li', `result confidence-${hit.confidence}`);
  item.tabIndex = -1;
  const titleId = `result-${index}-name`;
  item.setAttribute('aria-labelledby', titleId);
  const voter = hit.voter;
  const name = element('h3', 'result-name');
  name.id = titleId;
  name.appendChild(element('span', 'surname', voter.birth_name));
  if (voter.usage_name) {
    name.appendChild(document.createTextNode(` (usage : ${voter.usage_name})`));
  }
  name.appendChild(document.createTextNode(` ${voter.first_names}`));
  item.appendChild(name);

  const facts = element('dl', 'facts');
  const fact = (term, value, className) => {
    const row = element('div', className || null);
    row.appendChild(element('dt', null, term));
    row.appendChild(element('dd', null, value));
    facts.appendChild(row);
  };
  fact('Né(e) le', frenchDate(voter.birth_date) || 'inconnue');
  if (hit.station) {
    const address = hit.station.address ? `, ${hit.station.address}` : '';
    fact('Bureau', `${hit.station.code} — ${hit.station.label}${address}`, 'station');
    // A roll of several communes: each numbers its stations from 0001.
    if (hit.station.commune_name || hit.station.commune) {
      fact('Commune', hit.station.commune_name || hit.station.commune, 'commune');
    }
  } else {
    fact('Bureau', 'non indiqué');
  }
  fact('N° d\'ordre', hit.order_number === null || hit.order_number === undefined ? '—' : String(hit.order_number), 'order');
  fact('Confiance', CONFIDENCE[hit.confidence] || hit.confidence, 'confidence');
  fact('Liste', voter.list);
  item.appendChild(facts);

  if (Array.isArray(hit.match) && hit.match.length) {
    const why = element('ul', 'why');
    why.setAttribute('aria-label', 'Correspondance');
    for (const m of hit.match) {
      const line = element('li', null);
      const date = m.field === 'birth_date';
      line.appendChild(element('span', 'token', `« ${date ? frenchDate(m.token) : m.token} »`));
      line.appendChild(document.createTextNode(` → ${FIELDS[m.field] || m.field} `));
      line.appendChild(element('span', 'matched', `« ${date ? frenchDate(m.matched) : m.matched} »`));
      line.appendChild(document.createTextNode(` (${KINDS[m.kind] || m.kind})`));
      why.appendChild(line);
    }
    item.appendChild(why);
  }
  if (Array.isArray(hit.memberships) && hit.memberships.length > 1) {
    const also = element('p', 'memberships', `Inscrit(e) sur ${plural(hit.memberships.length, 'liste', 'listes')} : ${hit.memberships.map((m) => m.list).join(', ')}.`);
    item.appendChild(also);
  }
  return item;
}

// ---- keyboard ------------------------------------------------------------------

function items() {
  return Array.from(results.querySelectorAll('li.result'));
}

document.addEventListener('keydown', (event) => {
  if (searchForm.hidden) {
    return;
  }
  if (event.key === 'Escape') {
    event.preventDefault();
    query.value = '';
    lastQuery = '';
    clearResults();
    query.focus();
    return;
  }
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') {
    return;
  }
  const list = items();
  if (!list.length) {
    return;
  }
  const at = list.indexOf(document.activeElement);
  let to;
  if (event.key === 'ArrowDown') {
    to = at < 0 ? 0 : Math.min(at + 1, list.length - 1);
  } else if (at <= 0) {
    event.preventDefault();
    query.focus();
    return;
  } else {
    to = at - 1;
  }
  event.preventDefault();
  list[to].focus();
});

if (storedKey() !== null) {
  showSearch();
} else {
  showKeyForm();
}
document.body.dataset.ready = 'true';
