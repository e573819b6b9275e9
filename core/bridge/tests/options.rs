//! The v6 options through the bridge: a tags filter handed over as JSON is parsed and validated once
//! for every binding (an invalid one is the `InvalidTagsFilter` kind, code 23), and header values never
//! show in `Debug` output.

use std::collections::BTreeMap;

use ceaseless_bridge::{ClientOptions, ErrorInfo, ErrorKind, SubscriptionOptions};

const URL: &str = "ws://fake.invalid/connection/websocket";

#[tokio::test]
async fn a_tags_filter_in_json_is_validated_once_for_every_binding() {
    let client = ClientOptions::default().builder(URL).and_then(|b| b.build()).expect("a client");
    let options =
        |json: &str| SubscriptionOptions { tags_filter: Some(json.to_owned()), ..Default::default() };

    let ok = options(r#"{"op":"and","nodes":[{"key":"kind","cmp":"eq","val":"good"}]}"#)
        .apply(client.new_subscription("a"), None)
        .and_then(|b| b.build());
    assert!(ok.is_ok(), "{ok:?}");

    for bad in [r#"{"key":"kind","cmp":"in","val":"x"}"#, "[1,2]", "not json"] {
        let err = options(bad).apply(client.new_subscription("b"), None).and_then(|b| b.build());
        let info = ErrorInfo::from(err.expect_err(bad));
        assert_eq!(
            (info.kind, info.code, info.temporary),
            (ErrorKind::InvalidTagsFilter, 23, false),
            "{bad}"
        );
    }

    let with_delta = SubscriptionOptions { delta: Some(true), ..options(r#"{"key":"k","cmp":"ex"}"#) };
    let err = with_delta.apply(client.new_subscription("c"), None).and_then(|b| b.build());
    assert_eq!(ErrorInfo::from(err.expect_err("delta")).kind, ErrorKind::InvalidTagsFilter);
    client.close().await;
}

#[test]
fn header_values_never_show_in_debug_output() {
    let options = ClientOptions {
        headers: BTreeMap::from([("Authorization".to_owned(), "Bearer secret-value".to_owned())]),
        ..Default::default()
    };
    let text = format!("{options:?}");
    assert!(!text.contains("secret-value") && text.contains("Authorization"), "{text}");
}
