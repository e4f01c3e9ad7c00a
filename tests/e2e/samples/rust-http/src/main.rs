//! A std-only HTTP server; `--healthcheck` probes it (distroless has no curl).
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn greeting(name: &str) -> String {
    format!("hello from rust, {name}")
}

fn respond(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf)?;
    let request = String::from_utf8_lossy(&buf[..n]);
    let body = if request.starts_with("GET /healthz") { "ok\n".to_string() } else { greeting("world") + "\n" };
    write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
}

fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    if std::env::args().any(|a| a == "--healthcheck") {
        let ok = TcpStream::connect(format!("127.0.0.1:{port}"))
            .and_then(|mut s| {
                s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n")?;
                let mut out = String::new();
                s.read_to_string(&mut out)?;
                Ok(out.starts_with("HTTP/1.1 200"))
            })
            .unwrap_or(false);
        std::process::exit(if ok { 0 } else { 1 });
    }
    let listener = TcpListener::bind(format!("0.0.0.0:{port}")).expect("bind");
    println!("listening on {port}");
    for stream in listener.incoming().flatten() {
        let _ = respond(stream);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn greets() {
        assert_eq!(super::greeting("world"), "hello from rust, world");
    }
}
