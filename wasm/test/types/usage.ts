// A typed usage example of the package. `tsc --noEmit --strict` must accept it (wasm/run-tests.sh).
import {
  CeaselessError,
  Client,
  ServerError,
  UnauthorizedError,
  type ClientEvents,
  type Publication,
  type StreamPosition,
} from 'ceaseless';

interface ChatMessage {
  user: string;
  text: string;
}

async function fetchToken(): Promise<string> {
  const response = await fetch('/token');
  if (response.status === 403) throw new UnauthorizedError();
  return response.text();
}

export async function main(): Promise<void> {
  await using client = new Client(
    [
      { transport: 'websocket', endpoint: '/connection/websocket' },
      { transport: 'http_stream', endpoint: '/connection/http_stream' },
      { transport: 'sse', endpoint: '/connection/sse' },
    ],
    { getToken: fetchToken, name: 'chat', timeout: 5000, hiddenGrace: null, positionStore: 'localStorage' },
  );
  client.on('connected', (ctx) => console.log(ctx.client, ctx.version, ctx.transport));
  client.on('disconnected', ({ code, reason }) => console.log(code, reason));
  client.on('error', ({ error }) => console.log(error.code, error.temporary, error.message));
  const onConnecting = (ctx: ClientEvents['connecting']): void => console.log(ctx.type, ctx.code);
  client.on('connecting', onConnecting).off('connecting', onConnecting);

  using sub = client.newSubscription<ChatMessage>('chat:lobby', { recoverable: true, joinLeave: true });
  sub.on('publication', (pub) => console.log(pub.data.user, pub.data.text, pub.offset));
  sub.on('subscribed', (ctx) => {
    if (ctx.wasRecovering && !ctx.recovered) console.log('reload state');
  });
  sub.on('join', ({ info }) => console.log(info.user));
  sub.subscribe();
  client.connect();
  await sub.ready();

  try {
    await sub.publish({ user: 'me', text: 'hello' });
    await client.publish('other', { any: ['json', 1, null] });
  } catch (e) {
    if (e instanceof ServerError) console.log('server said', e.code);
    else if (e instanceof CeaselessError && e.temporary) console.log('try later');
  }

  const history = await sub.history({ limit: 10, reverse: true });
  const first: Publication<ChatMessage> | undefined = history.publications[0];
  const top: StreamPosition = { offset: history.offset, epoch: history.epoch };
  console.log(first?.data.text, top, client.state, sub.state);

  const presence = await client.presence('chat:lobby');
  for (const [id, info] of Object.entries(presence.clients)) console.log(id, info.user);
  const stats = await sub.presenceStats();
  console.log(stats.numClients + stats.numUsers);

  const untyped = client.newSubscription('raw');
  for await (const pub of untyped) {
    // Data is unknown until checked.
    if (typeof pub.data === 'string') console.log(pub.data.toUpperCase());
    break;
  }
  for await (const pub of sub) {
    console.log(pub.data.text);
    if (pub.offset > 100) break;
  }
  const answer = await client.rpc<{ ok: boolean }>('ping', {});
  console.log(answer.ok, await sub.position());
}
