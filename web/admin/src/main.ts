// The admin page's entry: signs in with Microsoft Entra ID where the Function App has it set up, else asks for the
// function key (sign-in.ts); draws the navigation, and draws the screen the location hash names
// (`#groups/<integration id>`), moving focus to its heading.
import { adminApi, signInStatusUrl } from './api.js';
import { clear, h } from './dom.js';
import { forgetFunctionKey, storedFunctionKey, storeFunctionKey } from './function-key.js';
import type { Integration } from '../../../shared/admin-api/wire-types.js';
import { allGroupsScreen } from './screens/all-groups.js';
import { attributesScreen } from './screens/attributes.js';
import { audienceScreen } from './screens/audience.js';
import { groupsScreen } from './screens/groups.js';
import { integrationsScreen } from './screens/integrations.js';
import { readSignInStatus } from './sign-in.js';
import { provisioningLogScreen } from './screens/provisioning-log.js';
import { type Screen, type ScreenContext, screenHash } from './screens/screen.js';
import { syncRunsScreen } from './screens/sync-runs.js';
import { targetingAttributesScreen } from './screens/targeting-attributes.js';
import { usersScreen } from './screens/users.js';

/** The navigation, in order; the first is where the page opens. */
const SCREENS: readonly Screen[] = [integrationsScreen, groupsScreen, attributesScreen, usersScreen, allGroupsScreen, targetingAttributesScreen, audienceScreen, syncRunsScreen, provisioningLogScreen];

function required<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}

const signIn = required<HTMLElement>('sign-in');
const keyForm = required<HTMLFormElement>('key-form');
const keyInput = required<HTMLInputElement>('function-key');
const signInMessage = required<HTMLElement>('sign-in-message');
const forgetKey = required<HTMLButtonElement>('forget-key');
const signInNotice = required<HTMLElement>('sign-in-notice');
const signedInAs = required<HTMLElement>('signed-in-as');
const navigation = required<HTMLElement>('screen-nav');
const screenArea = required<HTMLElement>('screen');

function showSignIn(message: string): void {
  forgetFunctionKey();
  signIn.hidden = false;
  forgetKey.hidden = true;
  navigation.hidden = true;
  clear(screenArea);
  signInMessage.textContent = message;
  keyInput.focus();
}

/** True while a signed-in admin uses the page: the session cookie authorizes the calls, no key is asked for. */
let signedIn = false;

// A 401 with a session means it ended: loading the page again goes through sign-in.
const api = adminApi(() => (signedIn ? location.reload() : showSignIn('The function key was refused (HTTP 401): enter a valid key.')));

function parseHash(): { screen: Screen; argument: string | undefined } {
  const [id = '', argument] = location.hash.replace(/^#/, '').split('/', 2);
  const screen = SCREENS.find((candidate) => candidate.id === id) ?? SCREENS[0];
  if (screen === undefined) throw new Error('no screens');
  let decoded: string | undefined;
  try {
    decoded = argument === undefined || argument === '' ? undefined : decodeURIComponent(argument);
  } catch {
    decoded = undefined;
  }
  return { screen, argument: decoded };
}

function drawNavigation(current: Screen): void {
  navigation.replaceChildren(
    h(
      'ul',
      {},
      ...SCREENS.map((screen) => h('li', {}, h('a', { attrs: { href: screenHash(screen.id), 'aria-current': screen === current ? 'page' : undefined } }, screen.title))),
    ),
  );
}

let drawing = 0;

async function drawScreen(): Promise<void> {
  if (!signedIn && storedFunctionKey() === undefined) {
    showSignIn('');
    return;
  }
  signIn.hidden = true;
  forgetKey.hidden = storedFunctionKey() === undefined;
  navigation.hidden = false;
  const { screen, argument } = parseHash();
  drawNavigation(screen);
  document.title = `${screen.title} · Directory provisioning admin`;
  const drawn = ++drawing;
  const heading = h('h2', { attrs: { tabindex: '-1' } }, screen.title);
  const body = h('div', { className: 'screen-body', attrs: { 'aria-busy': 'true' } });
  screenArea.replaceChildren(heading, body);
  heading.focus();
  let integrations: Promise<Integration[]> | undefined;
  const context: ScreenContext = {
    api,
    integrations: () => (integrations ??= api.get<{ integrations: Integration[] }>('integrations').then((answer) => answer.integrations)),
    navigate: (id, target) => {
      location.hash = screenHash(id, target);
    },
  };
  try {
    await screen.render(body, context, argument);
  } catch (error) {
    if (drawn === drawing && (signedIn || storedFunctionKey() !== undefined)) {
      body.append(h('p', { className: 'error', attrs: { role: 'alert' } }, error instanceof Error ? error.message : String(error)));
    }
  } finally {
    body.removeAttribute('aria-busy');
  }
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key === '') {
    signInMessage.textContent = 'Enter the function key.';
    keyInput.focus();
    return;
  }
  storeFunctionKey(key);
  keyForm.reset();
  signInMessage.textContent = '';
  void drawScreen();
});
forgetKey.addEventListener('click', () => showSignIn('The function key was forgotten in this tab.'));
window.addEventListener('hashchange', () => void drawScreen());

async function start(): Promise<void> {
  const status = await readSignInStatus(signInStatusUrl());
  if (!status.builtInAuthentication) {
    signInNotice.textContent = status.setUp;
  } else if (!status.signedIn) {
    location.assign(status.loginUrl);
    return;
  } else {
    const who = status.name ?? 'an account without a name';
    signedIn = status.hasAdminRole;
    signedInAs.replaceChildren(`Signed in as ${who} · `, h('a', { attrs: { href: status.logoutUrl } }, 'Sign out'));
    signedInAs.hidden = false;
    if (!signedIn) signInNotice.textContent = `${who} does not hold the app role ${status.appRole}: an owner of the app registration assigns it in Microsoft Entra ID, then sign in again. A function key still works.`;
  }
  await drawScreen();
}

void start();
