// Shared by the pages: money from minor units, dates in the viewer's zone, and safe DOM building.
export const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const digits = (currency) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;

/** `4900` USD is $49.00: the engine keeps money as integers in minor units. */
export const money = (minor, currency) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 10 ** digits(currency));

export const amounts = (list) => (list.length === 0 ? '—' : list.map((a) => money(a.net, a.currency)).join(', '));

export const day = (iso, options = { month: 'short', day: 'numeric' }) =>
  new Intl.DateTimeFormat(undefined, { timeZone: timezone, ...options }).format(new Date(iso));

/** A table row of text cells: values are set as text, never parsed as HTML. */
export const row = (cells, header = 0) => {
  const tr = document.createElement('tr');
  cells.forEach((cell, i) => {
    const td = document.createElement(i < header ? 'th' : 'td');
    if (i < header) td.scope = 'row';
    if (cell instanceof Node) td.append(cell);
    else td.textContent = String(cell);
    tr.append(td);
  });
  return tr;
};

export const getJson = async (url, init) => {
  const response = await fetch(url, init);
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message ?? response.statusText);
  return body;
};
