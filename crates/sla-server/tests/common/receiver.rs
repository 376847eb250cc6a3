//! A webhook receiver for the tests: a loopback HTTP/1.1 server (plain, or behind
//! TLS with a test certificate) that records each request and answers the statuses
//! it is told to, plus the receiver's side of the signature recipe in docs/WEBHOOKS.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio_rustls::rustls;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub signature: String,
    pub event_id_header: String,
    /// The request target, e.g. `/hook?s=1`.
    pub path: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A tiny HTTP receiver: records each request and answers the next status of
/// its script, 200 once the script is used up.
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    pub fn start(script: &[u16]) -> Receiver {
        Receiver::serve(script, None)
    }

    /// The same receiver behind TLS with `config` (its certificate), at
    /// `https://localhost:PORT/hook`.
    pub fn start_tls(script: &[u16], config: Arc<rustls::ServerConfig>) -> Receiver {
        Receiver::serve(script, Some(config))
    }

    fn serve(script: &[u16], tls: Option<Arc<rustls::ServerConfig>>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        let port = listener.local_addr().expect("addr").port();
        let url = match tls {
            Some(_) => format!("https://localhost:{port}/hook"),
            None => format!("http://127.0.0.1:{port}/hook"),
        };
        let got = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().rev().copied().collect::<Vec<_>>()));
        let (g, sc) = (got.clone(), script.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                match &tls {
                    None => handle(stream, &g, &sc),
                    Some(config) => {
                        let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                            continue;
                        };
                        // A refused handshake surfaces as a read error: nothing recorded.
                        handle(rustls::StreamOwned::new(conn, stream), &g, &sc);
                    }
                }
            }
        });
        Receiver { url, got, script }
    }

    pub fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    pub fn answer_next(&self, statuses: &[u16]) {
        *self.script.lock().unwrap() = statuses.iter().rev().copied().collect();
    }
}

/// Reads one request from `stream`, records it, and answers the script's next status.
fn handle<S: Read + Write>(mut stream: S, got: &Mutex<Vec<Received>>, script: &Mutex<Vec<u16>>) {
    let mut reader = BufReader::new(&mut stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        headers.push(line.trim_end().to_string());
    }
    let header = |name: &str| {
        headers
            .iter()
            .find_map(|h| {
                h.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0u8; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    got.lock().unwrap().push(Received {
        signature: header("sla-signature"),
        event_id_header: header("sla-event-id"),
        path,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = script.lock().unwrap().pop().unwrap_or(200);
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.flush();
}

/// The receiver's side of the recipe (docs/WEBHOOKS.md): HMAC-SHA256 keyed with
/// the secret over `t` + "." + the raw body, compared with `v1`.
pub fn verifies(secret: &str, signature: &str, body: &str) -> bool {
    let mut t = "";
    let mut v1 = "";
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v,
            Some(("v1", v)) => v1 = v,
            _ => {}
        }
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    !t.is_empty() && hex == v1
}
