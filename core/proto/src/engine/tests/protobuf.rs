//! The Protobuf codec end to end through the engine: a connection whose every frame is binary.
//!
//! The JSON [`Sim`](super::sim::Sim) parses text frames, so this file drives the engine directly and
//! plays the server with the prost schema types: it decodes each transmitted frame as varint-delimited
//! `Command`s and answers with delimited `Reply`s. Proven here: `connect` and the pending `subscribe`
//! share the first frame; the connect and subscribe replies, a publication push with non-UTF-8 data, a
//! ping (the single byte `0x00`, answered by the one-byte pong), a publish reply and a server error
//! reply all reach the app as they would over JSON. And the v6 fields: `connect` carries the emulated
//! headers, `subscribe` the tags filter and the compaction flag; a subscribe reply with every v6 field
//! and a compacted publication with every v6 field are accepted, delivered, and teach the epoch.

use bytes::{Buf, Bytes};
use prost::Message as _;
use web_time::Instant;

use super::sim::{SEED, secs};
use super::{config, recoverable};
use crate::codec::Format;
use crate::codec::protobuf::schema as pb;
use crate::engine::{Engine, Output, Request, Response, TransportId};
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, Event, SubscriptionEvent, SubscriptionState};
use crate::wire::Payload;

/// The engine, with every output it produced.
struct Binary {
    engine: Engine,
    now: Instant,
    outputs: Vec<Output>,
}

impl Binary {
    fn new() -> Binary {
        Binary::with(config())
    }

    fn with(config: crate::Config) -> Binary {
        let now = Instant::now();
        let config = crate::Config { format: Format::Protobuf, ..config };
        Binary { engine: Engine::new(config, SEED, now), now, outputs: Vec::new() }
    }

    /// Drains the outputs; returns the commands of every frame transmitted meanwhile, frame by frame.
    fn drain(&mut self) -> Vec<Vec<pb::Command>> {
        let mut frames = Vec::new();
        while let Some(output) = self.engine.poll_output() {
            if let Output::Transmit { frame, .. } = &output {
                frames.push(commands(frame.clone()));
            }
            self.outputs.push(output);
        }
        frames
    }

    fn transport(&self) -> TransportId {
        self.engine.transport_id().expect("a transport")
    }

    /// One frame of replies from the server.
    fn frame(&mut self, replies: &[pb::Reply]) -> Vec<Vec<pb::Command>> {
        let mut frame = Vec::new();
        for reply in replies {
            reply.encode_length_delimited(&mut frame).unwrap();
        }
        let id = self.transport();
        self.engine.handle_frame(id, &Bytes::from(frame), self.now);
        self.drain()
    }

    fn events(&self) -> Vec<Event> {
        let events = self.outputs.iter();
        events.filter_map(|o| if let Output::Event(e) = o { Some(e.clone()) } else { None }).collect()
    }

    fn sub_events(&self, channel: &str) -> Vec<SubscriptionEvent> {
        let events = self.events().into_iter();
        events
            .filter_map(|e| match e {
                Event::Subscription { channel: c, event } if c == channel => Some(event),
                _ => None,
            })
            .collect()
    }
}

fn commands(mut frame: Bytes) -> Vec<pb::Command> {
    let mut out = Vec::new();
    while frame.has_remaining() {
        out.push(pb::Command::decode_length_delimited(&mut frame).expect("a delimited command"));
    }
    out
}

fn reply(id: u32) -> pb::Reply {
    pb::Reply { id, ..Default::default() }
}

#[test]
fn connect_subscribe_publications_and_replies_in_protobuf() {
    let mut bin = Binary::new();
    bin.engine.new_subscription("chat", recoverable()).unwrap();
    bin.engine.subscribe("chat", bin.now).unwrap();
    bin.engine.connect(bin.now);
    assert!(bin.drain().is_empty());
    let id = bin.transport();
    bin.engine.handle_opened(id, true, bin.now);
    let frames = bin.drain();
    assert_eq!(frames.len(), 1, "connect and subscribe share the first frame");
    let [connect, subscribe] = &frames[0][..] else { panic!("two commands: {:?}", frames[0]) };
    assert!(connect.connect.is_some());
    let request = subscribe.subscribe.as_ref().expect("a subscribe");
    assert_eq!(request.channel, "chat");
    assert!(request.recoverable && request.positioned);

    let connected = pb::ConnectResult {
        client: "c-1".into(),
        version: "6.9.1".into(),
        ping: 25,
        pong: true,
        ..Default::default()
    };
    let subscribed = pb::SubscribeResult {
        recoverable: true,
        positioned: true,
        epoch: "e".into(),
        offset: 5,
        ..Default::default()
    };
    let answers = [
        pb::Reply { connect: Some(connected), ..reply(connect.id) },
        pb::Reply { subscribe: Some(subscribed), ..reply(subscribe.id) },
    ];
    assert!(bin.frame(&answers).is_empty());
    assert_eq!(bin.engine.state(), ClientState::Connected);
    assert_eq!(bin.engine.subscription_state("chat"), Some(SubscriptionState::Subscribed));
    let connected = bin.events().into_iter().find_map(|e| match e {
        Event::Client(ClientEvent::Connected { client, version, .. }) => Some((client, version)),
        _ => None,
    });
    assert_eq!(connected, Some(("c-1".to_owned(), "6.9.1".to_owned())));

    let data = Bytes::from_static(&[0xff, 0x00, 0x80, 0x7f]);
    let publication = pb::Publication { data: data.clone(), offset: 6, ..Default::default() };
    let push = pb::Push { channel: "chat".into(), publication: Some(publication), ..Default::default() };
    bin.frame(&[pb::Reply { push: Some(push), ..reply(0) }]);
    let delivered: Vec<_> = bin
        .sub_events("chat")
        .into_iter()
        .filter_map(|e| if let SubscriptionEvent::Publication(p) = e { Some(p) } else { None })
        .collect();
    assert_eq!(delivered.len(), 1);
    assert_eq!((delivered[0].offset, delivered[0].data.bytes()), (6, &data));
    assert_eq!(bin.engine.subscription_position("chat").map(|p| p.offset), Some(6));

    // The ping is the empty Reply, one zero byte; the pong is the empty Command, one zero byte.
    let id = bin.transport();
    bin.engine.handle_frame(id, &Bytes::from_static(&[0]), bin.now);
    bin.drain();
    let pong = bin.outputs.iter().rev().find_map(|o| match o {
        Output::Transmit { frame, .. } => Some(frame.clone()),
        _ => None,
    });
    assert_eq!(pong.as_deref(), Some(&[0u8][..]));

    let publish = Request::Publish { channel: "chat".into(), data: Payload::from_raw(data.clone()) };
    let published = bin.engine.request(publish, bin.now).unwrap();
    let frames = bin.drain();
    let command = &frames[0][0];
    assert_eq!(command.publish.as_ref().map(|p| &p.data), Some(&data), "raw bytes go out as they are");
    bin.frame(&[pb::Reply { publish: Some(pb::PublishResult {}), ..reply(command.id) }]);

    let history = Request::History { channel: "chat".into(), limit: 10, since: None, reverse: false };
    let refused = bin.engine.request(history, bin.now).unwrap();
    let frames = bin.drain();
    let error = pb::Error { code: 108, message: "not available".into(), temporary: false };
    bin.frame(&[pb::Reply { error: Some(error), ..reply(frames[0][0].id) }]);

    let outcome = |id| {
        let mut replies = bin.outputs.iter();
        replies.find_map(|o| match o {
            Output::Reply { id: r, result } if *r == id => Some(result.clone()),
            _ => None,
        })
    };
    assert_eq!(outcome(published), Some(Ok(Response::Published)));
    let server = Error::Server { code: 108, message: "not available".into(), temporary: false };
    assert_eq!(outcome(refused), Some(Err(server)));

    // The heartbeat watchdog runs on binary frames too: silence for ping + max delay reconnects.
    let deadline = bin.engine.poll_timeout().expect("the watchdog is armed");
    assert_eq!(deadline, bin.now + secs(25) + bin.engine.config().max_server_ping_delay);
    bin.engine.handle_timeout(deadline);
    bin.drain();
    assert_eq!(bin.engine.state(), ClientState::Connecting);
}

#[test]
fn every_v6_field_in_protobuf() {
    let headers = [("Authorization".to_owned(), "Bearer x".to_owned())].into_iter().collect();
    let mut bin = Binary::with(crate::Config { headers, ..config() });
    let filter = crate::filter::TagsFilter::and(vec![crate::filter::TagsFilter::eq("kind", "good")]);
    let sub = crate::config::SubscriptionConfig { tags_filter: Some(filter), ..recoverable() };
    bin.engine.new_subscription("chat", sub).unwrap();
    bin.engine.subscribe("chat", bin.now).unwrap();
    bin.engine.connect(bin.now);
    bin.drain();
    let id = bin.transport();
    bin.engine.handle_opened(id, true, bin.now);
    let frames = bin.drain();
    let [connect, subscribe] = &frames[0][..] else { panic!("two commands: {:?}", frames[0]) };
    let headers = &connect.connect.as_ref().expect("a connect").headers;
    assert_eq!(headers.get("Authorization").map(String::as_str), Some("Bearer x"));
    let request = subscribe.subscribe.as_ref().expect("a subscribe");
    assert_eq!(request.flag, 1, "channel compaction");
    let tf = request.tf.as_ref().expect("the tags filter");
    assert_eq!((tf.op.as_str(), tf.nodes.len(), tf.nodes[0].cmp.as_str()), ("and", 1, "eq"));

    let v6_publication = |offset: u64, epoch: &str| pb::Publication {
        data: Bytes::from_static(b"\x01"),
        offset,
        key: "k1".into(),
        removed: false,
        score: -4,
        epoch: epoch.into(),
        prev_data: Bytes::from_static(b"prev"),
        version: 3,
        ..Default::default()
    };
    let subscribed = pb::SubscribeResult {
        recoverable: true,
        positioned: true,
        id: 42,
        r#type: 0,
        phase: 0,
        cursor: "c".into(),
        state: vec![v6_publication(0, "")],
        publish_debounce: 50,
        ..Default::default()
    };
    let answers = [
        pb::Reply { connect: Some(pb::ConnectResult::default()), ..reply(connect.id) },
        pb::Reply { subscribe: Some(subscribed), ..reply(subscribe.id) },
    ];
    bin.frame(&answers);
    assert_eq!(bin.engine.subscription_state("chat"), Some(SubscriptionState::Subscribed));

    let push = pb::Push { id: 42, publication: Some(v6_publication(1, "ep1")), ..Default::default() };
    bin.frame(&[pb::Reply { push: Some(push), ..reply(0) }]);
    let delivered: Vec<_> = bin
        .sub_events("chat")
        .into_iter()
        .filter_map(|e| if let SubscriptionEvent::Publication(p) = e { Some(p) } else { None })
        .collect();
    assert_eq!(delivered.len(), 1, "the compacted push reaches the subscription with id 42");
    let p = &delivered[0];
    assert_eq!((p.offset, p.key.as_str(), p.score, p.version), (1, "k1", -4, 3));
    let position = bin.engine.subscription_position("chat").expect("a position");
    assert_eq!((position.offset, position.epoch.as_str()), (1, "ep1"), "the first epoch is adopted");
}
