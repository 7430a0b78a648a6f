//! `appt serve`: the HTTP API (docs/api.md), a front end like the command
//! line. It parses a request, finds its route in the table (`routes`),
//! checks the token (`app::token`) and the route's scope, and runs the
//! route's handler, which calls the same use case as its command and
//! answers with the command's own JSON view.
//!
//! hyper reads and writes HTTP on a small tokio runtime: it drops a client
//! whose request head does not arrive within [`WHOLE`], and here a body gets
//! the same deadline. The use cases run on a pool of plain threads, each
//! with its own connection to the database: the store's calls block (on
//! PostgreSQL its client waits on a tokio runtime of its own, which cannot
//! be done from inside this one's tasks), and a slow query holds one
//! worker, never the reading of other requests.

mod apiece;
mod calendars;
use apiece::{Apiece, Taken};
mod dispatch;
mod input;
mod listen;
pub mod routes;

use crate::app::Store;
use crate::error::{Code, Error, Result};
use chrono::Utc;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{header, Request, Response};
use routes::{Answer, Call, Found, Handler};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long a whole request (head and body) may take to arrive.
pub const WHOLE: Duration = Duration::from_secs(10);

/// How long a connection has to send a request's head (its request line
/// and headers): a client that holds a connection open sending nothing
/// loses it.
pub const HEAD: Duration = Duration::from_secs(5);
/// How long requests in flight may take to finish once asked to stop.
pub const DRAIN: Duration = Duration::from_secs(10);
/// What is kept of [`DRAIN`] for the last answers to be written and the
/// workers to end.
const LAST_WORDS: Duration = Duration::from_millis(300);
/// The largest body read.
pub const MAX_BODY: usize = 64 * 1024;
/// How many connections must have closed since the most were open at once
/// for the memory their buffers were freed into to be given back.
const FLOOD: usize = 32;

/// The OpenAPI document of every endpoint (docs/api.md).
pub const OPENAPI: &str = include_str!("openapi.json");

pub use crate::app::Clock;

/// How to serve.
pub struct Options {
    pub db: PathBuf,
    pub listen: String,
    pub threads: usize,
    /// Connections open at once, beyond which new ones are closed at once.
    pub max_connections: usize,
    /// Connections open at once from one client address (an IPv6 one by
    /// its /64), beyond which its new ones are closed at once: one host
    /// cannot take the others' places (docs/api.md#starting-it).
    pub max_per_address: usize,
    /// PEM certificate chain and private key.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub allow_plain_http: bool,
    pub clock: Clock,
    pub zone: crate::core::zone::Tz,
    /// `$APPT_KEY`, for bookings that carry a national ID.
    pub key: Option<String>,
    /// `--exec CMD`: the hook the booking page's codes go through where a
    /// clinic has no channel for them.
    pub exec: Option<String>,
    /// `--trusted-proxy ADDR`: proxies whose `X-Forwarded-For` names the
    /// client (`core::access::client_address`).
    pub trusted_proxies: Vec<IpAddr>,
    /// `--read-db`: the standby the `GET` requests read from while it is
    /// close enough behind (docs/operations.md#standby-reads).
    pub reads: Option<crate::app::ReadDb>,
}

/// What every worker and connection shares.
struct Shared {
    clock: Clock,
    zone: crate::core::zone::Tz,
    key: Option<String>,
    exec: Option<String>,
    /// Set once the server is told to stop: a write not yet begun is
    /// answered 503 and never run.
    closing: AtomicBool,
    /// The write turn, taken by the worker running a route that declares it
    /// writes: see [`turn`].
    turn: Mutex<Turn>,
    turned: Condvar,
    /// What tells each worker's store to wait no longer for the database.
    stoppers: Mutex<Vec<Option<crate::app::Stopper>>>,
    /// Requests read whose line is not yet logged: each is answered on a
    /// task of its own, which may outlive its connection.
    in_flight: Arc<AtomicUsize>,
    /// Calendar feeds rendered, by their ETag.
    rendered: routes::Rendered,
    /// The standby for the reads that may lag, shared by every worker's
    /// store (and so what the server wrote last).
    reads: Option<crate::app::ReadDb>,
    /// Moved on by each `DATABASE_ERROR`: every worker then connects again
    /// before its next request, so that after a failover none is left
    /// holding a connection to a server that no longer answers.
    lost: AtomicU64,
}

/// Whether a worker has the write turn.
#[derive(Default)]
struct Turn {
    busy: bool,
}

/// The write turn, held: given back when dropped.
struct Holding<'a>(&'a Shared);

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        let mut t = self.0.turn.lock().unwrap_or_else(|p| p.into_inner());
        t.busy = false;
        self.0.turned.notify_one();
    }
}

impl Shared {
    /// Waits for the write turn; `stopping()` when the server is told to
    /// stop meanwhile (or was), and then the write is never run.
    fn take_turn(&self) -> Result<Holding<'_>> {
        let mut t = self.turn.lock().unwrap_or_else(|p| p.into_inner());
        while t.busy && !self.closing.load(Ordering::SeqCst) {
            t = self.turned.wait(t).unwrap_or_else(|p| p.into_inner());
        }
        if self.closing.load(Ordering::SeqCst) {
            return Err(stopping());
        }
        t.busy = true;
        Ok(Holding(self))
    }

    /// Stops the writes: none begins from now on, those waiting for the
    /// turn are answered 503, and those under way stop waiting for the
    /// database (another process's lock): the route's own, and a token's
    /// last use being noted. Whether a write is still under way.
    fn stop_writes(&self) -> bool {
        self.closing.store(true, Ordering::SeqCst);
        let busy = {
            let t = self.turn.lock().unwrap_or_else(|p| p.into_inner());
            self.turned.notify_all();
            t.busy
        };
        let stoppers = self
            .stoppers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut writing = false;
        for s in stoppers.iter().flatten() {
            writing |= s.stop();
        }
        busy || writing
    }
}

/// A request handed to a worker, and where its answer goes.
struct Job {
    call: Call,
    bearer: Option<String>,
    peer: IpAddr,
    reply: tokio::sync::oneshot::Sender<Reply>,
}

/// A worker's answer: the endpoint's, or its error; the token's name for
/// the log; how long to wait before asking again.
struct Reply {
    answer: Result<Answer>,
    token: Option<String>,
    retry_after: Option<u64>,
}

/// The workers, each with a connection of its own to the database, taking
/// requests from the queue the returned sender fills.
fn start_workers(
    o: &Options,
    shared: &Arc<Shared>,
) -> Result<(mpsc::Sender<Job>, Vec<std::thread::JoinHandle<()>>)> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let workers = (0..o.threads)
        .map(|i| {
            let queue = Arc::clone(&queue);
            let shared = Arc::clone(shared);
            let db = o.db.clone();
            std::thread::Builder::new()
                .name(format!("appt-worker-{i}"))
                .spawn(move || work(i, &db, &queue, &shared))
        })
        .collect::<std::io::Result<_>>()?;
    Ok((jobs, workers))
}

pub fn run(o: Options, announce: &mut dyn FnMut(&str) -> Result<()>) -> Result<()> {
    let (listener, tls) = listen::bind(&o)?;
    let trusted: Arc<[IpAddr]> = o.trusted_proxies.clone().into();
    let bound = listener.local_addr()?;
    let shared = Arc::new(Shared::of(&o));
    let (jobs, workers) = start_workers(&o, &shared)?;
    let watching = Arc::clone(&shared);
    calendars::start(
        o.db.clone(),
        o.clock,
        o.key.clone(),
        move || watching.closing.load(Ordering::SeqCst),
        log,
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("appt-http")
        .enable_all()
        .build()?;
    let url = listen::url_of(bound, tls.is_some());
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        // Signals are caught before anyone is told where to call.
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        announce(&url)?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut connections = tokio::task::JoinSet::new();
        let open = Arc::new(AtomicUsize::new(0));
        let apiece: Apiece = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        // The most connections open at once since memory was last given
        // back (see [`give_back`]), looked at once a second.
        let mut most = 0;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else {
                        // Out of descriptors, a reset before accept: go on.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    // Over the cap, a connection is closed at once, unread:
                    // neither its buffers nor its descriptor may pile up.
                    if open.load(Ordering::SeqCst) >= o.max_connections {
                        drop(stream);
                        continue;
                    }
                    // Nor may one client take the others' places: a
                    // trusted proxy speaks for many, and is not counted.
                    let per_address = if trusted.contains(&peer.ip()) {
                        None
                    } else {
                        match Taken::from(&apiece, peer.ip(), o.max_per_address) {
                            Some(taken) => Some(taken),
                            None => {
                                drop(stream);
                                continue;
                            }
                        }
                    };
                    most = most.max(open.fetch_add(1, Ordering::SeqCst) + 1);
                    let counted = Flying(Arc::clone(&open));
                    let _ = stream.set_nodelay(true);
                    let jobs = jobs.clone();
                    let stopped = stopped.clone();
                    let tls = tls.clone();
                    let in_flight = Arc::clone(&shared.in_flight);
                    let trusted = Arc::clone(&trusted);
                    connections.spawn(async move {
                        let _counted = counted;
                        let _per_address = per_address;
                        let service = Service { peer: peer.ip(), jobs, in_flight, trusted };
                        match tls {
                            None => connection(stream, service, stopped).await,
                            Some(acceptor) => {
                                if let Ok(Ok(stream)) = tokio::time::timeout(WHOLE, acceptor.accept(stream)).await {
                                    connection(stream, service, stopped).await;
                                }
                            }
                        }
                    });
                    while connections.try_join_next().is_some() {}
                }
                _ = tick.tick() => {
                    // A connection's task is let go of once it ended, not
                    // at the next accept: a flood's thousand tasks, kept,
                    // are small blocks scattered through the memory its
                    // buffers were freed into.
                    while connections.try_join_next().is_some() {}
                    let now = open.load(Ordering::SeqCst);
                    if most >= now + FLOOD {
                        give_back();
                        most = now;
                    }
                }
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        // Told to stop: every request read is answered, and the server is
        // gone within DRAIN, even when another process holds the
        // database's write lock. No write begins from now on; the one
        // holding the turn is told (again and again: PostgreSQL's cancel
        // may come between two statements) to stop waiting for the
        // database.
        let deadline = Instant::now() + DRAIN;
        drop(listener);
        let stopper = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("appt-stop".into())
            .spawn(move || {
                while stopper.stop_writes() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(100));
                }
            })?;
        let _ = stop.send(true);
        let drained = deadline.checked_sub(LAST_WORDS).unwrap_or(deadline);
        let in_flight = Arc::clone(&shared.in_flight);
        let _ = tokio::time::timeout_at(drained.into(), async {
            while connections.join_next().await.is_some() {}
            // A client that left: its request is still answered (to no
            // one) and logged.
            while in_flight.load(Ordering::SeqCst) > 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        connections.abort_all();
        Ok::<Instant, Error>(deadline)
    });
    drop(jobs);
    runtime.shutdown_timeout(Duration::from_millis(100));
    let deadline = served?;
    // A worker still reading past the deadline is left behind: the
    // process ends without it (it writes nothing).
    while workers.iter().any(|w| !w.is_finished()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

/// Gives the memory freed since back to the system. glibc's allocator
/// keeps what was freed for later, and gives back only the end of each
/// thread's heap: after a flood of connections (each holding its buffers
/// for up to [`WHOLE`]), a few blocks still in use near that end kept the
/// whole flood's memory, and the next flood's went beside it (idle 24 MB;
/// 99, 133 and 158 MB after three floods of 1,000 connections:
/// docs/performance.md#memory-after-a-flood). `malloc_trim` hands back
/// every free page of every thread's heap. With another C library it does
/// nothing.
fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists, under
    // its locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Shared {
    /// What the workers share, from the server's options.
    fn of(o: &Options) -> Shared {
        Shared {
            clock: o.clock,
            zone: o.zone,
            key: o.key.clone(),
            exec: o.exec.clone(),
            closing: AtomicBool::new(false),
            turn: Mutex::default(),
            turned: Condvar::new(),
            stoppers: Mutex::new(vec![None; o.threads]),
            in_flight: Arc::default(),
            rendered: routes::Rendered::default(),
            reads: o.reads.clone(),
            lost: AtomicU64::new(0),
        }
    }
}

/// Serves one connection's requests until it closes, or the server stops
/// (then the request in flight finishes and the connection closes).
async fn connection<S>(io: S, service: Service, mut stopped: tokio::sync::watch::Receiver<bool>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEAD)
        .keep_alive(true)
        .serve_connection(hyper_util::rt::TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

#[derive(Clone)]
struct Service {
    peer: IpAddr,
    jobs: mpsc::Sender<Job>,
    in_flight: Arc<AtomicUsize>,
    trusted: Arc<[IpAddr]>,
}

/// A request counted in flight until it is logged, or a connection
/// counted open until it closes.
struct Flying(Arc<AtomicUsize>);

impl Drop for Flying {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl hyper::service::Service<Request<Incoming>> for Service {
    type Response = Response<Full<Bytes>>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = std::io::Result<Response<Full<Bytes>>>> + Send>,
    >;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        // On a task of its own: a client that goes away once its request has
        // arrived makes hyper drop this future, and the request must still be
        // done (or not) whole, never cut off between the worker and its answer.
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let flying = Flying(Arc::clone(&self.in_flight));
        let me = self.clone();
        let answered = tokio::spawn(async move {
            let r = me.respond(req).await;
            drop(flying);
            r
        });
        Box::pin(async move {
            answered
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::Interrupted.into()))
        })
    }
}

impl Service {
    /// Reads one request, has a worker answer it, logs one line.
    async fn respond(self, req: Request<Incoming>) -> std::io::Result<Response<Full<Bytes>>> {
        let started = Instant::now();
        let method = req.method().as_str().to_string();
        // The log names the route's pattern (`/p/{token}`,
        // `/v1/appointments/{id}`), never what fills it: a link's token, an
        // ID, or a phone or a name someone put in the path.
        let found = routes::find(&method, req.uri().path());
        let shown = match &found {
            Found::Route(r, _) => r.path,
            Found::Method(pattern, _) => pattern,
            Found::Missing => "(unknown path)",
        };
        let (reply, dropped) = match found {
            Found::Missing => (
                failure(Error::new(
                    Code::NotFound,
                    crate::text::msg!("e-no_such_endpoint"),
                )),
                false,
            ),
            Found::Method(_, allowed) => {
                let e = Error::new(
                    Code::MethodNotAllowed,
                    crate::text::msg!(
                        "e-method_not_allowed_here",
                        method = method,
                        allowed = allowed.join(", ")
                    ),
                )
                .details(serde_json::json!({"allow": allowed}));
                let mut r = failure(e);
                r.allow = Some(allowed.join(", "));
                (r, false)
            }
            Found::Route(route, id) => match self.handle(route, id, req).await {
                Ok(r) => (r, false),
                Err(()) => (Response_::default(), true),
            },
        };
        let ms = started.elapsed().as_millis();
        let token = reply.token.as_deref().unwrap_or("-");
        if dropped {
            log(&format!("{method} {shown} dropped {ms}ms {token}"));
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        match &reply.cause {
            Some(cause) => log(&format!(
                "{method} {shown} {} {ms}ms {token} ({cause})",
                reply.status
            )),
            None => log(&format!("{method} {shown} {} {ms}ms {token}", reply.status)),
        }
        Ok(reply.into_response())
    }

    /// Reads the body (under the deadline and the size limit) and hands the
    /// request to a worker. `Err` drops the connection: the request never
    /// arrived whole.
    async fn handle(
        &self,
        route: &'static routes::Route,
        id: Option<String>,
        req: Request<Incoming>,
    ) -> std::result::Result<Response_, ()> {
        if matches!(route.handler, Handler::Document) {
            return Ok(Response_ {
                status: 200,
                body: OPENAPI.as_bytes().to_vec(),
                ..Response_::default()
            });
        }
        let headers = req.headers();
        let text = |name: header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let headers_read = routes::FeedHeaders {
            method: req.method().as_str().to_string(),
            password: text(header::AUTHORIZATION).and_then(|v| basic_password(&v)),
            depth: text(header::HeaderName::from_static("depth")),
            if_none_match: text(header::IF_NONE_MATCH),
            if_modified_since: text(header::IF_MODIFIED_SINCE),
        };
        let from = routes::Posted {
            origin: text(header::ORIGIN),
            fetch_site: text(header::HeaderName::from_static("sec-fetch-site")),
            host: text(header::HOST),
        };
        let bearer = text(header::AUTHORIZATION).map(|v| {
            let v = v.trim();
            match v.split_once(' ') {
                Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => {
                    rest.trim().to_string()
                }
                _ => String::new(),
            }
        });
        let content_type = text(header::CONTENT_TYPE);
        let idempotency_key = text(header::HeaderName::from_static("idempotency-key"));
        let signature = text(header::HeaderName::from_static("x-hub-signature-256"))
            .or_else(|| text(header::HeaderName::from_static("x-twilio-signature")));
        let declared = text(header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
        let query = req.uri().query().map(str::to_string);
        // The client: the connection, or what a trusted proxy says it is.
        let peer = crate::core::access::client_address(
            self.peer,
            text(header::HeaderName::from_static("x-forwarded-for")).as_deref(),
            &self.trusted,
        );
        let mut body = Vec::new();
        if route.body {
            if declared.is_some_and(|n| n > MAX_BODY as u64) {
                return Ok(failure(too_large()));
            }
            let limited = Limited::new(req.into_body(), MAX_BODY);
            match tokio::time::timeout(WHOLE, limited.collect()).await {
                Err(_) => return Err(()),
                Ok(Err(e)) => {
                    if e.downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some()
                    {
                        return Ok(failure(too_large()));
                    }
                    return Err(());
                }
                Ok(Ok(collected)) => body = collected.to_bytes().to_vec(),
            }
            if let Some(e) =
                media_refusal(route, content_type.as_deref(), &headers_read.method, &body)
            {
                return Ok(failure(e));
            }
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            call: Call {
                route,
                id,
                query,
                body,
                idempotency_key,
                signature,
                headers: headers_read,
                from,
            },
            bearer,
            peer,
            reply,
        };
        if self.jobs.send(job).is_err() {
            return Ok(failure(stopping()));
        }
        let reply = answer.await.unwrap_or_else(|_| Reply {
            answer: Err(Error::internal(crate::text::msg!(
                "e-request_failed_inside_appt"
            ))),
            token: None,
            retry_after: None,
        });
        Ok(response_of(route, reply))
    }
}

/// The refusal of a body of the wrong type for `route`
/// (`UNSUPPORTED_MEDIA_TYPE`), if it is one.
fn media_refusal(
    route: &routes::Route,
    content_type: Option<&str>,
    method: &str,
    body: &[u8],
) -> Option<Error> {
    // A patient's page posts a form, a CalDAV client XML;
    // everything else is JSON.
    let (wanted, refusal): (&[&str], _) = if route.form {
        (
            &["application/x-www-form-urlencoded"],
            crate::text::msg!("e-body_must_be_form"),
        )
    } else if route.xml {
        (
            &["application/xml", "text/xml"],
            crate::text::msg!("e-feed_body_must_be_xml"),
        )
    } else {
        (
            &["application/json"],
            crate::text::msg!("e-body_must_be_application_json"),
        )
    };
    let right = content_type.is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|m| wanted.iter().any(|w| m.trim().eq_ignore_ascii_case(w)))
    });
    // A CalDAV write is refused as read-only whatever it carries.
    let read_as_xml = !route.xml || matches!(method, "PROPFIND" | "REPORT");
    (!body.is_empty() && !right && read_as_xml)
        .then(|| Error::new(Code::UnsupportedMediaType, refusal))
}

/// The HTTP answer to what a worker replied.
fn response_of(route: &'static routes::Route, reply: Reply) -> Response_ {
    let page = route.is_page();
    let mut r = match reply.answer {
        Ok(a) => Response_ {
            status: a.status,
            body: a.body,
            location: a.location,
            html: a.html,
            content_type: a.content_type,
            retry_after: a.retry_after,
            headers: a.headers,
            ..Response_::default()
        },
        // A patient sees a page, never a JSON error.
        Err(e) if page => Response_ {
            status: e.code.http_status(),
            body: crate::output::page::trouble().into_bytes(),
            html: true,
            retry_after: (e.code.http_status() == 503).then_some(1),
            cause: Some(e.message),
            ..Response_::default()
        },
        Err(e) => failure(e),
    };
    // A feed's CalDAV login is basic auth, the feed's token its password.
    if r.status == 401 && matches!(route.handler, Handler::Feed(_)) {
        r.headers.push((
            "www-authenticate",
            "Basic realm=\"appt\", charset=\"UTF-8\"".into(),
        ));
    }
    r.token = reply.token;
    if reply.retry_after.is_some() {
        r.retry_after = reply.retry_after;
    }
    r
}

fn too_large() -> Error {
    Error::new(
        Code::PayloadTooLarge,
        crate::text::msg!("e-body_over_kib", n = MAX_BODY / 1024),
    )
}

fn stopping() -> Error {
    Error::database(crate::text::msg!("e-server_is_stopping"))
}

/// What goes back: a status, a JSON body and the headers that go with it.
#[derive(Default)]
struct Response_ {
    status: u16,
    body: Vec<u8>,
    location: Option<String>,
    allow: Option<String>,
    retry_after: Option<u64>,
    token: Option<String>,
    /// A page (HTML) rather than a JSON document.
    html: bool,
    /// Another type than JSON or HTML (a provider's hook's answer).
    content_type: Option<&'static str>,
    /// Why the database failed, for the log only.
    cause: Option<String>,
    /// Other headers (a feed's `ETag`, `DAV`, `WWW-Authenticate: Basic`).
    headers: Vec<(&'static str, String)>,
}

/// An error as the command line's `{"error":{…}}`, with its status and the
/// headers its status asks for.
fn failure(mut e: Error) -> Response_ {
    // Where the database is (host, user, name, file) and why it failed are
    // for the operator's log, not for every client of the API.
    let mut cause = None;
    if e.code == Code::Database {
        let shown = crate::text::msg!("e-database_not_available");
        e.msg = shown.clone();
        cause = Some(std::mem::replace(&mut e.message, shown.english()));
        e.details = serde_json::json!({});
    }
    let status = e.code.http_status();
    Response_ {
        status,
        body: e.to_json().to_string().into_bytes(),
        retry_after: (status == 503).then_some(1),
        cause,
        ..Response_::default()
    }
}

impl Response_ {
    fn into_response(self) -> Response<Full<Bytes>> {
        let mut r = Response::builder()
            .status(self.status)
            .header(header::CACHE_CONTROL, "no-store")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        r = if self.html {
            // A patient's page: its own styles and forms only, never framed,
            // and its link (a secret of the patient's) never sent on as a referrer.
            r.header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .header(
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                )
                .header(header::REFERRER_POLICY, "no-referrer")
        } else {
            r.header(
                header::CONTENT_TYPE,
                self.content_type.unwrap_or("application/json"),
            )
        };
        if let Some(l) = &self.location {
            r = r.header(header::LOCATION, l);
        }
        if let Some(a) = &self.allow {
            r = r.header(header::ALLOW, a);
        }
        if let Some(s) = self.retry_after {
            r = r.header(header::RETRY_AFTER, s.to_string());
        }
        if self.status == 401 && !self.headers.iter().any(|(n, _)| *n == "www-authenticate") {
            r = r.header(header::WWW_AUTHENTICATE, "Bearer");
        }
        for (name, value) in &self.headers {
            r = r.header(*name, value);
        }
        r.body(Full::new(Bytes::from(self.body)))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}

/// The password of an `Authorization: Basic` header (RFC 7617); the user
/// name is not read.
fn basic_password(v: &str) -> Option<String> {
    use base64::Engine as _;
    let (scheme, rest) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.split_once(':').map(|(_, p)| p.to_string())
}

/// One line on stderr: the time, then what the caller gives, neutralised
/// as the terminal's output is (`output::human::clean`): a control or bidi
/// character, whatever brought it (a path, a database's error), can neither
/// end the line, forge another, drive the operator's terminal nor turn text
/// around on it. A stderr that cannot be written loses the line and stops
/// nothing.
fn log(line: &str) {
    use std::io::Write;
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let line = crate::output::human::clean(line);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{now} {line}");
}

/// A worker: takes requests off the queue one at a time with its own
/// connection to the database, opened when first needed and again after
/// the database failed.
fn work(i: usize, db: &std::path::Path, queue: &Mutex<mpsc::Receiver<Job>>, shared: &Shared) {
    let mut store: Option<Store> = None;
    let mut lost = shared.lost.load(Ordering::SeqCst);
    loop {
        // A database file deleted or replaced (a backup put back) is let
        // go of, idle or not, within about a second: its descriptors
        // closed, and the next request reads the file that is there now.
        // An idle worker holds the queue 100 ms at a time, so that each
        // of them comes round to look.
        if store.as_ref().is_some_and(Store::moved) {
            store = None;
        }
        let job = {
            let q = queue.lock().unwrap_or_else(|p| p.into_inner());
            q.recv_timeout(Duration::from_millis(100))
        };
        let job = match job {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // A lock let go of is not handed to a waiter: a worker that
                // took it again at once kept the others from looking at
                // their file for seconds on a busy machine. A moment off
                // the queue lets another have it.
                std::thread::sleep(Duration::from_millis(2));
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if store.as_ref().is_some_and(Store::moved) {
            store = None;
        }
        let now_lost = shared.lost.load(Ordering::SeqCst);
        if now_lost != lost {
            store = None;
            lost = now_lost;
        }
        let reply = if shared.closing.load(Ordering::SeqCst) && job.call.route.writes {
            Reply {
                answer: Err(stopping()),
                token: None,
                retry_after: None,
            }
        } else {
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                serve_one(i, db, &mut store, &job, shared)
            }));
            run.unwrap_or_else(|_| {
                store = None;
                Reply {
                    answer: Err(Error::internal(crate::text::msg!(
                        "e-request_failed_inside_appt"
                    ))),
                    token: None,
                    retry_after: None,
                }
            })
        };
        if matches!(&reply.answer, Err(e) if e.code == Code::Database) {
            store = None;
            lost = shared.lost.fetch_add(1, Ordering::SeqCst) + 1;
        }
        // A caller that went away has its answer dropped; what it asked
        // for is done (or not) all the same.
        let _ = job.reply.send(reply);
    }
}

/// Checks the token and runs the endpoint.
fn serve_one(
    worker: usize,
    db: &std::path::Path,
    store: &mut Option<Store>,
    job: &Job,
    shared: &Shared,
) -> Reply {
    let mut token = None;
    let mut retry_after = None;
    let answer = dispatch::authorised(worker, db, store, job, shared, &mut token, &mut retry_after);
    Reply {
        answer,
        token,
        retry_after,
    }
}

#[cfg(test)]
mod tests;
