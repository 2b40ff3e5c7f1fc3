// The manager's review queue: approve or reject each referral a chain or a fraud flag holds.
import { day, getJson, money, row } from './format.js';

const $ = (id) => document.getElementById(id);

const decide = async (referral, action, tr, buttons) => {
  for (const button of buttons) button.disabled = true;
  try {
    const { referral: decided } = await getJson(`/api/referrals/${referral._id}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    tr.querySelector('[data-status]').textContent = decided.status;
    $('announce').textContent = `Referral …${String(referral._id).slice(-6)} ${decided.status}.`;
  } catch (error) {
    for (const button of buttons) button.disabled = false;
    $('announce').textContent = `Could not ${action}: ${error.message}`;
  }
};

const queueRow = (referral) => {
  const status = Object.assign(document.createElement('span'), { textContent: referral.status });
  status.dataset.status = '';
  const actions = document.createElement('span');
  const buttons = ['approve', 'reject'].map((action) => {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: action === 'approve' ? 'Approve' : 'Reject' });
    button.setAttribute('aria-label', `${button.textContent} referral …${String(referral._id).slice(-6)}`);
    return button;
  });
  actions.append(...buttons);
  const amount = referral.currency ? money(referral.amount, referral.currency) : '—';
  const tr = row(
    [
      `…${String(referral._id).slice(-6)}`,
      `…${String(referral.referrerRef).slice(-6)}`,
      day(referral.convertedAt, { dateStyle: 'medium', timeStyle: 'short' }),
      amount,
      status,
      actions,
    ],
    1,
  );
  tr.dataset.referral = referral._id;
  for (const [i, button] of buttons.entries()) button.addEventListener('click', () => void decide(referral, i === 0 ? 'approve' : 'reject', tr, buttons));
  return tr;
};

const load = async () => {
  const { items } = await getJson('/api/review-queue');
  $('queue').tBodies[0].replaceChildren(...items.map(queueRow));
  $('empty').hidden = items.length > 0;
  document.body.dataset.ready = 'true';
};

addEventListener('DOMContentLoaded', () => void load().catch((error) => ($('announce').textContent = `Could not load: ${error.message}`)));
