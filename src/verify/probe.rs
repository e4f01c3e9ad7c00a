//! A minimal HTTP/1.0 GET against a published port: enough to know that the app
//! answers, with no HTTP client dependency.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The status code `addr` answers `GET path` with, or why there was none.
pub fn get_status(addr: &str, path: &str) -> Result<u16, String> {
    let target: SocketAddr = addr
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or_else(|| format!("`{addr}` resolves to nothing"))?;
    let mut stream =
        TcpStream::connect_timeout(&target, Duration::from_secs(2)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(4)))
        .map_err(|e| e.to_string())?;
    // One write: a server may answer and close after the first bytes of a request, and
    // an answer already sent still counts.
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    let _ = stream.write_all(request.as_bytes());
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).map_err(|e| e.to_string())?;
    parse_status(&head).ok_or_else(|| "the answer is not HTTP".to_string())
}

/// The code in an HTTP status line's first 12 bytes (`HTTP/1.1 200`).
fn parse_status(head: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/")?;
    rest.split_once(' ')?.1.get(..3)?.parse().ok()
}

/// The host address `docker port` / `podman port` printed for a published port, with
/// an IPv4 address preferred (`0.0.0.0:49153` reaches as `127.0.0.1:49153`).
pub fn host_address(port_output: &str) -> Option<String> {
    let line = port_output
        .lines()
        .find(|l| !l.contains('['))
        .or_else(|| port_output.lines().next())?;
    let (host, port) = line.trim().rsplit_once(':')?;
    let host = match host {
        "0.0.0.0" | "" => "127.0.0.1",
        "[::]" => "[::1]",
        h => h,
    };
    Some(format!("{host}:{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_parse_and_garbage_does_not() {
        assert_eq!(parse_status(b"HTTP/1.1 204"), Some(204));
        assert_eq!(parse_status(b"HTTP/1.0 503"), Some(503));
        assert_eq!(parse_status(b"SSH-2.0-Open"), None);
    }

    #[test]
    fn published_addresses_prefer_ipv4_and_reach_the_wildcard_on_loopback() {
        assert_eq!(
            host_address("0.0.0.0:49153\n[::]:49153\n").as_deref(),
            Some("127.0.0.1:49153")
        );
        assert_eq!(
            host_address("127.0.0.1:3000").as_deref(),
            Some("127.0.0.1:3000")
        );
        assert_eq!(host_address("[::]:8080").as_deref(), Some("[::1]:8080"));
        assert_eq!(host_address(""), None);
    }

    #[test]
    fn a_real_listener_answers_with_its_status() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 256];
            let _ = s.read(&mut buf).unwrap();
            s.write_all(b"HTTP/1.1 404 Not Found\r\n\r\n").unwrap();
        });
        assert_eq!(get_status(&addr, "/"), Ok(404));
        server.join().unwrap();
    }
}
