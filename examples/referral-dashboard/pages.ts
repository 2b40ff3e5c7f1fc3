/**
 * The pages, as static shells: every value they show is fetched by their script and set with
 * `textContent`, so nothing a visitor typed is ever parsed as HTML.
 */
const layout = (title: string, main: string, scripts: string[] = []) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/static/style.css">
${scripts.includes('chart') ? '<link rel="stylesheet" href="/vendor/uPlot.min.css">\n<script src="/vendor/uPlot.iife.min.js" defer></script>' : ''}
${scripts
  .filter((name) => name !== 'chart')
  .map((name) => `<script type="module" src="/static/${name}.js"></script>`)
  .join('\n')}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<nav aria-label="Demo pages"><a href="/">Store</a> <a href="/shop">Shop</a> <a href="/creator/">Creator dashboard</a> <a href="/manager">Review queue</a></nav>
<main id="main">
${main}
</main>
</body>
</html>`;

export const storePage = () =>
  layout(
    'Sign up: Acme',
    `<h1>Acme</h1>
<p>Create an account. If a friend sent you their link, they get the credit.</p>
<form method="post" action="/signup">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required>
  <label for="code">Referral code (optional)</label>
  <input id="code" name="code" autocomplete="off" maxlength="64">
  <button type="submit">Sign up</button>
</form>`,
  );

const ORDER_MESSAGES: Record<string, string> = {
  referred: 'Thank you! Your order is placed, and the friend who referred you gets the credit.',
  direct: 'Thank you! Your order is placed.',
};

export const shopPage = (signedIn: boolean, order: unknown) =>
  layout(
    'Shop: Acme',
    `<h1>Shop</h1>
${typeof order === 'string' && ORDER_MESSAGES[order] ? `<p role="status" id="order-status">${ORDER_MESSAGES[order]}</p>` : ''}
${
  signedIn
    ? `<form method="post" action="/checkout">
  <p>Acme Pro, one year: <strong>$49.00</strong></p>
  <button type="submit">Buy Acme Pro for $49.00</button>
</form>`
    : '<p><a href="/">Sign up first</a>.</p>'
}`,
  );

export const creatorPage = () =>
  layout(
    'Creator dashboard: Acme',
    `<h1>Your referrals</h1>
<p>Your link: <output id="link">…</output></p>
<form id="controls" aria-controls="chart-section">
  <label for="interval">Group by</label>
  <select id="interval" name="interval"><option value="day">Day</option><option value="week">Week</option><option value="month">Month</option></select>
  <label for="days">Period</label>
  <select id="days" name="days"><option value="7">Last 7 days</option><option value="30" selected>Last 30 days</option><option value="90">Last 90 days</option></select>
</form>
<section id="chart-section" aria-labelledby="chart-title">
  <h2 id="chart-title">Visits, signups and sales</h2>
  <div id="chart" role="img" aria-describedby="chart-summary"></div>
  <p id="chart-summary" class="summary" aria-live="polite"></p>
  <details><summary>The chart as a table</summary><table id="series"><caption>Per period</caption><thead><tr><th scope="col">Period</th><th scope="col">Visits</th><th scope="col">Unique visitors</th><th scope="col">Signups</th><th scope="col">Sales</th><th scope="col">Net</th></tr></thead><tbody></tbody></table></details>
</section>
<section aria-labelledby="funnel-title">
  <h2 id="funnel-title">Funnel</h2>
  <dl id="funnel"></dl>
</section>
<section aria-labelledby="friends-title">
  <h2 id="friends-title">My friends</h2>
  <table id="friends"><caption class="visually-hidden">Friends who signed up with your link</caption><thead><tr><th scope="col">Friend</th><th scope="col">Joined</th><th scope="col">Status</th></tr></thead><tbody></tbody></table>
  <p id="no-friends" hidden>Nobody has signed up with your link yet.</p>
</section>`,
    ['chart', 'creator'],
  );

export const managerPage = () =>
  layout(
    'Review queue: Acme',
    `<h1>Review queue</h1>
<p>Referrals waiting for a decision, oldest first.</p>
<p id="announce" role="status" aria-live="polite" class="summary"></p>
<table id="queue"><thead><tr><th scope="col">Referral</th><th scope="col">Referrer</th><th scope="col">Converted</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Decision</th></tr></thead><tbody></tbody></table>
<p id="empty" hidden>Nothing is waiting for review.</p>`,
    ['manager'],
  );
