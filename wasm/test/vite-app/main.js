// A Vite app that uses the package exactly as wasm/README.md says: `import ... from 'ceaseless'`, no
// Vite config. The test (../vite.mjs) gives it the server's URL, a token and a channel in the query.
import { Client } from 'ceaseless';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status');
const show = (state, text = state) => {
  status.dataset.state = state;
  status.textContent = text;
};

const client = new Client(params.get('ws'), { token: params.get('token') });
client.on('error', ({ error }) => show('error', `${error.name}: ${error.message}`));

const sub = client.newSubscription(params.get('channel'));
sub.on('subscribed', () => show('subscribed'));
sub.on('publication', ({ data }) => {
  const item = document.createElement('li');
  item.textContent = JSON.stringify(data);
  document.getElementById('received').append(item);
});
sub.subscribe();
client.connect();
