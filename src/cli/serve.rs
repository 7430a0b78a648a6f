//! `appt serve`: the HTTP API (docs/api.md), served by `crate::serve`.

use super::Ctx;
use crate::error::Result;
use crate::output::{print_now, Report};
use crate::serve::{self, Options};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt serve\n  appt serve --listen 127.0.0.1:0 --json\n  appt serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n  appt token add web-form --scopes appointments:read,appointments:write"
)]
pub struct Args {
    /// Address and port to listen on (port 0: a free one, printed once listening)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Worker threads answering requests
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub threads: usize,
    /// Connections open at once; beyond it new ones are closed at once
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Connections open at once from one client address (an IPv6 client by
    /// its /64); beyond it its new ones are closed at once
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_connections_per_address: usize,
    /// PEM certificate chain for HTTPS (with --tls-key)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS (with --tls-cert)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address other than loopback (behind a TLS proxy)
    #[arg(long)]
    pub allow_plain_http: bool,
    /// Run `sh -c CMD` to send the booking page's codes of a clinic with no
    /// channel that reaches a phone, as `remind due --exec` runs one
    /// (APPT_KIND=verification, the code's text in APPT_MESSAGE)
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// The address of a proxy of yours (nginx, a load balancer) whose
    /// X-Forwarded-For names the client, for the limits per address
    /// (repeatable); any other's header is ignored
    #[arg(long, value_name = "ADDR")]
    pub trusted_proxy: Vec<std::net::IpAddr>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let o = Options {
        db: ctx.db.clone(),
        listen: a.listen,
        threads: a.threads,
        max_connections: a.max_connections,
        max_per_address: a.max_connections_per_address,
        tls: a.tls_cert.zip(a.tls_key),
        allow_plain_http: a.allow_plain_http,
        clock: ctx.clock()?,
        zone: ctx.zone,
        key: ctx.key()?,
        exec: a.exec,
        trusted_proxies: a.trusted_proxy,
        reads: ctx.reads(false)?,
    };
    let json = ctx.json;
    serve::run(o, &mut |url| {
        print_now(
            json,
            || crate::output::json::serving(url),
            || format!("appt serving {url}"),
        )
    })?;
    Ok(Report::quiet())
}
