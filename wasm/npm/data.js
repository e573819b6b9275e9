// Application data across the boundary. With the JSON format it travels as JSON text (parsed once, in
// JS, as part of each batch). With Protobuf it is bytes: each batch (and each call result) brings one
// buffer, and the JSON holds `[start, end]` ranges into it where data would be.

const encoder = new TextEncoder();

/** JSON text of application data (the core rejects what is not JSON). */
export function json(data) {
  return JSON.stringify(data) ?? '';
}

/** Bytes of application data for the Protobuf format: bytes as they are, text as UTF-8, else JSON. */
export function bytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return encoder.encode(typeof data === 'string' ? data : json(data));
}

/** The bytes a `[start, end]` range points at (a copy, so the batch buffer can go), or null. */
function range(value, buffer) {
  return Array.isArray(value) ? buffer.slice(value[0], value[1]) : null;
}

function reviveInfo(info, buffer) {
  if (!info) return;
  if ('connInfo' in info) info.connInfo = range(info.connInfo, buffer);
  if ('chanInfo' in info) info.chanInfo = range(info.chanInfo, buffer);
}

/** Replaces the ranges of one event context (or publication) with their bytes, in place. */
export function revive(context, buffer) {
  if (!buffer) return context;
  if ('data' in context) context.data = range(context.data, buffer);
  if ('state' in context) context.state = range(context.state, buffer);
  reviveInfo(context.info, buffer);
  return context;
}

/** A call result: JSON text, or `[text, buffer]` with the Protobuf format. */
export function result(raw, reviver) {
  if (typeof raw === 'string') return JSON.parse(raw);
  const [text, buffer] = raw;
  return reviver(JSON.parse(text), buffer);
}

/** Revives every publication of a history result. */
export function reviveHistory(history, buffer) {
  for (const publication of history.publications) revive(publication, buffer);
  return history;
}

/** Revives every client of a presence result. */
export function revivePresence(presence, buffer) {
  for (const info of Object.values(presence.clients)) reviveInfo(info, buffer);
  return presence;
}

/** The bytes of an RPC reply (`[start, end]` or null). */
export function reviveReply(reply, buffer) {
  return range(reply, buffer);
}
