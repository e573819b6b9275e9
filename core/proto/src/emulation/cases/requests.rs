//! The stream request, POST body and batching cases.

use bytes::Bytes;

use super::{HTTP, JSON, PB, SSE};
use crate::codec::Format;
use crate::emulation::{ErrorKind, PostQueue, StreamRequest, encode_post};
use crate::transport::TransportKind;

/// A stream request and its headers.
#[derive(Debug, Clone, Copy)]
pub struct StreamRequestCase {
    /// What the case shows.
    pub name: &'static str,
    /// The transport.
    pub kind: TransportKind,
    /// The encoding.
    pub format: Format,
    /// `(Content-Type, Accept)`, or the error.
    pub expect: Result<(&'static str, Option<&'static str>), ErrorKind>,
}

impl StreamRequestCase {
    /// Runs the case on [`StreamRequest::new`] (which must also keep the connect frame as the body).
    ///
    /// # Errors
    /// The difference from the expected outcome.
    pub fn run(&self) -> Result<(), String> {
        let connect = Bytes::from_static(b"{\"id\":1,\"connect\":{}}");
        let got = StreamRequest::new(self.kind, self.format, connect.clone());
        let ok = match (&got, &self.expect) {
            (Ok(request), Ok((content_type, accept))) => {
                request.method == "POST"
                    && request.content_type == *content_type
                    && request.accept == *accept
                    && request.body == connect
            }
            (Err(err), Err(kind)) => err.kind() == *kind,
            _ => false,
        };
        if ok { Ok(()) } else { Err(format!("{}: got {got:?}, expected {:?}", self.name, self.expect)) }
    }
}

static STREAM_REQUESTS: &[StreamRequestCase] = &[
    StreamRequestCase {
        name: "http_stream, JSON",
        kind: HTTP,
        format: JSON,
        expect: Ok(("text/plain", None)),
    },
    StreamRequestCase {
        name: "http_stream, Protobuf",
        kind: HTTP,
        format: PB,
        expect: Ok(("application/octet-stream", None)),
    },
    StreamRequestCase {
        name: "sse, JSON: the connect frame in a POST body",
        kind: SSE,
        format: JSON,
        expect: Ok(("text/plain", Some("text/event-stream"))),
    },
    StreamRequestCase {
        name: "sse, Protobuf",
        kind: SSE,
        format: PB,
        expect: Err(ErrorKind::FormatNotCarried),
    },
    StreamRequestCase {
        name: "websocket",
        kind: TransportKind::WebSocket,
        format: JSON,
        expect: Err(ErrorKind::NotEmulation),
    },
];

/// The stream request cases.
pub fn stream_requests() -> &'static [StreamRequestCase] {
    STREAM_REQUESTS
}

/// A POST body and what it must encode to.
#[derive(Debug, Clone, Copy)]
pub struct PostCase {
    /// What the case shows.
    pub name: &'static str,
    /// The encoding.
    pub format: Format,
    /// The connect reply's node.
    pub node: &'static str,
    /// The connect reply's session.
    pub session: &'static str,
    /// The frames of the batch.
    pub frames: &'static [&'static [u8]],
    /// The body, or the error.
    pub body: Result<&'static [u8], ErrorKind>,
}

impl PostCase {
    /// Runs the case on [`encode_post`].
    ///
    /// # Errors
    /// The difference from the expected outcome.
    pub fn run(&self) -> Result<(), String> {
        let frames: Vec<Bytes> = self.frames.iter().map(|f| Bytes::from_static(f)).collect();
        let got = encode_post(self.format, self.node, self.session, &frames);
        let ok = match (&got, &self.body) {
            (Ok(body), Ok(expected)) => &body[..] == *expected,
            (Err(err), Err(kind)) => err.kind() == *kind,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            let got = got.map(|b| String::from_utf8_lossy(&b).into_owned());
            let expected = self.body.map(String::from_utf8_lossy);
            Err(format!("{}: got {got:?}, expected {expected:?}", self.name))
        }
    }
}

static POSTS: &[PostCase] = &[
    PostCase {
        name: "json: node, session and the commands as a string",
        format: JSON,
        node: "n1",
        session: "s1",
        frames: &[b"{\"id\":2,\"subscribe\":{\"channel\":\"a\"}}"],
        body: Ok(br#"{"node":"n1","session":"s1","data":"{\"id\":2,\"subscribe\":{\"channel\":\"a\"}}"}"#),
    },
    PostCase {
        name: "json: frames newline-joined, never an empty line",
        format: JSON,
        node: "n",
        session: "s",
        frames: &[b"{\"id\":1}\n", b"\n", b"{\"id\":2}\r\n\n{\"id\":3}"],
        body: Ok(br#"{"node":"n","session":"s","data":"{\"id\":1}\n{\"id\":2}\n{\"id\":3}"}"#),
    },
    PostCase {
        name: "json: a frame that is not UTF-8",
        format: JSON,
        node: "n",
        session: "s",
        frames: &[b"\xff"],
        body: Err(ErrorKind::NotUtf8),
    },
    PostCase {
        name: "protobuf: an EmulationRequest around the concatenated frames",
        format: PB,
        node: "n",
        session: "s",
        frames: &[&[0x00], &[0x02, 0x08, 0x01]],
        body: Ok(&[0x0a, 0x01, b'n', 0x12, 0x01, b's', 0x1a, 0x04, 0x00, 0x02, 0x08, 0x01]),
    },
];

/// The POST body cases.
pub fn posts() -> &'static [PostCase] {
    POSTS
}

/// One call on a [`PostQueue`].
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// [`PostQueue::push`].
    Frame(&'static [u8]),
    /// [`PostQueue::set_session`].
    Session {
        /// The session.
        session: &'static str,
        /// The node.
        node: &'static str,
    },
    /// [`PostQueue::next_post`] must give this body (or nothing).
    Next(Option<&'static [u8]>),
    /// [`PostQueue::post_done`].
    Done,
}

/// A sequence of queue calls.
#[derive(Debug, Clone, Copy)]
pub struct BatchCase {
    /// What the case shows.
    pub name: &'static str,
    /// The encoding.
    pub format: Format,
    /// The batch limit, when not [`crate::emulation::MAX_BATCH`].
    pub max_batch: Option<usize>,
    /// The calls.
    pub steps: &'static [Step],
}

impl BatchCase {
    /// Runs the steps on a [`PostQueue`].
    ///
    /// # Errors
    /// The first step that did not give what it expects.
    pub fn run(&self) -> Result<(), String> {
        let mut queue = match self.max_batch {
            Some(max) => PostQueue::with_max_batch(self.format, max),
            None => PostQueue::new(self.format),
        };
        for (i, step) in self.steps.iter().enumerate() {
            match *step {
                Step::Frame(frame) => queue.push(Bytes::from_static(frame)),
                Step::Session { session, node } => queue.set_session(session, node),
                Step::Done => queue.post_done(),
                Step::Next(expected) => {
                    let got = queue.next_post().map_err(|err| format!("{} step {i}: {err}", self.name))?;
                    let got = got.map(|post| post.body);
                    if got.as_deref() != expected {
                        let got = got.map(|b| String::from_utf8_lossy(&b).into_owned());
                        let expected = expected.map(String::from_utf8_lossy);
                        return Err(format!("{} step {i}: got {got:?}, expected {expected:?}", self.name));
                    }
                }
            }
        }
        Ok(())
    }
}

const SESSION: Step = Step::Session { session: "s", node: "n" };

static BATCHING: &[BatchCase] = &[
    BatchCase {
        name: "nothing before the session, one in flight, merged while waiting",
        format: JSON,
        max_batch: None,
        steps: &[
            Step::Frame(b"{\"id\":1}"),
            Step::Next(None),
            SESSION,
            Step::Next(Some(br#"{"node":"n","session":"s","data":"{\"id\":1}"}"#)),
            Step::Frame(b"{\"id\":2}"),
            Step::Frame(b"{}"),
            Step::Next(None),
            Step::Done,
            Step::Next(Some(br#"{"node":"n","session":"s","data":"{\"id\":2}\n{}"}"#)),
            Step::Done,
            Step::Next(None),
        ],
    },
    BatchCase {
        name: "batches stop at the size limit, in order",
        format: JSON,
        max_batch: Some(10),
        steps: &[
            SESSION,
            Step::Frame(b"{\"id\":1}"),
            Step::Frame(b"{\"id\":2}"),
            Step::Next(Some(br#"{"node":"n","session":"s","data":"{\"id\":1}"}"#)),
            Step::Done,
            Step::Next(Some(br#"{"node":"n","session":"s","data":"{\"id\":2}"}"#)),
        ],
    },
    BatchCase {
        name: "a frame over the limit goes alone",
        format: JSON,
        max_batch: Some(4),
        steps: &[
            SESSION,
            Step::Frame(b"{\"id\":1}"),
            Step::Next(Some(br#"{"node":"n","session":"s","data":"{\"id\":1}"}"#)),
        ],
    },
    BatchCase {
        name: "protobuf frames are concatenated",
        format: PB,
        max_batch: None,
        steps: &[
            Step::Frame(&[0x00]),
            Step::Frame(&[0x02, 0x08, 0x01]),
            SESSION,
            Step::Next(Some(&[0x0a, 0x01, b'n', 0x12, 0x01, b's', 0x1a, 0x04, 0x00, 0x02, 0x08, 0x01])),
        ],
    },
    BatchCase {
        name: "empty frames are dropped",
        format: JSON,
        max_batch: None,
        steps: &[SESSION, Step::Frame(b""), Step::Next(None)],
    },
];

/// The batching cases.
pub fn batching() -> &'static [BatchCase] {
    BATCHING
}
