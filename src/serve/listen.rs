//! Where `appt serve` listens: the options checked, the address read, the
//! socket bound (once the database answers) and, with `--tls`, the
//! certificate and key loaded.

use super::Options;
use crate::app::{Create, Store};
use crate::error::{Error, Result};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

/// Serves until SIGTERM or SIGINT, then lets requests in flight finish (up
/// to [`DRAIN`]) and returns. `announce` is told the URL once listening.
/// The options' own rules, before anything is opened: the address to
/// listen on (plain HTTP only on a loopback address, unless allowed behind
/// a proxy), the number of workers and the cap on connections.
pub(super) fn checked(o: &Options) -> Result<SocketAddr> {
    let addr = listen_addr(&o.listen)?;
    if !addr.ip().is_loopback() && o.tls.is_none() && !o.allow_plain_http {
        return Err(Error::field(
            "listen",
            crate::text::msg!("e-not_loopback_needs_tls", addr = addr),
        ));
    }
    if o.threads == 0 || o.threads > 256 {
        return Err(Error::field(
            "threads",
            crate::text::msg!("e-threads_between"),
        ));
    }
    if o.max_connections == 0 || o.max_per_address == 0 {
        return Err(Error::field(
            "max_connections",
            crate::text::msg!("e-max_connections_at_least_1"),
        ));
    }
    Ok(addr)
}

/// `ADDR:PORT` as given (a name is looked up: `localhost:8080`).
pub(super) fn listen_addr(listen: &str) -> Result<SocketAddr> {
    let bad = || {
        Error::field(
            "listen",
            crate::text::msg!("e-listen_must_be_address_port", listen = listen),
        )
    };
    listen
        .to_socket_addrs()
        .map_err(|_| bad())?
        .next()
        .ok_or_else(bad)
}

/// Where the server listens, as a client calls it.
pub(super) fn url_of(bound: std::net::SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    match bound.ip() {
        IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", bound.port()),
        IpAddr::V4(ip) => format!("{scheme}://{ip}:{}", bound.port()),
    }
}

/// The listening socket and, with `--tls`, its acceptor; bound only once
/// the options hold and the database is there and answers, before anyone
/// is told to call.
pub(super) fn bind(
    o: &Options,
) -> Result<(std::net::TcpListener, Option<tokio_rustls::TlsAcceptor>)> {
    let addr = checked(o)?;
    let tls = o.tls.as_ref().map(|(c, k)| tls_config(c, k)).transpose()?;
    let mut first = Store::open(&o.db, Create::Never)?;
    if let Some(reads) = &o.reads {
        first.with_standby(reads.clone())?;
    }
    first.ping()?;
    drop(first);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        Error::field(
            "listen",
            crate::text::msg!("e-cannot_listen_on", addr = addr, e = e),
        )
    })?;
    listener.set_nonblocking(true)?;
    Ok((listener, tls))
}

/// The TLS configuration of a PEM certificate chain and key. A file that
/// cannot be read is named; nothing of its content is ever shown.
pub(super) fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<tokio_rustls::TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect())
        .map_err(|e| {
            Error::field(
                "tls_cert",
                crate::text::msg!(
                    "e-cannot_read_pem_certificate",
                    path = cert.display(),
                    e = e
                ),
            )
        })?;
    if certs.is_empty() {
        return Err(Error::field(
            "tls_cert",
            crate::text::msg!("e-holds_no_pem_certificate", path = cert.display()),
        ));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|_| {
        Error::field(
            "tls_key",
            crate::text::msg!("e-cannot_read_pem_key", path = key.display()),
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(crate::text::msg!("e-tls", e = e)))?
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .map_err(|e| {
            Error::field(
                "tls_key",
                crate::text::msg!("e-key_does_not_fit_certificate", e = e),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
