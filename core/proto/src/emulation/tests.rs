#![allow(clippy::unwrap_used)]

use bytes::Bytes;

use super::*;
use crate::codec::Format;
use crate::transport::TransportKind;

#[test]
fn every_case_of_every_table_holds() {
    let mut failures = Vec::new();
    failures.extend(cases::decoding().iter().filter_map(|c| c.run().err()));
    failures.extend(cases::stream_requests().iter().filter_map(|c| c.run().err()));
    failures.extend(cases::posts().iter().filter_map(|c| c.run().err()));
    failures.extend(cases::batching().iter().filter_map(|c| c.run().err()));
    failures.extend(cases::urls().iter().filter_map(|c| c.run().err()));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn whole_chunks_are_not_copied() {
    let chunk = Bytes::from_static(b"{\"a\":1}\n{\"b\":2}\n");
    let mut decoder = StreamDecoder::new(TransportKind::HttpStream, Format::Json).unwrap();
    let frame = decoder.push(chunk.clone()).unwrap().unwrap();
    assert_eq!(frame.as_ptr(), chunk.as_ptr());

    let chunk = Bytes::from_static(&[0x00, 0x02, 0x08, 0x01, 0x05]);
    let mut decoder = StreamDecoder::new(TransportKind::HttpStream, Format::Protobuf).unwrap();
    let frame = decoder.push(chunk.clone()).unwrap().unwrap();
    assert_eq!((frame.as_ptr(), frame.len()), (chunk.as_ptr(), 4));

    let chunk = Bytes::from_static(b"data: {\"a\":1}\r\n\r\n");
    let mut decoder = StreamDecoder::new(TransportKind::Sse, Format::Json).unwrap();
    let frame = decoder.push(chunk.clone()).unwrap().unwrap();
    assert_eq!(&frame[..], b"{\"a\":1}");
    assert_eq!(frame.as_ptr(), chunk[6..].as_ptr());
}

/// Every way of cutting a body gives the same messages.
#[test]
fn any_chunking_gives_the_same_messages() {
    let bodies: [(TransportKind, Format, &[u8], &[u8]); 3] = [
        (
            TransportKind::HttpStream,
            Format::Json,
            b"{\"a\":1}\n{}\r\n{\"b\":[1,2]}\n",
            b"{\"a\":1}\n{}\r\n{\"b\":[1,2]}\n",
        ),
        (
            TransportKind::HttpStream,
            Format::Protobuf,
            &[0x00, 0x02, 0x08, 0x01, 0x00, 0x01, 0x08],
            &[0x00, 0x02, 0x08, 0x01, 0x00, 0x01, 0x08],
        ),
        (
            TransportKind::Sse,
            Format::Json,
            b"\r\ndata: {\"a\":1}\r\n\r\n: ping\n\ndata: {}\n\n",
            b"{\"a\":1}{}",
        ),
    ];
    let mut rng = fastrand::Rng::with_seed(7);
    for (kind, format, body, expected) in bodies {
        for _ in 0..200 {
            let mut decoder = StreamDecoder::new(kind, format).unwrap();
            let mut got = Vec::new();
            let mut rest = body;
            while !rest.is_empty() {
                let (chunk, tail) = rest.split_at(rng.usize(1..=rest.len()));
                rest = tail;
                if let Some(frame) = decoder.push(Bytes::copy_from_slice(chunk)).unwrap() {
                    // SSE frames are newline-joined events; compare the events themselves.
                    let events = if kind == TransportKind::Sse {
                        frame.split(|&b| b == b'\n').flat_map(|e| e.iter().copied()).collect()
                    } else {
                        frame.to_vec()
                    };
                    got.extend(events);
                }
            }
            decoder.finish().unwrap();
            assert_eq!(got, expected, "{kind} {format:?}");
        }
    }
}

#[test]
fn no_input_panics_and_errors_are_final() {
    let mut rng = fastrand::Rng::with_seed(11);
    let alphabet = b"data: {}\r\n:\x00\x80\xff";
    for (kind, format) in [
        (TransportKind::HttpStream, Format::Json),
        (TransportKind::HttpStream, Format::Protobuf),
        (TransportKind::Sse, Format::Json),
    ] {
        for _ in 0..300 {
            let mut decoder = StreamDecoder::new(kind, format).unwrap().with_max_message(64);
            let mut failed = None;
            for _ in 0..rng.usize(0..20) {
                let chunk: Vec<u8> =
                    (0..rng.usize(0..40)).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
                match (decoder.push(Bytes::from(chunk)), &failed) {
                    (Err(err), None) => failed = Some(err),
                    (result, Some(first)) => assert_eq!(result.as_ref().err(), Some(first)),
                    (Ok(_), None) => {}
                }
            }
            let _ = decoder.finish();
        }
    }
}

#[test]
fn invalid_urls_never_quote_the_query() {
    let err = emulation_urls("ftp://h/connection/websocket?token=secret", TransportKind::Sse).unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
    let err = http_url("nope?token=secret").unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[test]
fn overrides_keep_their_path_and_query() {
    assert_eq!(http_url("wss://h/my/stream?x=1").unwrap(), "https://h/my/stream?x=1");
    assert_eq!(http_url("ws://h").unwrap(), "http://h");
}

#[test]
fn the_queue_reports_its_state() {
    let mut queue = PostQueue::new(Format::Json);
    queue.push(Bytes::from_static(b"{}"));
    assert!(!queue.has_session() && queue.pending() == 1 && !queue.in_flight());
    queue.set_session("s", "n");
    let post = queue.next_post().unwrap().unwrap();
    assert_eq!((post.content_type, post.frames), (JSON_CONTENT_TYPE, 1));
    assert!(queue.in_flight() && queue.pending() == 0);
    queue.push(Bytes::from_static(b"\xff"));
    queue.post_done();
    assert_eq!(queue.next_post().unwrap_err().kind(), ErrorKind::NotUtf8);
}

#[test]
fn checks_use_the_transport_rules() {
    assert!(check(TransportKind::HttpStream, Format::Protobuf).is_ok());
    assert_eq!(check(TransportKind::Sse, Format::Protobuf).unwrap_err().kind(), ErrorKind::FormatNotCarried);
    assert_eq!(check(TransportKind::WebSocket, Format::Json).unwrap_err().kind(), ErrorKind::NotEmulation);
}
