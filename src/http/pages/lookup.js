// What the kiosk page and the desk page share: the search call, what each
// answer of the server means for a page, and the countdown before a retry.
//
// The search is always a POST with a JSON body: names and birth dates never
// appear in a URL, a browser history or a server log line.

/** Path of the search. */
export const SEARCH_PATH = '/v1/search';

/**
 * Shortest wait before a retry, whatever `Retry-After` says: a hall of
 * kiosks all retrying each second would keep an overloaded server so.
 */
export const MIN_RETRY_SECONDS = 5;

/** Longest wait for an answer before the page says the service is slow. */
const ANSWER_TIMEOUT_MS = 15000;

/**
 * Sends one search and says what its answer means:
 * - `{ kind: 'answer', body }`: the server answered the lookup;
 * - `{ kind: 'busy', seconds }`: refused under load (429, 503 overloaded),
 *   to be retried after `seconds` (the server's `Retry-After`, never less
 *   than `MIN_RETRY_SECONDS`);
 * - `{ kind: 'not_ready' }`: no index is loaded yet;
 * - `{ kind: 'invalid', parameter, message }`: the query was refused (400);
 * - `{ kind: 'denied', message }`: the key is unknown or not allowed;
 * - `{ kind: 'failed', message }`: anything else (network down, 5xx).
 */
export async function search(request, apiKey) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (apiKey) {
    headers['X-Api-Key'] = apiKey;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ANSWER_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(SEARCH_PATH, {
      method: 'POST',
      headers,
      body: JSON.stringify(request),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: abort.signal,
    });
  } catch (error) {
    return { kind: 'failed', message: 'le service ne répond pas' };
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    body = null;
  }
  if (response.ok && body) {
    return { kind: 'answer', body };
  }
  const code = body && body.error ? body.error.code : '';
  const message = body && body.error ? body.error.message : '';
  if (code === 'index_not_ready') {
    return { kind: 'not_ready', seconds: retryAfter(response, 10) };
  }
  if (response.status === 429 || code === 'overloaded' || code === 'deadline_exceeded') {
    return { kind: 'busy', seconds: retryAfter(response, MIN_RETRY_SECONDS) };
  }
  if (response.status === 400) {
    return { kind: 'invalid', parameter: body && body.error ? body.error.parameter : '', message };
  }
  if (response.status === 401 || response.status === 403) {
    return { kind: 'denied', message };
  }
  return { kind: 'failed', message: message || `erreur ${response.status}` };
}

/** The server's `Retry-After` in whole seconds, within reason. */
function retryAfter(response, fallback) {
  const seconds = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  if (!Number.isFinite(seconds) || seconds < 1) {
    return fallback;
  }
  return Math.min(Math.max(seconds, MIN_RETRY_SECONDS), 120);
}

/**
 * Counts `seconds` down, calling `tick(left)` each second (at once with
 * `seconds`) and `done()` at zero. Returns a function that stops it.
 */
export function countdown(seconds, tick, done) {
  let left = seconds;
  tick(left);
  const timer = setInterval(() => {
    left -= 1;
    if (left <= 0) {
      clearInterval(timer);
      done();
    } else {
      tick(left);
    }
  }, 1000);
  return () => clearInterval(timer);
}

/** A birth date of the roll (`1962-03-12`) as people read it in France. */
export function frenchDate(iso) {
  if (!iso) {
    return '';
  }
  const parts = iso.split('-');
  return parts.length === 3 ? `${parts[2]}/${parts[1]}/${parts[0]}` : iso;
}

/** `count` followed by the singular or plural word. */
export function plural(count, singular, pluralWord) {
  return `${count} ${count > 1 ? pluralWord : singular}`;
}

/** Removes every child of `element`. */
export function clear(element) {
  while (element.firstChild) {
    element.removeChild(element.firstChild);
  }
}

/** A new element with its class and text. */
export function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) {
    made.className = className;
  }
  if (text !== undefined && text !== null) {
    made.textContent = text;
  }
  return made;
}
