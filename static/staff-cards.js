// staff-cards.js — the staff page's 打印家门口服务卡 panel: links to every area's
// card as one page set (/card/areas) and to one chosen area's (/card/areas/{id}),
// in the page's language. The cards are public; the panel needs no sign-in.

import { api } from './api.js';
import { compareNames, lang } from './i18n.js';
import { $ } from './staff-state.js';

let areas = [];

/** cardHref is the address of the card page at path in the page's language. */
function cardHref(path) {
  return lang() === 'en' ? `${path}?lang=en` : path;
}

/** renderCards fills the area list and points both links at the page's language. */
export function renderCards() {
  $('cards-all').href = cardHref('/card/areas');
  const select = $('card-area');
  const chosen = select.value;
  select.replaceChildren(...areas.map((a) => new Option(a.name, String(a.id))));
  if (chosen) select.value = chosen;
  const id = select.value;
  $('card-one').hidden = !id;
  if (id) $('card-one').href = cardHref(`/card/areas/${encodeURIComponent(id)}`);
}

/** loadCards reads the residential areas, in the order residents count them. */
export async function loadCards() {
  const fc = await api.areas();
  areas = (fc.features || [])
    .map((f) => ({ id: f.properties.id, name: f.properties.name }))
    .sort((a, b) => compareNames(a.name, b.name));
  renderCards();
}

/** wireCards follows the chosen area. */
export function wireCards() {
  $('card-area').addEventListener('change', renderCards);
}
