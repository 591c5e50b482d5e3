// Sign-in: the registry checks bearer tokens, so the user pastes theirs.

import { h, notice } from '../dom.js';
import { session } from '../session.js';

export function loginPage(context, signIn) {
  const token = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 5,
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: 'eyJhbGciOiJIUzI1NiJ9…',
  });
  const problem = h('div', { class: 'form-problem' }, session.reason ? notice('warn', session.reason) : null);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');

  async function onsubmit(event) {
    event.preventDefault();
    const pasted = token.value.trim().replace(/^bearer\s+/i, '');
    if (!pasted) return;
    submit.disabled = true;
    problem.replaceChildren();
    try {
      session.reason = null;
      await signIn(pasted);
    } catch (error) {
      problem.replaceChildren(notice('error', error.message));
      submit.disabled = false;
    }
  }

  return h(
    'section',
    { class: 'login' },
    h('h1', {}, 'Sign in'),
    h(
      'p',
      {},
      'This registry checks bearer tokens. Paste yours; it is kept in this tab only and sent with ',
      'every call. For development, ',
      h('code', {}, 'larder token --subject you --role reader:*'),
      ' mints one.',
    ),
    h(
      'form',
      { onsubmit },
      h('label', { for: 'token' }, 'Token'),
      token,
      problem,
      h('div', { class: 'buttons' }, submit),
    ),
  );
}
