//! The writer of a native emulation connection: the frames after `connect`, POSTed to the emulation
//! endpoint in the order and batches [`PostQueue`] decides (one in flight, merged while waiting).
//!
//! The server answers 204 once it has processed the commands; anything else (404 when the session's
//! node is gone, 413, 500…), a network failure or a POST slower than [`POST_TIMEOUT`] ends the
//! connection, and the client reconnects. The connection is kept alive between POSTs; a request that
//! hyper reports as never sent on a closed keep-alive connection is sent again on a fresh one (so no
//! command can be sent twice).

use std::time::Duration;

use bytes::Bytes;
use ceaseless_proto::emulation::{Post, PostQueue};
use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use hyper::StatusCode;

use super::closed;
use super::http::{HttpConnection, HttpSettings, drain, error_body};
use crate::transport::websocket::SafeUrl;
use crate::transport::{CloseInfo, FrameFormat, Outgoing};

/// How long one POST to the emulation endpoint may take before the connection is given up.
const POST_TIMEOUT: Duration = Duration::from_secs(30);

type PostFuture = futures::future::BoxFuture<'static, Result<HttpConnection, CloseInfo>>;

/// The ordered POSTs of one connection.
pub(super) struct Writer {
    settings: HttpSettings,
    url: url::Url,
    target: String,
    queue: PostQueue,
    /// The keep-alive POST connection while no POST is in flight.
    idle: Option<HttpConnection>,
}

impl Writer {
    pub(super) fn new(settings: HttpSettings, url: url::Url, format: FrameFormat) -> Self {
        let target = SafeUrl::new(&url).to_string();
        Self { settings, url, target, queue: PostQueue::new(format), idle: None }
    }

    /// Runs until the driver closes the connection (`Ok`) or a POST fails (`Err`).
    pub(super) async fn run(mut self, outgoing: &mut UnboundedReceiver<Outgoing>) -> Result<(), CloseInfo> {
        let mut inflight: Option<PostFuture> = None;
        loop {
            tokio::select! {
                biased;
                item = outgoing.next() => match item {
                    Some(Outgoing::Frame(frame)) => self.queue.push(frame),
                    Some(Outgoing::Session { session, node }) => self.queue.set_session(session, node),
                    Some(Outgoing::Close { .. }) | None => return Ok(()),
                },
                done = async {
                    match inflight.as_mut() {
                        Some(post) => post.await,
                        None => futures::future::pending().await,
                    }
                }, if inflight.is_some() => {
                    inflight = None;
                    self.idle = Some(done?);
                    self.queue.post_done();
                }
            }
            if inflight.is_none()
                && let Some(post) = self.queue.next_post().map_err(|err| closed(err.to_string()))?
            {
                inflight = Some(self.start(post));
            }
        }
    }

    /// Starts one POST.
    fn start(&mut self, post: Post) -> PostFuture {
        tracing::trace!(frames = post.frames, bytes = post.body.len(), "emulation POST");
        let send = send_post(
            self.settings.clone(),
            self.idle.take(),
            self.url.clone(),
            self.target.clone(),
            post.body,
            post.content_type,
        );
        Box::pin(async move {
            match tokio::time::timeout(POST_TIMEOUT, send).await {
                Ok(result) => result,
                Err(_) => Err(closed(format!("an emulation POST took longer than {POST_TIMEOUT:?}"))),
            }
        })
    }
}

/// One POST to the emulation endpoint on `idle` (when still usable) or a new connection. Gives the
/// connection back for the next POST.
async fn send_post(
    settings: HttpSettings,
    idle: Option<HttpConnection>,
    url: url::Url,
    target: String,
    body: Bytes,
    content_type: &'static str,
) -> Result<HttpConnection, CloseInfo> {
    let connect = || async {
        HttpConnection::connect(&settings, &url)
            .await
            .map_err(|err| closed(format!("cannot reach the emulation endpoint: {}", err.message)))
    };
    let mut connection = match idle.filter(HttpConnection::is_usable) {
        Some(connection) => connection,
        None => connect().await?,
    };
    let request = connection.post_request(&url, content_type, None, body).map_err(closed)?;
    let response = match connection.sender.try_send_request(request).await {
        Ok(response) => response,
        Err(mut err) => match err.take_message() {
            // Never written: the keep-alive connection had closed. Safe to send on a fresh one.
            Some(request) => {
                tracing::debug!(error = %err.error(), "emulation connection closed while idle; reconnecting");
                connection = connect().await?;
                connection
                    .send(request)
                    .await
                    .map_err(|err| closed(format!("the emulation POST to {target} failed: {err}")))?
            }
            None => {
                return Err(closed(format!("the emulation POST to {target} failed: {}", err.into_error())));
            }
        },
    };
    let status = response.status();
    if status.is_success() {
        // 204 has no body; read whatever there is so the connection can carry the next POST.
        drain(response).await;
        return Ok(connection);
    }
    let body = error_body(response).await;
    let reason = if status == StatusCode::NOT_FOUND {
        format!("the emulation endpoint {target} answered HTTP 404: the session's node is gone{body}")
    } else {
        format!("the emulation endpoint {target} answered HTTP {status}{body}")
    };
    Err(closed(reason))
}
