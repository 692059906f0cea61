//! did:web identifiers: the URL a DID's document is served at, and the
//! DID of an origin.

use crate::DidError;

/// The URL a did:web DID's document is served at (did:web spec §3.2),
/// with `http` for loopback hosts and `https` otherwise.
pub fn did_web_url(did: &str) -> Result<String, DidError> {
    let id = did
        .strip_prefix("did:web:")
        .ok_or_else(|| DidError::failed(did, "not a did:web DID"))?;
    let mut segments = id.split(':');
    let host = segments
        .next()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| DidError::failed(did, "did:web without a host"))?
        .replace("%3A", ":")
        .replace("%3a", ":");
    if host.contains(['/', '?', '#', '@', '%']) {
        return Err(DidError::failed(did, "invalid did:web host"));
    }
    let path: Vec<&str> = segments.collect();
    if path
        .iter()
        .any(|s| s.is_empty() || s.contains(['/', '?', '#']) || *s == "..")
    {
        return Err(DidError::failed(did, "invalid did:web path"));
    }
    let bare_host = host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h);
    let scheme = if is_loopback_host(bare_host) {
        "http"
    } else {
        "https"
    };
    Ok(if path.is_empty() {
        format!("{scheme}://{host}/.well-known/did.json")
    } else {
        format!("{scheme}://{host}/{}/did.json", path.join("/"))
    })
}

/// Whether `host` (as in a URL, without port) is a loopback host.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The did:web DID of an origin `https://host[:port]` (or `http://` on a
/// loopback host), e.g. `http://127.0.0.1:7400` → `did:web:127.0.0.1%3A7400`.
pub fn did_web_for_origin(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.split_once("://")?;
    let host_port = rest.trim_end_matches('/');
    if host_port.is_empty() || host_port.contains(['/', '?', '#', '@', '[', '%']) {
        return None;
    }
    let host = host_port.split(':').next().unwrap_or(host_port);
    match scheme {
        "https" => {}
        "http" if is_loopback_host(host) => {}
        _ => return None,
    }
    Some(format!("did:web:{}", host_port.replace(':', "%3A")))
}
