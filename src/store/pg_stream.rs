//! The stream under a PostgreSQL connection ([`super::pg_net`] opens it,
//! [`super::pg_client`] drives it): plain or TLS, and failing when the
//! server owes an answer and has said nothing for the [`Patience`] it is
//! given. A leaf below both.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsStream};
use tokio_postgres::Socket;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The TLS stream rustls makes over a socket.
pub(super) type Rustls = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream;

/// The patience appt has with a silent server, shared with the connection's
/// stream so a long statement (a schema upgrade) can be given more.
#[derive(Clone, Debug)]
pub struct Patience(Arc<AtomicU64>);

impl Patience {
    pub(super) fn new(d: Duration) -> Self {
        Patience(Arc::new(AtomicU64::new(d.as_millis() as u64)))
    }

    pub fn set(&self, d: Duration) {
        self.0.store(d.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn get(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::Relaxed))
    }
}

// ---------------------------------------------------------------- deadlines

pub(super) enum Link {
    Plain(Socket),
    Tls(Box<Rustls>),
}

/// The connection's stream, plain or TLS, that fails when the server owes an
/// answer and has said nothing for the [`Patience`] it is given. It counts
/// the requests that end in a `ReadyForQuery` (the startup, each `Sync` and
/// simple `Query`) and the `ReadyForQuery` messages that answer them: while
/// any is owed, silence is timed; an idle connection never times out.
pub struct Guarded {
    link: Link,
    patience: Patience,
    timer: Pin<Box<tokio::time::Sleep>>,
    /// Requests sent that the server has not yet answered in full.
    owed: u64,
    /// A write the socket has not taken yet (the server is not reading).
    stuck: bool,
    dead: bool,
    sent: Frames,
    received: Frames,
}

impl Guarded {
    pub(super) fn new(link: Link, patience: Patience) -> Self {
        let timer = Box::pin(tokio::time::sleep(patience.get()));
        Guarded {
            link,
            patience,
            timer,
            owed: 0,
            stuck: false,
            dead: false,
            // The startup message has no type byte; all later ones do.
            sent: Frames::new(false),
            received: Frames::new(true),
        }
    }

    fn waiting(&self) -> bool {
        self.owed > 0 || self.stuck
    }

    /// Starts the silence over, and has the timer wake this task when it
    /// runs out: the driver may not read again before it waits (it writes a
    /// request after reading), so the timer must be watched from here.
    fn restart(&mut self, cx: &mut Context<'_>) {
        let at = tokio::time::Instant::now() + self.patience.get();
        self.timer.as_mut().reset(at);
        let _ = self.timer.as_mut().poll(cx);
    }

    /// Whether the server has been silent past its time (then the stream is
    /// dead for good): checked only when the socket has nothing to give.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        if self.waiting() && self.timer.as_mut().poll(cx).is_ready() {
            self.dead = true;
        }
        self.dead
    }

    fn silence(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            crate::text::msg!(
                "e-no_answer_from_the_server_within_s",
                a = self.patience.get().as_secs()
            ),
        )
    }

    fn stalled<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        if self.expired(cx) {
            Poll::Ready(Err(self.silence()))
        } else {
            Poll::Pending
        }
    }

    fn wrote(&mut self, data: &[u8], cx: &mut Context<'_>) {
        let was = self.waiting();
        let owed = &mut self.owed;
        self.sent.feed(data, |kind| {
            // The startup (0), a Sync, a simple Query, a function call.
            if matches!(kind, 0 | b'S' | b'Q' | b'F') {
                *owed += 1;
            }
        });
        self.stuck = false;
        if !was && self.waiting() {
            self.restart(cx);
        }
    }

    fn read(&mut self, data: &[u8], cx: &mut Context<'_>) {
        let owed = &mut self.owed;
        self.received.feed(data, |kind| {
            if kind == b'Z' {
                *owed = owed.saturating_sub(1);
            }
        });
        if self.waiting() {
            self.restart(cx);
        }
    }

    fn block(&mut self, cx: &mut Context<'_>) {
        if !self.waiting() {
            self.stuck = true;
            self.restart(cx);
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = &mut *self;
        if me.dead {
            return Poll::Ready(Err(me.silence()));
        }
        let before = buf.filled().len();
        let polled = match &mut me.link {
            Link::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Link::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        match polled {
            Poll::Ready(Ok(())) => {
                me.read(&buf.filled()[before..], cx);
                Poll::Ready(Ok(()))
            }
            Poll::Pending => me.stalled(cx),
            other => other,
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = &mut *self;
        if me.dead {
            return Poll::Ready(Err(me.silence()));
        }
        let polled = match &mut me.link {
            Link::Plain(s) => Pin::new(s).poll_write(cx, data),
            Link::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, data),
        };
        match polled {
            Poll::Ready(Ok(n)) => {
                me.wrote(&data[..n], cx);
                Poll::Ready(Ok(n))
            }
            Poll::Pending => {
                me.block(cx);
                me.stalled(cx)
            }
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = &mut *self;
        if me.dead {
            return Poll::Ready(Err(me.silence()));
        }
        let polled = match &mut me.link {
            Link::Plain(s) => Pin::new(s).poll_flush(cx),
            Link::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        };
        match polled {
            Poll::Pending => {
                me.block(cx);
                me.stalled(cx)
            }
            other => {
                me.stuck = false;
                other
            }
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = &mut *self;
        if me.dead {
            return Poll::Ready(Ok(()));
        }
        let polled = match &mut me.link {
            Link::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Link::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        };
        match polled {
            Poll::Pending => {
                me.block(cx);
                me.stalled(cx)
            }
            other => other,
        }
    }
}

impl TlsStream for Guarded {
    fn channel_binding(&self) -> ChannelBinding {
        match &self.link {
            Link::Plain(_) => ChannelBinding::none(),
            Link::Tls(s) => s.channel_binding(),
        }
    }
}

/// Follows the messages of one direction of the protocol: each is a type
/// byte and a length (which counts itself but not the type), except the
/// startup message, which has no type byte.
struct Frames {
    typed: bool,
    header: [u8; 5],
    have: usize,
    skip: usize,
}

impl Frames {
    fn new(typed: bool) -> Self {
        Frames {
            typed,
            header: [0; 5],
            have: 0,
            skip: 0,
        }
    }

    /// Reads on through `data`, calling `on` with each message's type (0 for
    /// the startup message) as its header completes.
    fn feed(&mut self, mut data: &[u8], mut on: impl FnMut(u8)) {
        while !data.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(data.len());
                self.skip -= n;
                data = &data[n..];
                continue;
            }
            let need = if self.typed { 5 } else { 4 };
            let n = (need - self.have).min(data.len());
            self.header[self.have..self.have + n].copy_from_slice(&data[..n]);
            self.have += n;
            data = &data[n..];
            if self.have == need {
                let (kind, len) = if self.typed {
                    let len = [
                        self.header[1],
                        self.header[2],
                        self.header[3],
                        self.header[4],
                    ];
                    (self.header[0], u32::from_be_bytes(len))
                } else {
                    let len = [
                        self.header[0],
                        self.header[1],
                        self.header[2],
                        self.header[3],
                    ];
                    (0, u32::from_be_bytes(len))
                };
                on(kind);
                self.skip = (len as usize).saturating_sub(4);
                self.have = 0;
                self.typed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_followed_across_reads() {
        // A startup message, then Parse-like junk and a Sync, in odd pieces.
        let mut sent = Frames::new(false);
        let mut kinds = Vec::new();
        let mut bytes = vec![0, 0, 0, 9, 0, 3, 0, 0, b'x'];
        bytes.extend([b'P', 0, 0, 0, 6, b'a', b'b']);
        bytes.extend([b'S', 0, 0, 0, 4]);
        for chunk in bytes.chunks(3) {
            sent.feed(chunk, |k| kinds.push(k));
        }
        assert_eq!(kinds, vec![0, b'P', b'S']);
    }
}
