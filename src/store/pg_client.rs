//! A PostgreSQL connection driven from appt's synchronous code: the
//! asynchronous driver (tokio-postgres) on a runtime of the connection's
//! own, run on the caller's thread only while it waits (as the `postgres`
//! crate runs it), with what that crate does not offer: requests sent
//! together, in one round trip.
//!
//! - [`PgClient::defer_opening`] keeps a transaction's opening (`START
//!   TRANSACTION`, a write's lock timeout and advisory lock) and sends it
//!   with the transaction's first statement. The server runs them in
//!   order, so the statement runs inside the transaction, after the lock,
//!   as if they had been sent apart; an opening that fails is the error
//!   reported, and the statement behind it fails unrun. A read's opening
//!   may ask for the snapshot the transaction reads too, answered in the
//!   same round trip ([`PgClient::snapshot`]).
//! - [`PgClient::send`] sends statements and does not wait for their
//!   answer: a read-only transaction's `COMMIT`, a `ROLLBACK`. They are
//!   written to the server before it returns (no transaction stays open
//!   while the connection rests); their answer is read, and dropped, before
//!   the next request's, which cannot overtake them.
//!
//! - Statements are prepared once per connection, or, where a pooler
//!   lends the session one transaction at a time (`pool_mode=transaction`),
//!   each sent as the server's unnamed statement ([`PgClient::lend_the_session`]).
//!
//! A `GET /v1/slots` on a server waits on three round trips rather than
//! five (docs/performance.md#a-transactions-opening-sent-with-its-first-statement).

use futures_core::Stream;
use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio_postgres::error::DbError;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{
    AsyncMessage, Client, Error, Row, RowStream, SimpleQueryMessage, Socket, Statement,
};

/// The connection's stream: TLS or plain, under appt's deadlines.
pub(super) type Connection = tokio_postgres::Connection<Socket, super::pg_stream::Guarded>;

const OPEN: &str = "the client is there until the connection closes";

/// A statement's parameters, each with the type it is sent as where the
/// statement is not prepared (see `db::values::pg_params`).
pub type Params<'a> = &'a [(&'a (dyn ToSql + Sync), Type)];

/// Runs `$request` (an expression of the driver's client `$c`) with what
/// was deferred sent ahead of it, and waits for its answer.
macro_rules! asked {
    ($self:ident, $c:ident => $request:expr) => {{
        let deferred = std::mem::take(&mut $self.deferred);
        let snapshot = if std::mem::take(&mut $self.snapshot_asked) {
            Some(&mut $self.snapshot)
        } else {
            None
        };
        let $c = $self.client.as_ref().expect(OPEN);
        $self.notices.clear();
        drive(
            &$self.runtime,
            &mut $self.connection,
            &mut $self.waits,
            &mut $self.notices,
            after($c, &deferred, snapshot, $request),
        )
    }};
}

/// An open connection to a server.
pub struct PgClient {
    runtime: Runtime,
    /// Taken when the connection closes ([`Drop`]).
    client: Option<Client>,
    connection: Connection,
    /// What [`PgClient::defer`] keeps for the next request.
    deferred: String,
    /// Whether what is deferred ends by asking for the snapshot the
    /// transaction it opens reads ([`PgClient::defer_opening`]).
    snapshot_asked: bool,
    /// That snapshot (`xmin:xmax:running`), once the opening that asked for
    /// it was answered; None until then.
    snapshot: Option<String>,
    /// How many times appt has waited for the server's answer: its round
    /// trips, which the tests count.
    waits: usize,
    /// The server's limit on each statement of a transaction (each
    /// transaction's opening sets it, `db::tx`).
    statement_timeout: Duration,
    /// What the server noticed (its warnings) while answering the last
    /// request.
    notices: Vec<DbError>,
    /// The statements prepared on the session, by appt's text: each is
    /// parsed and planned once per connection (its plan kept once the
    /// server finds a generic one will do), not on every use. None where
    /// the session is lent one transaction at a time (`pool_mode=transaction`,
    /// docs/operations.md#behind-pgbouncer): a prepared statement belongs to
    /// the session, so there each statement is the server's unnamed one,
    /// parsed, bound and run in one round trip.
    prepared: Option<HashMap<String, Statement>>,
}

impl PgClient {
    pub(super) fn new(
        runtime: Runtime,
        client: Client,
        connection: Connection,
        statement_timeout: Duration,
    ) -> Self {
        PgClient {
            runtime,
            client: Some(client),
            connection,
            deferred: String::new(),
            snapshot_asked: false,
            snapshot: None,
            waits: 0,
            statement_timeout,
            notices: Vec::new(),
            prepared: Some(HashMap::new()),
        }
    }

    /// The server's limit on each statement of a transaction from now on.
    pub fn statement_timeout(&self) -> Duration {
        self.statement_timeout
    }

    pub fn set_statement_timeout(&mut self, limit: Duration) {
        self.statement_timeout = limit;
    }

    /// Keeps nothing on the session from one transaction to the next: no
    /// statement prepared by name (`pool_mode=transaction`).
    pub fn lend_the_session(&mut self) {
        self.prepared = None;
    }

    /// The server's warnings while it answered the last request (a
    /// `VACUUM` that skipped a table another session had locked).
    pub fn notices(&self) -> &[DbError] {
        &self.notices
    }

    /// Keeps `sql` (statements without parameters, whose answers nobody
    /// reads) to be sent ahead of the next request, in its round trip.
    fn defer(&mut self, sql: &str) {
        if !self.deferred.is_empty() {
            self.deferred.push_str("; ");
        }
        self.deferred.push_str(sql);
    }

    /// Keeps a transaction's `opening` to be sent ahead of its first
    /// statement; with `snapshot`, followed by
    /// the question of the snapshot the transaction reads (the first
    /// statement of a REPEATABLE READ transaction takes it, and it is the
    /// transaction's to its end), answered in the same round trip and then
    /// given by [`PgClient::snapshot`]. Two snapshots alike see the same
    /// committed transactions, so the same database: PostgreSQL's word
    /// that nothing changed, whoever writes (`db::lasting`).
    pub fn defer_opening(&mut self, opening: &str, snapshot: bool) {
        self.snapshot = None;
        if snapshot {
            self.defer(&format!("{opening}; {SNAPSHOT}"));
        } else {
            self.defer(opening);
        }
        self.snapshot_asked = snapshot;
    }

    /// The snapshot the transaction [`PgClient::defer_opening`] last opened
    /// reads, once its opening was answered.
    pub fn snapshot(&self) -> Option<&str> {
        self.snapshot.as_deref()
    }

    /// How many times appt has waited for the server ([`PgClient::waits`]'s
    /// field): a test's count of round trips.
    #[cfg(test)]
    pub fn waits(&self) -> usize {
        self.waits
    }

    /// Forgets what was deferred (a transaction that sent nothing needs no
    /// opening); whether there was any.
    pub fn forget_deferred(&mut self) -> bool {
        let had = !self.deferred.is_empty();
        self.deferred.clear();
        self.snapshot_asked = false;
        had
    }

    /// The statement prepared for `sql` (its `?N` parameters as `$N`),
    /// prepared now if it was not (a round trip of its own); None where
    /// nothing is prepared ([`PgClient::lend_the_session`]).
    fn statement(&mut self, sql: &str) -> Result<Option<Statement>, Error> {
        let Some(kept) = &self.prepared else {
            return Ok(None);
        };
        if let Some(st) = kept.get(sql) {
            return Ok(Some(st.clone()));
        }
        let text = dollars(sql);
        let st = asked!(self, c => c.prepare(&text))?;
        if let Some(kept) = &mut self.prepared {
            kept.insert(sql.to_owned(), st.clone());
        }
        Ok(Some(st))
    }

    /// Runs `sql` with `params`; how many rows it changed.
    pub fn execute(&mut self, sql: &str, params: Params) -> Result<u64, Error> {
        match self.statement(sql)? {
            Some(st) => asked!(self, c => c.execute(&st, &values(params))),
            None => asked!(self, c => c.execute_typed(&dollars(sql), params)),
        }
    }

    /// Runs `sql`, whose text is one of many seen once (a statement made of
    /// many held writes), as the server's unnamed statement: never kept
    /// prepared.
    pub fn execute_once(&mut self, sql: &str, params: Params) -> Result<u64, Error> {
        asked!(self, c => c.execute_typed(&dollars(sql), params))
    }

    /// Every row `sql` answers with.
    pub fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, Error> {
        match self.statement(sql)? {
            Some(st) => asked!(self, c => c.query(&st, &values(params))),
            None => asked!(self, c => c.query_typed(&dollars(sql), params)),
        }
    }

    /// The one row `sql` answers with.
    pub fn query_one(&mut self, sql: &str, params: Params) -> Result<Row, Error> {
        match self.statement(sql)? {
            Some(st) => asked!(self, c => c.query_one(&st, &values(params))),
            None => asked!(self, c => c.query_typed_one(&dollars(sql), params)),
        }
    }

    /// The rows of `sql`, read as they are asked for (a large answer is
    /// never held whole).
    pub fn query_raw<'a>(&'a mut self, sql: &str, params: Params) -> Result<Rows<'a>, Error> {
        let stream = match self.statement(sql)? {
            Some(st) => asked!(self, c => c.query_raw(&st, values(params))),
            None => {
                let typed = params.iter().map(|(v, t)| (*v, t.clone()));
                asked!(self, c => c.query_typed_raw(&dollars(sql), typed))
            }
        }?;
        Ok(Rows {
            client: self,
            stream: Box::pin(stream),
        })
    }

    /// Statements without parameters, each run in turn.
    pub fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        asked!(self, c => c.batch_execute(sql))
    }

    /// Sends `sql` (after what was deferred) without waiting for its
    /// answer: it is written to the server before this returns, and its
    /// answer, read before the next request's, is dropped (an error in it
    /// too: use this only where none can matter, as in a `COMMIT` of what
    /// only read, or a `ROLLBACK`). A connection already broken is
    /// reported.
    pub fn send(&mut self, sql: &str) -> Result<(), Error> {
        self.defer(sql);
        self.snapshot_asked = false;
        let all = std::mem::take(&mut self.deferred);
        let f = self.client.as_ref().expect(OPEN).batch_execute(&all);
        let mut f = pin!(f);
        let connection = &mut self.connection;
        let mut polled = false;
        self.runtime.block_on(poll_fn(|cx| {
            // Once: the request is queued for the connection, which the
            // loop below then writes out (its answer is left to come).
            if !polled {
                polled = true;
                if let Poll::Ready(Err(e)) = f.as_mut().poll(cx) {
                    return Poll::Ready(Err(e));
                }
            }
            loop {
                match connection.poll_message(cx) {
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                    Poll::Ready(Some(Ok(_))) => {}
                    Poll::Ready(None) | Poll::Pending => return Poll::Ready(Ok(())),
                }
            }
        }))
    }
}

impl Drop for PgClient {
    /// Says goodbye (the protocol's `Terminate`), after reading the answers
    /// still owed, as the `postgres` crate does.
    fn drop(&mut self) {
        self.client = None;
        let connection = &mut self.connection;
        let _ = self.runtime.block_on(poll_fn(|cx| loop {
            match connection.poll_message(cx) {
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }));
    }
}

/// A query's rows, read from the server as they are asked for.
pub struct Rows<'a> {
    client: &'a mut PgClient,
    stream: std::pin::Pin<Box<RowStream>>,
}

impl Rows<'_> {
    pub fn next(&mut self) -> Result<Option<Row>, Error> {
        let stream = &mut self.stream;
        let f = poll_fn(|cx| match stream.as_mut().poll_next(cx) {
            Poll::Ready(Some(r)) => Poll::Ready(r.map(Some)),
            Poll::Ready(None) => Poll::Ready(Ok(None)),
            Poll::Pending => Poll::Pending,
        });
        let c = &mut *self.client;
        // The rows of an answer already asked for: no new round trip.
        drive(&c.runtime, &mut c.connection, &mut 0, &mut c.notices, f)
    }
}

/// Runs `f` to its end on the connection's runtime, driving the connection
/// meanwhile (it writes the requests `f` makes and reads their answers); a
/// connection that fails fails `f` too. The server's notices are kept in
/// `notices` (appt listens for no notifications).
fn drive<T>(
    runtime: &Runtime,
    connection: &mut Connection,
    waits: &mut usize,
    notices: &mut Vec<DbError>,
    f: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    *waits += 1;
    let mut f = pin!(f);
    runtime.block_on(poll_fn(|cx| {
        while let Poll::Ready(Some(m)) = connection.poll_message(cx) {
            match m {
                Err(e) => return Poll::Ready(Err(e)),
                Ok(AsyncMessage::Notice(n)) => notices.push(n),
                Ok(_) => {}
            }
        }
        f.as_mut().poll(cx)
    }))
}

/// `params`' values alone: a prepared statement knows their types.
fn values<'a>(params: Params<'a>) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|(v, _)| *v).collect()
}

/// `sql` with its `?N` parameters (outside string literals) written as
/// PostgreSQL's `$N`.
fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

/// `f`, with `deferred` (when there is any) sent ahead of it in the same
/// round trip: the deferred statements' error, if they fail, else `f`'s
/// answer. Where `snapshot` is given, the deferred statements end with
/// [`SNAPSHOT`], whose answer it is given.
async fn after<T>(
    client: &Client,
    deferred: &str,
    snapshot: Option<&mut Option<String>>,
    f: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    if deferred.is_empty() {
        return f.await;
    }
    let Some(snapshot) = snapshot else {
        let (opened, answer) = in_order(client.batch_execute(deferred), f).await;
        opened?;
        return answer;
    };
    let (opened, answer) = in_order(client.simple_query(deferred), f).await;
    *snapshot = opened?.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
        _ => None,
    });
    answer
}

/// The question of the snapshot a transaction reads, as text.
const SNAPSHOT: &str = "SELECT pg_current_snapshot()::text";

/// Polls `a`, then `b`, at every wake-up until both are done, so that what
/// `a` sends goes first.
async fn in_order<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                (ra, rb) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}
