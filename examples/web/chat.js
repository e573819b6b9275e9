// A small chat on ceaseless: one recoverable channel, messages rendered exactly as delivered (each
// once, in order, including those missed while the connection was down), positions kept in
// localStorage (under the `chat:` key prefix) so a reloaded page resumes where it stopped.
//
// Query parameters: `user` (default: a random guest), `ws` (default: the server's WebSocket URL from
// /config), `room` (default `test:chat`).
import { Client, UnauthorizedError } from 'ceaseless';

const params = new URLSearchParams(location.search);
const user = params.get('user') ?? `guest-${Math.random().toString(36).slice(2, 7)}`;
const room = params.get('room') ?? 'test:chat';
const config = await (await fetch('/config')).json();

const status = document.getElementById('status');
const list = document.getElementById('messages');
const setStatus = (state, detail = state) => {
  status.dataset.state = state;
  status.textContent = detail;
};

// The demo server mints tokens; a real app asks its own backend the same way.
async function getToken() {
  const response = await fetch(`/token?user=${encodeURIComponent(user)}`);
  if (response.status === 403) throw new UnauthorizedError();
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return response.text();
}

const client = new Client(params.get('ws') ?? config.ws, {
  getToken,
  name: 'chat-demo',
  reconnectDelayMin: 200,
  reconnectDelayMax: 2000,
  positionStore: 'chat:',
});
client.on('connecting', ({ reason }) => setStatus('connecting', `connecting (${reason})`));
client.on('connected', ({ transport }) => setStatus('connected', `connected over ${transport}`));
client.on('disconnected', ({ reason }) => setStatus('disconnected', `disconnected (${reason})`));

const sub = client.newSubscription(room, { recoverable: true });
sub.on('subscribed', ({ recovered, wasRecovering }) => {
  setStatus('subscribed', wasRecovering ? `subscribed (recovered: ${recovered})` : 'subscribed');
});
sub.on('gap', () => append({ user: 'system', text: 'some messages could not be recovered' }, 0));
sub.on('error', ({ error }) => console.warn('subscription error', error));

function append(message, offset) {
  const item = document.createElement('li');
  item.dataset.offset = String(offset);
  const who = document.createElement('span');
  who.className = 'user';
  who.textContent = String(message.user);
  item.append(who, String(message.text));
  list.append(item);
}

document.getElementById('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  try {
    await sub.publish({ user, text });
  } catch (error) {
    append({ user: 'system', text: `not sent (${error.code}): ${text}` }, 0);
  }
});

sub.subscribe();
client.connect();
window.chat = { client, sub, user };

// Render publications from the async iterator: each exactly once, in stream order.
for await (const publication of sub) {
  append(publication.data, publication.offset);
}
