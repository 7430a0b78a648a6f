//! Stand-ins for a PostgreSQL server as appt meets it on the wire: one that
//! accepts and never says a word, one that lets appt log in and then stalls,
//! one without TLS, and a relay to the real test server that refuses TLS (a
//! server over the network in clear). Each listens on a port of its own for
//! as long as the test binary runs.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::thread;

/// The code of an `SSLRequest`, in place of a protocol version.
const SSL_REQUEST: [u8; 4] = [0x04, 0xd2, 0x16, 0x2f];

fn listen(on: IpAddr, serve: impl Fn(TcpStream) + Send + Sync + 'static) -> SocketAddr {
    let listener = TcpListener::bind((on, 0)).expect("a port for the stand-in");
    let addr = listener.local_addr().unwrap();
    let serve = std::sync::Arc::new(serve);
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let serve = serve.clone();
            thread::spawn(move || serve(conn));
        }
    });
    addr
}

fn loopback() -> IpAddr {
    IpAddr::from([127, 0, 0, 1])
}

/// Accepts connections and never answers (they stay open, unread).
pub fn silent() -> SocketAddr {
    listen(loopback(), |conn| {
        std::thread::sleep(std::time::Duration::from_secs(600));
        drop(conn);
    })
}

/// Reads the first message: an `SSLRequest` is answered `N` (no TLS) and the
/// startup message read after it. Returns false when the client went away.
fn no_tls_then_startup(conn: &mut TcpStream) -> bool {
    let mut head = [0u8; 8];
    if conn.read_exact(&mut head).is_err() {
        return false;
    }
    let mut len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    if head[4..] == SSL_REQUEST {
        if conn.write_all(b"N").is_err() || conn.read_exact(&mut head[..4]).is_err() {
            return false;
        }
        len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let mut rest = vec![0u8; len.saturating_sub(4)];
        return conn.read_exact(&mut rest).is_ok();
    }
    let mut rest = vec![0u8; len.saturating_sub(8)];
    conn.read_exact(&mut rest).is_ok()
}

/// Lets appt in (no TLS, no password: AuthenticationOk, ReadyForQuery), then
/// reads whatever it sends and never answers again.
pub fn stalls_after_login() -> SocketAddr {
    listen(loopback(), |mut conn| {
        if !no_tls_then_startup(&mut conn) {
            return;
        }
        let mut hello = vec![b'R', 0, 0, 0, 8, 0, 0, 0, 0];
        hello.extend([b'Z', 0, 0, 0, 5, b'I']);
        if conn.write_all(&hello).is_err() {
            return;
        }
        let mut sink = [0u8; 4096];
        while matches!(conn.read(&mut sink), Ok(n) if n > 0) {}
    })
}

/// A server without TLS: answers `N` to the `SSLRequest`, then stalls.
pub fn without_tls() -> SocketAddr {
    listen(loopback(), |mut conn| {
        no_tls_then_startup(&mut conn);
        std::thread::sleep(std::time::Duration::from_secs(600));
    })
}

/// A relay on every address of this machine to the PostgreSQL server at
/// `upstream` that answers `N` to an `SSLRequest` itself: the server then
/// sees a connection in clear, as one through a network without TLS.
pub fn relay_in_clear(upstream: SocketAddr) -> u16 {
    let addr = listen(IpAddr::from([0, 0, 0, 0]), move |mut client| {
        let mut head = [0u8; 8];
        if client.read_exact(&mut head).is_err() {
            return;
        }
        let Ok(mut server) = TcpStream::connect(upstream) else {
            return;
        };
        if head[4..] == SSL_REQUEST {
            if client.write_all(b"N").is_err() {
                return;
            }
        } else if server.write_all(&head).is_err() {
            return;
        }
        let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        thread::spawn(move || {
            let _ = std::io::copy(&mut s2, &mut c2);
            let _ = c2.shutdown(std::net::Shutdown::Both);
        });
        let _ = std::io::copy(&mut client, &mut server);
        let _ = server.shutdown(std::net::Shutdown::Both);
    });
    addr.port()
}

/// An IPv4 address of this machine that is not loopback (a network card's).
pub fn network_address() -> IpAddr {
    let mut found = None;
    // SAFETY: getifaddrs fills a list that is read, then freed, here only.
    unsafe {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        assert_eq!(libc::getifaddrs(&mut list), 0, "getifaddrs");
        let mut at = list;
        while !at.is_null() {
            let ifa = &*at;
            if !ifa.ifa_addr.is_null()
                && i32::from((*ifa.ifa_addr).sa_family) == libc::AF_INET
                && ifa.ifa_flags & libc::IFF_LOOPBACK as u32 == 0
                && ifa.ifa_flags & libc::IFF_UP as u32 != 0
            {
                let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                found = Some(IpAddr::from(
                    u32::from_be(sin.sin_addr.s_addr).to_be_bytes(),
                ));
                break;
            }
            at = ifa.ifa_next;
        }
        libc::freeifaddrs(list);
    }
    found.expect("this test needs a network address other than loopback on this machine")
}
