//! Calls waiting for the connection (`Client::ready()`), and when they give up.
//!
//! A waiter never hangs on a client that cannot get in:
//! - the client stops (`Disconnected`): the waiters fail at once with why, the server's code and reason
//!   when the server refused ([`Error::from_disconnected`]: 3500 "invalid token" is a non-temporary
//!   `Server` error);
//! - attempts keep failing for a temporary reason (refused, HTTP 404, DNS, a failing token provider):
//!   once the client's `timeout` has passed since the wait began and an attempt has failed meanwhile,
//!   the waiters fail with the last cause (a `Transport` or `Token` error, temporary). The client
//!   itself keeps reconnecting in the background;
//! - a slow attempt that has not failed yet is waited for, one `timeout` at a time;
//! - a failure no retry can mend while the client has no other endpoint to try (a TLS handshake
//!   refused: a certificate not trusted, `wss://` to a plain server) fails the waiters at once
//!   ([`ConnectWait::fail_now`]); the client still retries in the background, as the network may
//!   change (a captive portal), but nobody waits a whole `timeout` to learn why.

use std::time::Duration;

use ceaseless_proto::{ClientEvent, Error, Instant};
use futures::channel::oneshot;

/// The waiters and what the attempts since the wait began have told.
#[derive(Default)]
pub(crate) struct ConnectWait {
    waiters: Vec<oneshot::Sender<Result<(), Error>>>,
    /// When the waiters give up if an attempt has failed by then.
    deadline: Option<Instant>,
    /// The last reason an attempt failed since the wait began.
    last_failure: Option<Error>,
}

impl ConnectWait {
    /// A waiter while the client is connecting.
    pub(crate) fn add(&mut self, tx: oneshot::Sender<Result<(), Error>>, now: Instant, timeout: Duration) {
        if self.waiters.is_empty() {
            self.deadline = Some(now + timeout);
            self.last_failure = None;
        }
        self.waiters.push(tx);
    }

    /// When [`ConnectWait::on_time`] wants to run.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Remembers why an attempt failed, from the client's events.
    pub(crate) fn observe(&mut self, event: &ClientEvent) {
        if self.waiters.is_empty() {
            return;
        }
        match event {
            ClientEvent::Error(error @ (Error::Transport(_) | Error::Token(_) | Error::Server { .. })) => {
                self.last_failure = Some(error.clone());
            }
            ClientEvent::Connecting { code, reason } if *code >= 3000 => {
                self.last_failure =
                    Some(Error::Server { code: *code, message: reason.clone(), temporary: true });
            }
            _ => {}
        }
    }

    /// At the deadline: give up with the last failure, or wait one `timeout` more when none came yet.
    pub(crate) fn on_time(&mut self, now: Instant, timeout: Duration) {
        let Some(deadline) = self.deadline else { return };
        if now < deadline {
            return;
        }
        match self.last_failure.take() {
            Some(failure) => self.resolve(Err(failure)),
            None => self.deadline = Some(now + timeout),
        }
    }

    /// Fails the waiters now with `error`, when the attempt failed in a way retrying will not mend.
    pub(crate) fn fail_now(&mut self, error: Error) {
        if !self.waiters.is_empty() {
            self.resolve(Err(error));
        }
    }

    /// Every waiter gets `result`; nothing is pending afterwards.
    pub(crate) fn resolve(&mut self, result: Result<(), Error>) {
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(result.clone());
        }
        self.deadline = None;
        self.last_failure = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(5);

    fn waiting(now: Instant) -> (ConnectWait, oneshot::Receiver<Result<(), Error>>) {
        let mut wait = ConnectWait::default();
        let (tx, rx) = oneshot::channel();
        wait.add(tx, now, TIMEOUT);
        (wait, rx)
    }

    #[test]
    fn repeated_failures_end_the_wait_after_the_timeout_with_the_last_cause() {
        let start = Instant::now();
        let (mut wait, mut rx) = waiting(start);
        wait.observe(&ClientEvent::Error(Error::Transport("Connection refused (os error 111)".into())));
        wait.on_time(start + Duration::from_secs(1), TIMEOUT);
        assert_eq!(rx.try_recv(), Ok(None), "not before the timeout");
        wait.observe(&ClientEvent::Error(Error::Transport("HTTP 404 Not Found".into())));
        wait.on_time(start + TIMEOUT, TIMEOUT);
        assert_eq!(rx.try_recv(), Ok(Some(Err(Error::Transport("HTTP 404 Not Found".into())))));
        assert_eq!(wait.deadline(), None);
    }

    #[test]
    fn failing_now_ends_the_wait_before_the_timeout_and_only_for_current_waiters() {
        let start = Instant::now();
        let (mut wait, mut rx) = waiting(start);
        let tls = Error::Transport("TLS error: received corrupt message".into());
        wait.fail_now(tls.clone());
        assert_eq!(rx.try_recv(), Ok(Some(Err(tls.clone()))));
        assert_eq!(wait.deadline(), None);
        // With nobody waiting it is a no-op: a later waiter starts a fresh wait.
        wait.fail_now(tls);
        let (tx, mut later) = oneshot::channel();
        wait.add(tx, start, TIMEOUT);
        assert_eq!(later.try_recv(), Ok(None));
        assert_eq!(wait.deadline(), Some(start + TIMEOUT));
    }

    #[test]
    fn a_slow_attempt_without_a_failure_is_waited_for() {
        let start = Instant::now();
        let (mut wait, mut rx) = waiting(start);
        wait.on_time(start + TIMEOUT, TIMEOUT);
        assert_eq!(rx.try_recv(), Ok(None));
        assert_eq!(wait.deadline(), Some(start + TIMEOUT + TIMEOUT));
        wait.resolve(Ok(()));
        assert_eq!(rx.try_recv(), Ok(Some(Ok(()))));
    }

    #[test]
    fn a_token_provider_failure_is_the_cause() {
        let start = Instant::now();
        let (mut wait, mut rx) = waiting(start);
        wait.observe(&ClientEvent::Error(Error::Token("backend down".into())));
        wait.on_time(start + TIMEOUT, TIMEOUT);
        let got = rx.try_recv();
        assert_eq!(got, Ok(Some(Err(Error::Token("backend down".into())))));
    }
}
