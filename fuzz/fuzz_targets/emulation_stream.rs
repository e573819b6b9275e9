//! The HTTP-streaming (JSON lines, Protobuf) and SSE stream decoders on any bytes, cut into chunks
//! anywhere: frames or an error, never a panic; no frame larger than the cap. The first byte picks the
//! stream kind, the second the chunk size.
#![no_main]

use bytes::Bytes;
use ceaseless_proto::TransportKind;
use ceaseless_proto::codec::Format;
use ceaseless_proto::emulation::StreamDecoder;
use libfuzzer_sys::fuzz_target;

const MAX: usize = 64 << 10;

fuzz_target!(|data: &[u8]| {
    let [mode, chunk, rest @ ..] = data else {
        return;
    };
    let (kind, format) = match mode % 3 {
        0 => (TransportKind::HttpStream, Format::Json),
        1 => (TransportKind::HttpStream, Format::Protobuf),
        _ => (TransportKind::Sse, Format::Json),
    };
    let Ok(decoder) = StreamDecoder::new(kind, format) else {
        return;
    };
    let mut decoder = decoder.with_max_message(MAX);
    for piece in rest.chunks(usize::from(*chunk).max(1)) {
        match decoder.push(Bytes::copy_from_slice(piece)) {
            Ok(Some(frame)) => assert!(frame.len() <= rest.len(), "a frame comes from the input"),
            Ok(None) => {}
            Err(_) => return,
        }
    }
    let _ = decoder.finish();
});
