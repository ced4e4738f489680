// The kiosk page: a voter gives a surname, a given name and a birth date by
// touch, and reads their polling station and order number.
//
// It always asks for the kiosk view, whatever the server would grant, and
// shows only what that view answers. It clears itself after a short
// inactivity and after each answer has been shown for a while, so that the
// next voter never sees the previous one's answer; it keeps nothing in the
// browser's storage or history.

import { search, countdown, clear, element } from './lookup.js';

const LETTER_ROWS = ['AZERTYUIOP', 'QSDFGHJKLM', 'WXCVBN'];
const MONTHS = [
  'janvier', 'février', 'mars', 'avril', 'mai', 'juin',
  'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre',
];
const STEPS = ['surname', 'given', 'birth'];

const body = document.body;
const seconds = (name, fallback) => {
  const value = Number.parseInt(body.dataset[name] || '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
/** Inactivity after which the page clears itself. */
const IDLE_RESET_SECONDS = seconds('idleResetSeconds', 60);
/** How long an answer stays on screen. */
const ANSWER_SHOWN_SECONDS = seconds('answerShownSeconds', 30);

const $ = (id) => document.getElementById(id);
const form = $('ask');
const fields = {
  surname: $('surname'),
  given: $('given'),
  day: $('day'),
  month: $('month'),
  year: $('year'),
};
const askError = $('ask-error');
const letters = $('letters');
const digits = $('digits');
const back = $('back');
const next = $('next');
const outcome = $('outcome');
const answer = $('answer');
const countdownLine = $('countdown');
const correct = $('correct');
const done = $('done');
const clears = $('clears');

let step = 0;
let dateField = fields.day;
let lastActivity = Date.now();
let searching = false;
let stopCountdown = null;
let answerTimer = null;
let answerShownAt = null;

// ---- the on-screen keyboards ------------------------------------------------

function key(label, action, name, className) {
  const button = element('button', className || 'key', label);
  button.type = 'button';
  if (name) {
    button.setAttribute('aria-label', name);
  }
  button.addEventListener('click', action);
  return button;
}

function buildLetters() {
  for (const row of LETTER_ROWS) {
    const line = element('div', 'key-row');
    for (const letter of row) {
      line.appendChild(key(letter, () => typeLetter(letter)));
    }
    letters.appendChild(line);
  }
  const last = element('div', 'key-row');
  last.appendChild(key('Espace', () => typeLetter(' '), 'Espace', 'key wide'));
  last.appendChild(key('Effacer', eraseLetter, 'Effacer la dernière lettre', 'key wide'));
  letters.appendChild(last);
}

function buildDigits() {
  for (const row of ['123', '456', '789']) {
    const line = element('div', 'key-row');
    for (const digit of row) {
      line.appendChild(key(digit, () => typeDigit(digit)));
    }
    digits.appendChild(line);
  }
  const last = element('div', 'key-row');
  last.appendChild(key('Effacer', eraseDigit, 'Effacer le dernier chiffre', 'key wide'));
  last.appendChild(key('0', () => typeDigit('0')));
  digits.appendChild(last);
}

function textField() {
  return step === 0 ? fields.surname : fields.given;
}

function typeLetter(letter) {
  const field = textField();
  if (field.value.length < field.maxLength) {
    field.value = (field.value + letter).replace(/^ +/, '').replace(/ {2,}/g, ' ');
  }
  askError.textContent = '';
}

function eraseLetter() {
  const field = textField();
  field.value = field.value.slice(0, -1);
}

const dateOrder = () => [fields.day, fields.month, fields.year];

function typeDigit(digit) {
  let field = dateField;
  if (field.value.length >= field.maxLength) {
    // A full field passes the digit on to the next empty one.
    field = dateOrder().find((f) => f.value.length < f.maxLength);
    if (!field) {
      return;
    }
  }
  field.value += digit;
  dateField = field;
  if (field.value.length >= field.maxLength) {
    const following = dateOrder().find((f) => f.value.length < f.maxLength);
    if (following) {
      dateField = following;
    }
  }
  markDateField();
  readDate();
  askError.textContent = '';
}

function eraseDigit() {
  let field = dateField;
  if (!field.value) {
    const order = dateOrder();
    const before = order[Math.max(0, order.indexOf(field) - 1)];
    field = before;
  }
  field.value = field.value.slice(0, -1);
  dateField = field;
  markDateField();
  readDate();
}

function markDateField() {
  for (const field of dateOrder()) {
    field.classList.toggle('current', field === dateField);
  }
}

/** The date entered, if whole and real, as `YYYY-MM-DD`. */
function enteredDate() {
  const day = Number.parseInt(fields.day.value, 10);
  const month = Number.parseInt(fields.month.value, 10);
  const year = Number.parseInt(fields.year.value, 10);
  if (fields.year.value.length !== 4 || !day || !month || !year) {
    return null;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  const thisYear = new Date().getFullYear();
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1 || year < 1900 || year > thisYear) {
    return null;
  }
  const pad = (n) => String(n).padStart(2, '0');
  return { iso: `${year}-${pad(month)}-${pad(day)}`, read: `${day} ${MONTHS[month - 1]} ${year}` };
}

function readDate() {
  const date = enteredDate();
  $('date-read').textContent = date ? `Vous êtes né(e) le ${date.read}.` : '';
}

// ---- the steps --------------------------------------------------------------

function showStep(index) {
  step = index;
  STEPS.forEach((name, i) => {
    $(`step-${name}`).hidden = i !== index;
  });
  letters.hidden = index === 2;
  digits.hidden = index !== 2;
  back.hidden = index === 0;
  next.textContent = index === 2 ? 'Rechercher' : 'Suivant';
  askError.textContent = '';
  if (index === 2) {
    dateField = dateOrder().find((f) => f.value.length < f.maxLength) || fields.day;
    markDateField();
  }
  // Where the keys will write, for a screen reader or a physical keyboard
  // (`inputmode="none"` keeps a tablet's own keyboard closed).
  (index === 2 ? dateField : textField()).focus();
}

function letterCount(text) {
  return (text.match(/[A-Za-zÀ-ÿ]/g) || []).length;
}

function checkStep() {
  if (step === 0 && letterCount(fields.surname.value) < 2) {
    return 'Touchez au moins deux lettres de votre nom.';
  }
  if (step === 1 && letterCount(fields.given.value) < 2) {
    return 'Touchez au moins deux lettres de votre prénom.';
  }
  if (step === 2 && !enteredDate()) {
    return 'La date de naissance n\'est pas complète ou n\'existe pas : vérifiez le jour, le mois et l\'année (4 chiffres).';
  }
  return '';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const problem = checkStep();
  if (problem) {
    askError.textContent = problem;
    return;
  }
  if (step < 2) {
    showStep(step + 1);
    return;
  }
  lookUp();
});

back.addEventListener('click', () => showStep(Math.max(0, step - 1)));

for (const field of dateOrder()) {
  field.addEventListener('focus', () => {
    dateField = field;
    markDateField();
  });
  field.addEventListener('input', () => {
    field.value = field.value.replace(/\D/g, '').slice(0, field.maxLength);
    readDate();
  });
}

// ---- the search and its answers ----------------------------------------------

async function lookUp() {
  if (searching) {
    return;
  }
  stopTimers();
  const date = enteredDate();
  const request = {
    q: `${fields.surname.value.trim()} ${fields.given.value.trim()}`,
    birth_date: date.iso,
    limit: 10,
    view: 'kiosk',
  };
  searching = true;
  next.disabled = true;
  form.setAttribute('aria-busy', 'true');
  let result;
  try {
    result = await search(request);
  } finally {
    searching = false;
    next.disabled = false;
    form.removeAttribute('aria-busy');
  }
  show(result);
}

function show(result) {
  if (result.kind === 'answer') {
    const body = result.body;
    if (body.outcome === 'found' && body.station) {
      return showAnswer('found', found(body), false);
    }
    if (body.outcome === 'found') {
      // A voter the roll gives no station: only the staff can help.
      return showAnswer('no_station', [
        heading('Votre bureau n\'est pas indiqué'),
        element('p', null, 'Vous êtes bien inscrit(e), mais la liste n\'indique pas votre bureau de vote. Adressez-vous à un agent de la mairie.'),
      ], false);
    }
    if (body.outcome === 'several') {
      return showAnswer('several', several(), false);
    }
    return showAnswer('not_found', notFound(), true);
  }
  if (result.kind === 'busy') {
    return showRetry('busy', [
      heading('Le service est très demandé en ce moment'),
      element('p', null, 'Votre recherche va être refaite automatiquement. Merci de patienter.'),
    ], result.seconds);
  }
  if (result.kind === 'not_ready') {
    return showRetry('not_ready', [
      heading('Le service n\'est pas encore prêt'),
      element('p', null, 'La liste électorale est en cours de chargement. Votre recherche va être refaite automatiquement. Si cela dure, adressez-vous à un agent de la mairie.'),
    ], result.seconds);
  }
  if (result.kind === 'invalid') {
    const parameter = result.parameter === 'birth_date' ? 2 : 0;
    showStep(parameter);
    askError.textContent = parameter === 2
      ? 'La date de naissance n\'a pas été acceptée : vérifiez-la.'
      : 'Le nom et le prénom n\'ont pas été acceptés : vérifiez-les.';
    return undefined;
  }
  return showAnswer('failed', [
    heading('La recherche n\'a pas pu aboutir'),
    element('p', null, 'Le service ne répond pas pour le moment. Adressez-vous à un agent de la mairie, ou réessayez dans un instant.'),
  ], true);
}

function heading(text) {
  const title = element('h2', null, text);
  title.id = 'answer-title';
  title.tabIndex = -1;
  return title;
}

function found(body) {
  const parts = [heading('Votre bureau de vote')];
  const check = element('p', 'check', 'Électeur : ');
  const name = element('strong', null, `${body.voter.given_name} ${body.voter.surname}`);
  check.appendChild(name);
  parts.push(check);
  const station = element('div', 'station');
  station.appendChild(element('p', 'station-label', body.station.label));
  if (body.station.address) {
    station.appendChild(element('p', 'station-address', body.station.address));
  }
  station.appendChild(element('p', 'station-code', `Bureau n° ${body.station.code}`));
  parts.push(station);
  if (body.order_number !== null && body.order_number !== undefined) {
    const order = element('p', 'order', 'Votre numéro d\'ordre : ');
    order.appendChild(element('strong', 'order-number', String(body.order_number)));
    parts.push(order);
  }
  parts.push(element('p', 'note', 'Si ce n\'est pas votre nom, touchez « Terminer » et adressez-vous à un agent de la mairie.'));
  return parts;
}

function notFound() {
  const parts = [heading('Nous ne vous trouvons pas dans la liste')];
  parts.push(element('p', null, 'Aucun électeur ne correspond à ce nom, ce prénom et cette date de naissance. Vous pouvez essayer :'));
  const tips = element('ul', 'tips');
  tips.appendChild(element('li', null, 'votre nom de naissance (nom de jeune fille), plutôt que votre nom d\'usage ;'));
  tips.appendChild(element('li', null, 'l\'orthographe exacte de votre carte électorale ;'));
  tips.appendChild(element('li', null, 'de vérifier votre date de naissance ;'));
  tips.appendChild(element('li', null, 'ou de demander à un agent de la mairie.'));
  parts.push(tips);
  return parts;
}

function several() {
  return [
    heading('Plusieurs électeurs correspondent'),
    element('p', null, 'Plusieurs électeurs portent ce nom et ce prénom et sont nés ce jour-là. Pour ne pas vous donner le bureau d\'un autre, adressez-vous à un agent de la mairie : il trouvera le vôtre.'),
  ];
}

function showOutcome(state, parts) {
  form.hidden = true;
  outcome.hidden = false;
  outcome.dataset.state = state;
  clear(answer);
  for (const part of parts) {
    answer.appendChild(part);
  }
  const title = $('answer-title');
  if (title) {
    title.focus();
  }
}

/** An answer, shown for a while, after which the page clears itself. */
function showAnswer(state, parts, canCorrect) {
  showOutcome(state, parts);
  countdownLine.hidden = true;
  correct.hidden = !canCorrect;
  answerShownAt = Date.now();
  clears.textContent = `Cet écran s'effacera de lui-même dans ${ANSWER_SHOWN_SECONDS} secondes.`;
  answerTimer = setTimeout(reset, ANSWER_SHOWN_SECONDS * 1000);
}

/** A refusal under load: a countdown from `Retry-After`, then a retry. */
function showRetry(state, parts, wait) {
  showOutcome(state, parts);
  correct.hidden = true;
  clears.textContent = '';
  countdownLine.hidden = false;
  stopCountdown = countdown(wait, (left) => {
    countdownLine.textContent = `Nouvel essai dans ${left} seconde${left > 1 ? 's' : ''}…`;
  }, () => {
    stopCountdown = null;
    countdownLine.textContent = 'Nouvel essai…';
    lookUp();
  });
}

function stopTimers() {
  if (stopCountdown) {
    stopCountdown();
    stopCountdown = null;
  }
  if (answerTimer) {
    clearTimeout(answerTimer);
    answerTimer = null;
  }
  answerShownAt = null;
}

/** Back to the start, everything entered and shown forgotten. */
function reset() {
  stopTimers();
  for (const field of Object.values(fields)) {
    field.value = '';
  }
  $('date-read').textContent = '';
  clear(answer);
  countdownLine.textContent = '';
  clears.textContent = '';
  delete outcome.dataset.state;
  outcome.hidden = true;
  form.hidden = false;
  showStep(0);
  lastActivity = Date.now();
}

correct.addEventListener('click', () => {
  stopTimers();
  outcome.hidden = true;
  clear(answer);
  delete outcome.dataset.state;
  form.hidden = false;
  showStep(0);
});
done.addEventListener('click', reset);
$('restart').addEventListener('click', reset);

// ---- clearing after inactivity ---------------------------------------------

function touched() {
  lastActivity = Date.now();
}

for (const kind of ['pointerdown', 'keydown', 'input']) {
  document.addEventListener(kind, touched, { capture: true, passive: true });
}

function somethingEntered() {
  return Object.values(fields).some((field) => field.value !== '') || step !== 0 || !outcome.hidden;
}

setInterval(() => {
  // An answer on screen has its own timer; a retry under load goes on by
  // itself, but not for longer than the inactivity allows either.
  if (searching || answerShownAt !== null) {
    return;
  }
  if (somethingEntered() && Date.now() - lastActivity >= IDLE_RESET_SECONDS * 1000) {
    reset();
  }
}, 1000);

// Leaving the page (or the browser putting it away) forgets it too.
window.addEventListener('pagehide', reset);

buildLetters();
buildDigits();
showStep(0);
body.dataset.ready = 'true';
