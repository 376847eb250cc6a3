//! The built widget from `--dist`: the demo page at `/`, the embeddable files at
//! `/sla-portal/<file>` under their stable names, anything else of DIST at `/<file>`.
//!
//! A `<file>.br` beside a file (scripts/build-widget writes them at brotli's best quality)
//! is sent as is to a browser that accepts brotli: a fifth smaller than compressing each
//! response on the fly, which matters most for the wasm a host loads before the first chart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};

use crate::api::conditional;
use crate::data::Coding;
use crate::errors::ApiError;
use crate::AppState;

/// A relative path of DIST, or `None` for anything that could leave it or name a
/// hidden file: every segment is plain letters, digits, `.`, `_` or `-`, and no
/// segment starts with a dot.
pub fn safe_relative(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for seg in path.split('/') {
        let ok = !seg.is_empty()
            && !seg.starts_with('.')
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !ok {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

async fn serve_file(dist: &Path, rel: &str, headers: &HeaderMap) -> Response {
    let Some(rel) = safe_relative(rel) else {
        return ApiError::not_found().into_response();
    };
    let path = dist.join(&rel);
    if !tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_file()) {
        return ApiError::not_found().into_response();
    }
    let brotli = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(Coding::choose)
        == Some(Coding::Br);
    let mut br_name = path.clone().into_os_string();
    br_name.push(".br");
    let br_path = PathBuf::from(br_name);
    let (path_read, encoded) = match tokio::fs::metadata(&br_path).await {
        Ok(m) if brotli && m.is_file() => (br_path, true),
        _ => (path.clone(), false),
    };
    let meta = match tokio::fs::metadata(&path_read).await {
        Ok(m) => m,
        Err(_) => return ApiError::not_found().into_response(),
    };
    let bytes = match tokio::fs::read(&path_read).await {
        Ok(b) => b,
        Err(_) => return ApiError::not_found().into_response(),
    };
    let stamp = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    // Stable file names change content on a rebuild: revalidate every time.
    let etag = format!(
        "W/\"{:x}-{:x}{}\"",
        meta.len(),
        stamp,
        if encoded { "-br" } else { "" }
    );
    let mut r = conditional(
        headers,
        &etag,
        Bytes::from(bytes),
        content_type(&path),
        "no-cache",
    );
    // Which file answered depends on Accept-Encoding; a response already encoded is left
    // alone by the compression layer.
    let body_sent = r.status() != axum::http::StatusCode::NOT_MODIFIED;
    let h = r.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if encoded && body_sent {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    }
    r
}

pub async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    serve_file(&state.dist, "index.html", &headers).await
}

pub async fn widget_file(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(rel): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    serve_file(&state.dist, &rel, &headers).await
}

/// Everything the routes do not name: DIST files for GET, JSON 404 otherwise.
pub async fn fallback(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || !(method == Method::GET || method == Method::HEAD) {
        return ApiError::not_found().into_response();
    }
    serve_file(&state.dist, path.trim_start_matches('/'), &headers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_dist_are_refused() {
        assert_eq!(
            safe_relative("sla_portal_bg.wasm"),
            Some(PathBuf::from("sla_portal_bg.wasm"))
        );
        assert_eq!(
            safe_relative("snippets/x-1/inline0.js"),
            Some(PathBuf::from("snippets/x-1/inline0.js"))
        );
        for bad in [
            "../x",
            "a/../b",
            "",
            "/etc/passwd",
            ".env",
            "a//b",
            "a\\b",
            "%2e%2e/x",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn wasm_is_served_as_application_wasm() {
        // Browsers refuse WebAssembly.instantiateStreaming for any other type.
        assert_eq!(content_type(Path::new("a_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("a.js")),
            "text/javascript; charset=utf-8"
        );
    }
}
