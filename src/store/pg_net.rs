//! How appt reaches a PostgreSQL server: TLS as the connection string's
//! `sslmode` asks (read as libpq reads it, see `pg_conninfo`) through
//! rustls, and the deadlines that keep a dead or stalled server from hanging
//! appt (connecting, the TLS handshake, and every statement).
//!
//! The driver only knows `disable`, `prefer` and `require`, and has no read
//! deadline of its own. So appt always gives it this module's connector and
//! asks it to start TLS "directly": the driver then hands the bare socket to
//! the connector, which does the negotiation itself (the `SSLRequest`, then
//! rustls with the verification the mode asks for, or plain text) and returns
//! a stream that watches the protocol's messages: while the server owes an
//! answer and says nothing for too long, the stream fails and the driver
//! reports the connection as lost. What this protects is described for users
//! in `docs/security.md`.

use super::pg_client::PgClient;
use super::pg_conninfo::{redact, split_tls, Mode, Pool, Target, TlsWords};
pub use super::pg_stream::Patience;
use super::pg_stream::{Guarded, Link};
use crate::error::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_postgres::config::{Host, SslMode, SslNegotiation, TargetSessionAttrs};
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Config, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How long connecting may take in all: name lookup, TCP, the TLS handshake
/// and logging in (the URL's `connect_timeout` may say otherwise).
pub const CONNECT: Duration = Duration::from_secs(10);

/// The server's own limit on one statement (`statement_timeout`, which
/// each transaction's opening sets for itself, `db::tx`).
pub const STATEMENT: Duration = Duration::from_secs(30);

/// How long appt waits on a silent server while it owes an answer: a little
/// past [`STATEMENT`], so a live server reports its own timeout first.
pub const SILENCE: Duration = Duration::from_secs(35);

/// A schema upgrade may rebuild an index over every row: its statements get
/// this much instead.
pub const MIGRATION: Duration = Duration::from_secs(600);

/// An open connection, ready for statements.
pub struct Connected {
    pub client: PgClient,
    /// The connection string as it may be shown.
    pub shown: String,
    pub patience: Patience,
    /// Something the user should know (patient data in clear over a network).
    pub notice: Option<Error>,
    /// How to cancel what it runs, from another thread.
    pub cancel: Cancel,
}

/// The warning about a connection in clear is given once per process, even
/// when a command opens two (`transfer`).
static WARNED_CLEAR: AtomicBool = AtomicBool::new(false);

/// Connects to the server `conn` names, with the TLS its `sslmode` asks for,
/// in at most [`CONNECT`] (or its `connect_timeout`); its statements then run
/// under `statement_timeout` = [`STATEMENT`] and appt's own [`SILENCE`].
pub fn connect(conn: &str, default: Target) -> Result<Connected> {
    connect_within(conn, None, default)
}

/// [`connect`], in at most `most` per server when it is given (and shorter
/// than the connection string's own `connect_timeout`). Of the servers the
/// string names, the first that its `target_session_attrs` takes, else
/// `default` where the string names several (docs/operations.md#failover).
pub fn connect_within(conn: &str, most: Option<Duration>, default: Target) -> Result<Connected> {
    let shown = redact(conn);
    let (driver, words) = split_tls(conn).map_err(|why| invalid(&shown, &why))?;
    let mut config = Config::from_str(&driver)
        .map_err(|e| invalid(&shown, &crate::text::Msg::verbatim(parse_reason(&e))))?;
    let tls = Tls::asked(&words, &config, &shown)?;
    let remote = route(&mut config, tls.mode, &shown)?;
    let deadline = config.get_connect_timeout().copied().unwrap_or(CONNECT);
    let deadline = most.map_or(deadline, |m| m.min(deadline));
    config.connect_timeout(deadline);
    let servers = config.get_hosts().len().max(1);
    let target = words
        .target
        .unwrap_or(if servers > 1 { default } else { Target::Any });
    let passes = passes(target);
    // Each server gets the deadline for the whole of its attempt (TCP, the
    // TLS handshake, logging in), as libpq gives it, in each pass: a server
    // that accepts and never answers (a hung machine) is passed over for
    // the next once its deadline is up.
    let per_server = deadline;
    let deadline = per_server * (servers * passes.len()) as u32 + Duration::from_secs(1);
    if config.get_application_name().is_none() {
        config.application_name("appt");
    }
    // While connecting, a server's silence is borne for its deadline; once
    // connected, for a statement's.
    let patience = Patience::new(per_server);
    let seen = Arc::new(AtomicU8::new(SEEN_NOTHING));
    let connector = Connector {
        mode: tls.mode,
        tls: tls.config,
        direct: tls.direct,
        patience: patience.clone(),
        handshake: per_server,
        seen: seen.clone(),
    };
    let (mut client, cancel) = open(config, connector, passes, deadline, &shown, tls.mode)?;
    if words.pool == Some(Pool::Transaction) {
        client.lend_the_session();
    }
    patience.set(SILENCE);
    settle(&mut client, target, &shown)?;
    let clear = seen.load(Ordering::Relaxed) == SEEN_PLAIN;
    let warn =
        clear && remote && tls.given.is_none() && !WARNED_CLEAR.swap(true, Ordering::Relaxed);
    let notice = warn.then(|| {
        Error::database(crate::text::msg!(
            "e-the_connection_to_is_not_encrypted_patient",
            shown = shown
        ))
        .hint(crate::text::msg!(
            "e-add_sslmode_verify_full_and_sslrootcert_file"
        ))
    });
    Ok(Connected {
        client,
        shown,
        patience,
        notice,
        cancel,
    })
}

/// A connection string appt cannot read, shown as `shown`, and `why`.
fn invalid(shown: &str, why: &crate::text::Msg) -> Error {
    Error::database(crate::text::msg!(
        "e-is_not_a_valid_postgresql_connection_string",
        shown = shown,
        why = why
    ))
    .hint(crate::text::msg!(
        "e-write_it_as_postgres_user_password_host"
    ))
}

/// The TLS a connection string asks for: its `sslmode` (as given, and as
/// taken), whether it negotiates directly, and the client's configuration.
struct Tls {
    given: Option<Mode>,
    mode: Mode,
    direct: bool,
    config: Arc<rustls::ClientConfig>,
}

impl Tls {
    /// What `words` and `config` ask for, the CA roots loaded; a string
    /// that asks for what cannot be is refused.
    fn asked(words: &TlsWords, config: &Config, shown: &str) -> Result<Tls> {
        let system = words.rootcert.as_deref() == Some("system");
        let given = words.mode;
        let mode = given.unwrap_or(if system {
            Mode::VerifyFull
        } else {
            Mode::Prefer
        });
        if system && mode != Mode::VerifyFull {
            return Err(invalid(
                shown,
                &crate::text::msg!(
                    "e-sslrootcert_system_needs_sslmode_verify_full_not",
                    a = mode.name()
                ),
            ));
        }
        let direct = config.get_ssl_negotiation() == SslNegotiation::Direct;
        if direct && mode < Mode::Require {
            return Err(invalid(
                shown,
                &crate::text::msg!(
                    "e-sslnegotiation_direct_needs_sslmode_require_or_stronger",
                    a = mode.name()
                ),
            ));
        }
        // libpq: `require` with a CA file at hand checks the chain (verify-ca).
        let roots_path = match words.rootcert.as_deref() {
            Some("system") => None,
            Some(path) => Some(PathBuf::from(path)),
            None => directories::BaseDirs::new()
                .map(|d| d.home_dir().join(".postgresql").join("root.crt"))
                .filter(|p| mode >= Mode::VerifyCa || p.is_file()),
        };
        let verify = match mode {
            Mode::Require if roots_path.is_some() => Verify::Chain,
            Mode::VerifyCa => Verify::Chain,
            Mode::VerifyFull => Verify::Full,
            _ => Verify::Nothing,
        };
        let cant = |why: crate::text::Msg| {
            Error::database(crate::text::msg!(
                "e-cannot_connect_to",
                shown = shown,
                why = why
            ))
            .hint(crate::text::msg!(
                "e-give_sslrootcert_file_the_ca_that_signed"
            ))
        };
        let roots = match verify {
            Verify::Nothing => None,
            _ if system => Some(system_roots().map_err(cant)?),
            _ => {
                let path = roots_path.unwrap_or_default();
                Some(file_roots(&path).map_err(cant)?)
            }
        };
        let config = Arc::new(client_tls(verify, roots, words.sni.unwrap_or(true)).map_err(cant)?);
        Ok(Tls {
            given,
            mode,
            direct,
            config,
        })
    }
}

/// Sets how the driver reaches `config`'s servers under `mode`: a local
/// socket in clear, TCP through appt's connector. Whether any server is
/// remote (not this machine), for the warning about data in clear.
fn route(config: &mut Config, mode: Mode, shown: &str) -> Result<bool> {
    let hosts = config.get_hosts().to_vec();
    let local_socket = hosts.iter().any(|h| !matches!(h, Host::Tcp(_)));
    if local_socket && mode >= Mode::Require {
        return Err(invalid(
            shown,
            &crate::text::msg!("e-sslmode_needs_a_host_name_or_address", a = mode.name()),
        ));
    }
    if hosts.is_empty() {
        // TLS (and the connector) needs a name: the address is it.
        for addr in config.get_hostaddrs().to_vec() {
            config.host(addr.to_string());
        }
    }
    let remote = config.get_hosts().iter().any(|h| match h {
        Host::Tcp(name) => !is_loopback(name),
        _ => false,
    });
    if local_socket {
        config.ssl_mode(SslMode::Disable);
    } else {
        // The connector negotiates: see the module's comment.
        config.ssl_mode(SslMode::Require);
        config.ssl_negotiation(SslNegotiation::Direct);
    }
    Ok(remote)
}

/// Connects on a thread of its own, given up after `deadline` whatever the
/// driver does.
fn open(
    config: Config,
    connector: Connector,
    passes: Vec<TargetSessionAttrs>,
    deadline: Duration,
    shown: &str,
    mode: Mode,
) -> Result<(PgClient, Cancel)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(crate::text::msg!("e-cannot_start_connecting", e = e)))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("appt-pg-connect".into())
        .spawn(move || {
            let _ = tx.send(attempt(config, connector, runtime, &passes));
        })
        .map_err(|e| Error::internal(crate::text::msg!("e-cannot_start_connecting", e = e)))?;
    match rx.recv_timeout(deadline) {
        Ok(Ok(opened)) => Ok(opened),
        Ok(Err(e)) => Err(Error::database(crate::text::msg!(
            "e-cannot_connect_to",
            shown = shown,
            why = reason(&e)
        ))
        .hint(connect_hint(&e, mode))),
        Err(_) => Err(Error::database(crate::text::msg!(
            "e-cannot_connect_to_no_answer_from_the",
            shown = shown,
            a = deadline.as_secs()
        ))
        .hint(crate::text::msg!(
            "e-check_that_the_server_is_running_and_2"
        ))),
    }
}

/// A new connection made ready: a `standby` asked for found in recovery.
/// (Each transaction sets its own statement timeout, `db::tx`: nothing is
/// set on the session.)
fn settle(client: &mut PgClient, target: Target, shown: &str) -> Result<()> {
    let cannot_use = |e: tokio_postgres::Error| {
        Error::database(crate::text::msg!(
            "e-cannot_use",
            shown = shown,
            a = reason(&e)
        ))
    };
    if target == Target::Standby {
        let recovering: bool = client
            .query_one("SELECT pg_is_in_recovery()", &[])
            .map_err(cannot_use)?
            .get(0);
        if !recovering {
            return Err(Error::database(crate::text::msg!(
                "e-found_no_standby_among",
                shown = shown
            )));
        }
    }
    Ok(())
}

/// The driver's passes over the servers for `target`. The driver tells a
/// server that takes writes by `transaction_read_only`, as libpq does for
/// `read-write` and `read-only`; libpq tells a `primary` and a `standby` by
/// whether it is in recovery, which is the same on every server but one set
/// `default_transaction_read_only` (a `standby` is checked again once
/// connected, [`attempt`]). `prefer-standby` looks for a standby first, then
/// takes any.
fn passes(target: Target) -> Vec<TargetSessionAttrs> {
    match target {
        Target::Any => vec![TargetSessionAttrs::Any],
        Target::ReadWrite | Target::Primary => vec![TargetSessionAttrs::ReadWrite],
        Target::ReadOnly | Target::Standby => vec![TargetSessionAttrs::ReadOnly],
        Target::PreferStandby => vec![TargetSessionAttrs::ReadOnly, TargetSessionAttrs::Any],
    }
}

/// Connects to the first server of a pass that will do (see [`passes`]),
/// each once, or as libpq does for `allow` (in clear first, then TLS) and
/// `prefer` (TLS first, then in clear when the handshake fails), on a
/// runtime of the connection's own (see `pg_client`).
fn attempt(
    mut config: Config,
    connector: Connector,
    runtime: tokio::runtime::Runtime,
    passes: &[TargetSessionAttrs],
) -> std::result::Result<(PgClient, Cancel), tokio_postgres::Error> {
    let mut last = None;
    for &pass in passes {
        config.target_session_attrs(pass);
        match attempt_one(&config, &connector, &runtime) {
            Ok(((client, connection), used)) => {
                let cancel = Cancel {
                    token: client.cancel_token(),
                    connector: used,
                };
                return Ok((
                    PgClient::new(runtime, client, connection, STATEMENT),
                    cancel,
                ));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("one pass at least"))
}

type Opened = (
    (
        tokio_postgres::Client,
        tokio_postgres::Connection<Socket, Guarded>,
    ),
    Connector,
);

/// One pass of [`attempt`].
fn attempt_one(
    config: &Config,
    connector: &Connector,
    runtime: &tokio::runtime::Runtime,
) -> std::result::Result<Opened, tokio_postgres::Error> {
    let with = |mode: Mode| Connector {
        mode,
        ..connector.clone()
    };
    let connect = |c: Connector| {
        runtime
            .block_on(config.connect(c.clone()))
            .map(|opened| (opened, c))
    };
    let ((client, connection), used) = match connector.mode {
        Mode::Allow => connect(with(Mode::Disable)).or_else(|_| connect(with(Mode::Require))),
        Mode::Prefer => match connect(with(Mode::Prefer)) {
            Err(e) if handshake_failed(&e) => connect(with(Mode::Disable)),
            other => other,
        },
        _ => connect(connector.clone()),
    }?;
    Ok(((client, connection), used))
}

/// How to ask the server, from another thread, to cancel what a
/// connection is running: PostgreSQL's cancel request, sent on a
/// connection of its own made as the first one was (TLS as it was).
#[derive(Clone)]
pub struct Cancel {
    token: tokio_postgres::CancelToken,
    connector: Connector,
}

impl Cancel {
    /// Sends the request and waits at most 2 s for it to be delivered. What
    /// the connection was running fails with `QUERY_CANCELED` (a lock waited
    /// for, a statement); a connection between statements is left as it was.
    pub fn send(&self) {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        let request = self.token.cancel_query(self.connector.clone());
        let _ =
            runtime.block_on(async { tokio::time::timeout(Duration::from_secs(2), request).await });
    }
}

/// Whether a host name stays on this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The driver's reason for a connection string it refused, without the
/// string's characters (a malformed one may have a password in it).
fn parse_reason(e: &tokio_postgres::Error) -> String {
    let cause = std::error::Error::source(e).map(|c| c.to_string());
    match cause {
        Some(c) if c.starts_with("unknown option") || c.starts_with("invalid value for option") => {
            c
        }
        _ => "it cannot be read".into(),
    }
}

/// The driver's reason, with its cause (never anything of the connection
/// string: the driver does not repeat it).
pub fn reason(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text = format!("{text}: {c}");
        cause = c.source();
    }
    text
}

fn connect_hint(e: &tokio_postgres::Error, mode: Mode) -> crate::text::Msg {
    let text = reason(e);
    if text.contains("does not support TLS") {
        crate::text::msg!("e-sslmode_needs_a_server_with_tls_on", a = mode.name())
    } else if text.contains("certificate") {
        crate::text::msg!("e-check_sslrootcert_and_host_name")
    } else {
        crate::text::msg!("e-check_the_server_and_the_user")
    }
}

// ---------------------------------------------------------------- TLS

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verify {
    /// `prefer`, `require`: encrypted, but any certificate is taken.
    Nothing,
    /// `verify-ca`: the certificate is signed by a trusted CA.
    Chain,
    /// `verify-full`: and it is the server's (its name is the host's).
    Full,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn file_roots(path: &std::path::Path) -> std::result::Result<RootCertStore, crate::text::Msg> {
    let shown = path.display();
    let iter = CertificateDer::pem_file_iter(path).map_err(|e| match e {
        rustls::pki_types::pem::Error::Io(io) => {
            crate::text::msg!("e-cannot_read_sslrootcert", shown = shown, io = io)
        }
        other => crate::text::msg!(
            "e-sslrootcert_is_not_a_pem_file",
            shown = shown,
            e = format!("{:?}", other)
        ),
    })?;
    let mut roots = RootCertStore::empty();
    for cert in iter {
        let cert = cert.map_err(|e| {
            crate::text::msg!(
                "e-sslrootcert_is_not_a_pem_file",
                shown = shown,
                e = format!("{:?}", e)
            )
        })?;
        roots.add(cert).map_err(|e| {
            crate::text::msg!(
                "e-sslrootcert_holds_a_certificate_appt_cannot_use",
                shown = shown,
                e = e
            )
        })?;
    }
    if roots.is_empty() {
        return Err(crate::text::msg!(
            "e-sslrootcert_holds_no_certificate",
            shown = shown
        ));
    }
    Ok(roots)
}

fn system_roots() -> std::result::Result<RootCertStore, crate::text::Msg> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        return Err(crate::text::msg!(
            "e-sslrootcert_system_this_machine_has_no_trusted"
        ));
    }
    Ok(roots)
}

fn client_tls(
    verify: Verify,
    roots: Option<RootCertStore>,
    sni: bool,
) -> std::result::Result<ClientConfig, crate::text::Msg> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| crate::text::Msg::verbatim(e.to_string()))?;
    let checker: Arc<dyn ServerCertVerifier> = match (verify, roots) {
        (Verify::Nothing, _) | (_, None) => Arc::new(AnyCertificate(provider)),
        (v, Some(roots)) => {
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| crate::text::Msg::verbatim(e.to_string()))?;
            if v == Verify::Full {
                webpki
            } else {
                Arc::new(ChainOnly(webpki))
            }
        }
    };
    let mut config = builder
        .dangerous()
        .with_custom_certificate_verifier(checker)
        .with_no_client_auth();
    // What PostgreSQL 17 expects of a client that speaks TLS first.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    config.enable_sni = sni;
    Ok(config)
}

/// `require`: any certificate, but the handshake itself is still checked.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain to a trusted CA is checked, the name is not (the
/// web PKI verifier checks the name last, after the chain).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

// ---------------------------------------------------------------- connector

const SEEN_NOTHING: u8 = 0;
const SEEN_PLAIN: u8 = 1;
const SEEN_TLS: u8 = 2;

/// Negotiates each connection the way its mode asks (see the module's comment).
#[derive(Clone)]
struct Connector {
    mode: Mode,
    tls: Arc<ClientConfig>,
    /// `sslnegotiation=direct`: TLS from the first byte, no `SSLRequest`.
    direct: bool,
    patience: Patience,
    /// How long the `SSLRequest` and the TLS handshake may take.
    handshake: Duration,
    /// What the last connection turned out to be (plain or TLS).
    seen: Arc<AtomicU8>,
}

/// The error of a TLS handshake that failed, which `prefer` answers by
/// connecting again in clear.
#[derive(Debug)]
struct HandshakeFailed(io::Error);

impl std::fmt::Display for HandshakeFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for HandshakeFailed {}

fn handshake_failed(e: &tokio_postgres::Error) -> bool {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.is::<HandshakeFailed>() {
            return true;
        }
        cause = c.source();
    }
    false
}

impl MakeTlsConnect<Socket> for Connector {
    type Stream = Guarded;
    type TlsConnect = Negotiate;
    type Error = io::Error;

    fn make_tls_connect(&mut self, host: &str) -> io::Result<Negotiate> {
        Ok(Negotiate {
            connector: self.clone(),
            host: host.to_string(),
        })
    }
}

/// One connection's negotiation, for the host it is made to.
struct Negotiate {
    connector: Connector,
    host: String,
}

impl TlsConnect<Socket> for Negotiate {
    type Stream = Guarded;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Guarded, Self::Error>> + Send>>;

    fn connect(self, socket: Socket) -> Self::Future {
        let most = self.connector.handshake;
        Box::pin(async move {
            tokio::time::timeout(most, self.negotiate(socket))
                .await
                .unwrap_or_else(|_| {
                    Err(Box::new(io::Error::new(
                        io::ErrorKind::TimedOut,
                        crate::text::msg!(
                            "e-no_answer_from_the_server_within_s",
                            a = most.as_secs()
                        ),
                    )))
                })
        })
    }
}

type Boxed = Box<dyn std::error::Error + Send + Sync>;

impl Negotiate {
    /// The `SSLRequest` (unless TLS is direct) and the TLS handshake.
    async fn negotiate(self, mut socket: Socket) -> std::result::Result<Guarded, Boxed> {
        {
            let c = self.connector;
            let plain = |socket: Socket| {
                c.seen.store(SEEN_PLAIN, Ordering::Relaxed);
                Ok(Guarded::new(Link::Plain(socket), c.patience.clone()))
            };
            if c.mode == Mode::Disable {
                return plain(socket);
            }
            if !c.direct {
                // The SSLRequest: 1234.5679 in the protocol-version field.
                socket
                    .write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
                    .await?;
                let mut answer = [0u8];
                socket.read_exact(&mut answer).await?;
                if answer[0] != b'S' {
                    if c.mode <= Mode::Prefer {
                        return plain(socket);
                    }
                    return Err(crate::text::msg!(
                        "e-the_server_does_not_support_tls_which",
                        a = c.mode.name()
                    )
                    .into());
                }
            }
            let mut make = MakeRustlsConnect::new((*c.tls).clone());
            let handshake = MakeTlsConnect::<Socket>::make_tls_connect(&mut make, &self.host)
                .map_err(|e| -> Boxed { match e {} })?;
            let stream = handshake
                .connect(socket)
                .await
                .map_err(|e| Box::new(HandshakeFailed(e)) as Boxed)?;
            c.seen.store(SEEN_TLS, Ordering::Relaxed);
            Ok(Guarded::new(
                Link::Tls(Box::new(stream)),
                c.patience.clone(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_stay_on_the_machine() {
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.0.1.1",
            "::1",
            "[::1]",
            "a.localhost",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["db.example", "10.0.0.5", "192.0.2.2", "localhost.example"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
