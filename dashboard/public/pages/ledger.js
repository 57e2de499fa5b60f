// Ledger and blacklist screens (issue 8 page 6): built on the issue-7 API once it lands on main.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export async function render(main) {
  main.replaceChildren(h('h1', {}, t('ledger.title')), h('p', { class: 'pending', id: 'ledger-pending' }, t('ledger.pending')));
}
