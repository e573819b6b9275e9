// A typed usage example of the package. `tsc --noEmit --strict` must accept it (wasm/run-tests.sh).
import {
  CallbackError,
  CeaselessError,
  Client,
  InternalError,
  InvalidTagsFilterError,
  QueueFullError,
  ServerError,
  UnauthorizedError,
  type ClientEvents,
  type ErrorKind,
  type FilterNode,
  type LoadedState,
  type PositionStore,
  type Publication,
  type StreamPosition,
  type WakeReport,
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
    {
      getToken: fetchToken,
      name: 'chat',
      headers: { 'X-Tenant': 'blue' },
      timeout: 5000,
      backgroundGrace: Infinity,
      positionStore: 'chat:',
      reconnectDelayMin: 200,
      reconnectDelayMax: 2000,
      refreshAhead: 10_000,
      maxMessageSize: 65_536,
      offlineQueueLimit: 100,
      offlineQueueTimeout: 5000,
      suspendAfter: 60_000,
      fallbackUrls: ['wss://other.example.com/connection/websocket'],
    },
  );
  client.setHeaders({ 'X-Tenant': 'green' });
  const onlyGood: FilterNode = { op: 'and', nodes: [{ key: 'kind', cmp: 'eq', val: 'good' }, { key: 'prio', cmp: 'gte', val: '2' }] };
  try {
    using tagged = client.newSubscription('tagged:news', {
      tagsFilter: onlyGood,
      stateLoader: async (channel): Promise<LoadedState> => ({ position: { offset: 0, epoch: channel }, state: { items: [] } }),
    });
    tagged.on('stateLoaded', ({ state, position }) => console.log(state, position.offset, position.epoch));
  } catch (e) {
    if (e instanceof InvalidTagsFilterError) console.log(e.kind === 'InvalidTagsFilter', e.code);
  }
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

  client.networkChanged(false);
  client.networkChanged(true);
  client.setAppState('background');
  client.setAppState('foreground');
  const report: WakeReport = await client.wake(10_000);
  for (const [channel, count] of Object.entries(report.publications)) console.log(channel, count);
  console.log(report.caughtUp, report.elapsed);
}

const saved = new Map<string, StreamPosition>();
const store: PositionStore = {
  load: (channel) => saved.get(channel),
  save: (channel, position) => void saved.set(channel, position),
};

export async function binary(): Promise<void> {
  const client = new Client('wss://example.com/connection/websocket', {
    format: 'protobuf',
    transports: ['websocket', 'http_stream'],
    positionStore: store,
    data: new Uint8Array([1, 2, 3]),
  });
  const sub = client.newSubscription<Uint8Array>('bytes', {
    delta: true,
    resubscribeDelayMin: 100,
    resubscribeDelayMax: 1000,
    since: { offset: 1, epoch: 'e' },
  });
  sub.on('publication', (pub) => console.log(pub.data.byteLength));
  try {
    await sub.publish(new Uint8Array([4, 5]));
  } catch (e) {
    if (e instanceof QueueFullError || e instanceof CallbackError || e instanceof InternalError) {
      const kind: ErrorKind = e.kind;
      console.log(kind, e.code);
    }
  }
  await client.close();
}
