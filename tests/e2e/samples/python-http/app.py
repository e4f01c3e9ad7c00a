"""A stdlib-only HTTP server."""
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def greeting(name):
    return f"hello from python, {name}"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (greeting("world") if self.path != "/healthz" else "ok").encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(f"listening on {port}", flush=True)
    ThreadingHTTPServer(("", port), Handler).serve_forever()
