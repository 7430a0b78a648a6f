//! A worker's request, once read: who may ask (an API token and its
//! scope, a calendar feed's token, a provider's signature, the booking
//! page's visitor), counting the failed attempts against the address, and
//! the route's handler run in the write turn it declares.

use super::routes::{self, Answer, Caller, Handler};
use super::{Holding, Job, Shared};
use crate::app::{token, Create, Store};
use crate::core::access::Grant;
use crate::error::{Code, Error, Result};
use std::sync::atomic::Ordering;

/// The endpoint's answer once the token allows it; `token` is set to the
/// token's name once known, `retry_after` when the address must wait.
pub(super) fn authorised(
    worker: usize,
    db: &std::path::Path,
    store: &mut Option<Store>,
    job: &Job,
    shared: &Shared,
    token: &mut Option<String>,
    retry_after: &mut Option<u64>,
) -> Result<Answer> {
    let st = match store {
        Some(st) => st,
        None => {
            let mut fresh = Store::open(db, Create::Never)?;
            if let Some(reads) = &shared.reads {
                fresh.with_standby(reads.clone())?;
            }
            let opened = store.insert(fresh);
            shared.stoppers.lock().unwrap_or_else(|p| p.into_inner())[worker] =
                Some(opened.stopper());
            if shared.closing.load(Ordering::SeqCst) {
                opened.stopper().stop();
            }
            opened
        }
    };
    let route = job.call.route;
    let now = shared.clock.now();
    // The client as the limits count it: IPv6 by its /64.
    let peer = crate::core::access::counted_as(job.peer);
    // A `GET` (and a calendar feed, which only reads) may be answered by a
    // standby; the token is checked, and a failure counted, on the primary.
    // `/healthz` answers for the primary.
    let lags = match route.handler {
        Handler::Feed(_) => true,
        Handler::Open(_) | Handler::Hook(_) | Handler::Document => false,
        _ => matches!(route.method, "GET" | "HEAD") && !route.writes,
    };
    st.may_lag(false);
    let (scope, handler) = match route.handler {
        Handler::Api(scope, handler) => (scope, handler),
        // `/healthz` and the patients' pages: no token. A patient's answer
        // writes, and takes its turn as the API's writes do.
        Handler::Open(handler) | Handler::Page(handler) => {
            let _turn = turn(route, shared)?;
            st.may_lag(lags);
            return handler(st, &job.call, now);
        }
        // A provider's request: signed by a channel's secret, not a token.
        // The patients' one-line answers go once the turn is given back (a
        // slow provider holds up no one's write), and are recorded in another.
        Handler::Hook(handler) => {
            // Meta's verification (`GET`) shows a verify token to whoever
            // guesses it: guesses are counted as failed logins are.
            let verifies = route.method == "GET";
            if verifies {
                not_limited(st, &peer, now, retry_after)?;
            }
            let answered = {
                let _turn = turn(route, shared)?;
                handler(st, &job.call, now, shared.key.clone())
            };
            let (answer, replies) = match answered {
                Err(e) if verifies && e.code == Code::BadSignature => {
                    token::failed(st, &peer, now)?;
                    return Err(e);
                }
                answered => answered?,
            };
            send_after(st, route, shared, replies)?;
            return Ok(answer);
        }
        // The booking page: its code goes once the turn is given back.
        Handler::Web(handler) => {
            let visitor = routes::Visitor {
                now,
                key: shared.key.clone(),
                peer: job.peer,
                exec: shared.exec.clone(),
            };
            let (answer, replies) = {
                let _turn = turn(route, shared)?;
                st.may_lag(lags);
                let answered = handler(st, &job.call, &visitor);
                st.may_lag(false);
                answered?
            };
            send_after(st, route, shared, replies)?;
            return Ok(answer);
        }
        // A calendar feed: its token is the key. A token that is no
        // feed's counts against the address, as an API token does.
        Handler::Feed(handler) => {
            not_limited(st, &peer, now, retry_after)?;
            st.may_lag(lags);
            let answered = handler(st, &job.call, now, &shared.rendered);
            st.may_lag(false);
            if let Err(e) = &answered {
                if matches!(e.code, Code::Unauthorized)
                    || e.entity == Some(crate::error::Entity::Feed)
                {
                    token::failed(st, &peer, now)?;
                }
            }
            return answered;
        }
        // Answered before a worker is asked (`Service::handle`).
        Handler::Document => return Ok(Answer::document()),
    };
    let Some(presented) = job.bearer.as_deref().filter(|t| !t.is_empty()) else {
        not_limited(st, &peer, now, retry_after)?;
        token::failed(st, &peer, now)?;
        return Err(token::unauthorized());
    };
    let grant: Grant =
        token::authenticate(st, presented, &peer, now).inspect_err(|e| waits(e, retry_after))?;
    *token = Some(grant.name.clone());
    if !grant.has(scope) {
        return Err(routes::insufficient(scope));
    }
    // A token tied to a member of staff never exceeds their role.
    if let Some(p) = &grant.person {
        crate::core::roles::allow(p.role, route.need(scope))?;
    }
    let _turn = turn(route, shared)?;
    st.may_lag(lags);
    let who = Caller {
        grant: &grant,
        now,
        zone: shared.zone,
        key: shared.key.clone(),
    };
    let mut answer = handler(st, &job.call, &who)?;
    // What a route answers is its declaration's: the clinical keys only
    // where it declares them, and there only for a token with the scope.
    if route.clinical {
        let person = grant.person.as_ref();
        let role_reads = person.is_none_or(|p| p.role.may(crate::core::roles::Need::Clinical));
        if !grant.has(crate::core::access::Scope::Clinical) || !role_reads {
            answer.without_clinical();
        } else if let Some(p) = person {
            answer.without_unseen(p);
        }
        // What a member of staff's token was shown of visits' clinical
        // records is recorded before it is answered
        // (docs/security.md#who-looked).
        if let Some(p) = person {
            let looks = answer.clinical_visits();
            let actor = crate::core::Actor::Api(grant.name.clone(), Some(p.clone()));
            let route_words = format!("{} {}", route.method, route.path);
            crate::app::access::record(st, &looks, &actor, "serve", &route_words, now)?;
        }
    }
    debug_assert!(
        route.clinical || !answer.carries_clinical(),
        "{} {} answers with clinical fields it does not declare",
        route.method,
        route.path
    );
    Ok(answer)
}

/// `RATE_LIMITED` when `peer` failed to authenticate too often lately
/// (counted in the database, so across every server sharing it), with
/// `retry_after` set to the seconds it must wait.
fn not_limited(
    st: &mut Store,
    peer: &str,
    now: chrono::DateTime<chrono::Utc>,
    retry_after: &mut Option<u64>,
) -> Result<()> {
    token::not_limited(st, peer, now).inspect_err(|e| waits(e, retry_after))
}

/// Sets `retry_after` to the seconds a `RATE_LIMITED` refusal `e` asks for.
fn waits(e: &Error, retry_after: &mut Option<u64>) {
    if let Some(w) = e.details.get("retry_after").and_then(|w| w.as_u64()) {
        *retry_after = Some(w);
    }
}

/// Sends `replies` (the patients' one-line answers, the booking page's
/// codes) with the write turn given back, and records the answers' fate in
/// another turn.
fn send_after(
    st: &mut Store,
    route: &routes::Route,
    shared: &Shared,
    replies: Vec<crate::app::outbox::reply::Reply>,
) -> Result<()> {
    if replies.is_empty() {
        return Ok(());
    }
    let replied = crate::app::outbox::reply::send_replies(replies);
    let _turn = turn(route, shared)?;
    crate::app::outbox::reply::record_replies(st, &replied)
}

/// The write turn, for a route that declares it writes. The workers' writes
/// wait for one another here, woken in turn, rather than in SQLite's busy
/// handler, which polls with sleeps growing to 100 ms and lets a waiter
/// lose to newcomers again and again: with 8 connections booking at once,
/// one booking in a hundred took over a second
/// (docs/performance.md#http-api). Other processes' writes are still
/// waited for in the database, as before.
fn turn<'a>(route: &routes::Route, shared: &'a Shared) -> Result<Option<Holding<'a>>> {
    route.writes.then(|| shared.take_turn()).transpose()
}
