// The login form.
import { login } from '../api.ts';
import { currentLang, setLang, t } from '../i18n.ts';
import { errorText, h } from '../ui.ts';

export function loginPage(done: () => void): HTMLElement {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('p', { class: 'state error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit' }, t('login'));
  const form = h(
    'form',
    { class: 'login' },
    h('h1', {}, t('appName')),
    h('label', {}, t('username'), user),
    h('label', {}, t('password'), pass),
    button,
    msg,
    h(
      'button',
      {
        type: 'button',
        class: 'lang',
        onclick: () => {
          setLang(currentLang() === 'en' ? 'zh-CN' : 'en');
          form.replaceWith(loginPage(done));
        },
      },
      currentLang() === 'en' ? '中文' : 'English',
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    msg.hidden = true;
    try {
      await login(user.value, pass.value);
      done();
    } catch (err) {
      msg.textContent = (err as { status?: number }).status === 401 ? `${t('loginFailed')}: ${(err as Error).message}` : errorText(err);
      msg.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'login-wrap' }, form);
}
