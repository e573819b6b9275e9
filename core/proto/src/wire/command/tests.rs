//! The JSON form of every request (PROTOCOL.md §2.4, §7.4). Frames are tested in `codec`.

use super::*;

fn encode_one(id: u32, body: CommandBody) -> String {
    serde_json::to_string(&Command { id, body }).unwrap()
}

fn json(s: &str) -> Payload {
    Payload::from_json_str(s).unwrap()
}

fn map<V>(pairs: impl IntoIterator<Item = (&'static str, V)>) -> BTreeMap<String, V> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[test]
fn every_other_command() {
    let cases: Vec<(Command, &str)> = vec![
        (
            Command { id: 5, body: CommandBody::Unsubscribe(UnsubscribeRequest { channel: "news".into() }) },
            r#"{"id":5,"unsubscribe":{"channel":"news"}}"#,
        ),
        (
            Command { id: 6, body: CommandBody::Presence(PresenceRequest { channel: "news".into() }) },
            r#"{"id":6,"presence":{"channel":"news"}}"#,
        ),
        (
            Command {
                id: 7,
                body: CommandBody::PresenceStats(PresenceStatsRequest { channel: "news".into() }),
            },
            r#"{"id":7,"presence_stats":{"channel":"news"}}"#,
        ),
        (
            Command {
                id: 8,
                body: CommandBody::History(HistoryRequest {
                    channel: "c".into(),
                    limit: 10,
                    since: Some(StreamPosition { offset: 5, epoch: "e".into() }),
                    reverse: false,
                }),
            },
            r#"{"id":8,"history":{"channel":"c","limit":10,"since":{"offset":5,"epoch":"e"}}}"#,
        ),
        (
            Command {
                id: 9,
                body: CommandBody::History(HistoryRequest {
                    channel: "c".into(),
                    limit: -1,
                    since: None,
                    reverse: true,
                }),
            },
            r#"{"id":9,"history":{"channel":"c","limit":-1,"reverse":true}}"#,
        ),
        (
            Command { id: 0, body: CommandBody::Send(SendRequest { data: json(r#"["hi"]"#) }) },
            r#"{"send":{"data":["hi"]}}"#,
        ),
        (
            Command {
                id: 10,
                body: CommandBody::Rpc(RpcRequest { method: "sum".into(), data: json("[1,2]") }),
            },
            r#"{"id":10,"rpc":{"method":"sum","data":[1,2]}}"#,
        ),
        (
            Command {
                id: 11,
                body: CommandBody::SubRefresh(SubRefreshRequest {
                    channel: "$private".into(),
                    token: "t\"q".into(),
                }),
            },
            r#"{"id":11,"sub_refresh":{"channel":"$private","token":"t\"q"}}"#,
        ),
        (
            Command { id: 12, body: CommandBody::Subscribe(SubscribeRequest::default()) },
            r#"{"id":12,"subscribe":{}}"#,
        ),
    ];
    for (command, expected) in cases {
        assert_eq!(serde_json::to_string(&command).unwrap(), expected);
        // The output is one valid JSON object.
        let value: serde_json::Value = serde_json::from_str(expected).unwrap();
        assert!(value.is_object());
    }
}

#[test]
fn full_connect_and_subscribe() {
    let sub = SubscribeRequest { recover: true, offset: 3, epoch: "x".into(), ..Default::default() };
    let connect = ConnectRequest {
        token: "t".into(),
        data: Some(json(r#"{"a":1}"#)),
        subs: map([("user#1", sub)]),
        name: "rust".into(),
        version: "0.1".into(),
        headers: map([("Authorization", "Bearer x".to_owned())]),
    };
    assert_eq!(
        encode_one(1, CommandBody::Connect(connect)),
        r#"{"id":1,"connect":{"token":"t","data":{"a":1},"subs":{"user#1":{"recover":true,"epoch":"x","offset":3}},"name":"rust","version":"0.1","headers":{"Authorization":"Bearer x"}}}"#
    );
    let subscribe = SubscribeRequest {
        channel: "chat".into(),
        token: "tok".into(),
        recover: true,
        epoch: "e".into(),
        offset: u64::MAX,
        data: Some(json(r#""s""#)),
        positioned: true,
        recoverable: true,
        join_leave: true,
        delta: "fossil".into(),
        tf: Some(TagsFilter::and(vec![TagsFilter::eq("kind", "good"), TagsFilter::is_in("r", ["eu"])])),
        flag: 3,
    };
    assert_eq!(
        encode_one(2, CommandBody::Subscribe(subscribe)),
        r#"{"id":2,"subscribe":{"channel":"chat","token":"tok","recover":true,"epoch":"e","offset":18446744073709551615,"data":"s","positioned":true,"recoverable":true,"join_leave":true,"delta":"fossil","tf":{"op":"and","nodes":[{"key":"kind","cmp":"eq","val":"good"},{"key":"r","cmp":"in","vals":["eu"]}]},"flag":3}}"#
    );
}

#[test]
fn empty_payloads_are_left_out() {
    let connect = ConnectRequest { data: Some(Payload::default()), ..Default::default() };
    assert_eq!(encode_one(1, CommandBody::Connect(connect)), r#"{"id":1,"connect":{}}"#);
    let publish = PublishRequest { channel: "c".into(), data: Payload::default() };
    assert_eq!(encode_one(2, CommandBody::Publish(publish)), r#"{"id":2,"publish":{"channel":"c"}}"#);
}

#[test]
fn debug_output_never_shows_tokens_or_header_values() {
    let connect = ConnectRequest {
        token: "secret-token".into(),
        headers: map([("Authorization", "Bearer secret-header".to_owned())]),
        ..Default::default()
    };
    let subscribe = SubscribeRequest { token: "secret-sub".into(), ..Default::default() };
    let refresh = RefreshRequest { token: "secret-refresh".into() };
    let sub_refresh = SubRefreshRequest { channel: "c".into(), token: "secret-sub-refresh".into() };
    let text = format!("{connect:?} {subscribe:?} {refresh:?} {sub_refresh:?}");
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains("Authorization"), "header names stay visible: {text}");
}
