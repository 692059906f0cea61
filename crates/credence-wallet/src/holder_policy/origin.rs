//! Verifier identities a `domain` rule can match: the web origin of a
//! client id, read as a browser would, and the rule's host pattern.

use url::{Host, Url};

/// A client id a domain rule can match: the host and port a browser
/// would connect to.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct WebOrigin {
    host: Host<String>,
    port: u16,
}

/// The web origin of `client_id`, if it is one (see the module doc).
pub(super) fn web_origin(client_id: &str) -> Option<WebOrigin> {
    if client_id
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let url = Url::parse(client_id).ok()?;
    let host = url.host_str()?;
    match url.scheme() {
        "https" => {}
        "http" if credence_did::is_loopback_host(host) => {}
        _ => return None,
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    // The host must be written exactly as the parser reads it (up to
    // ASCII case), right after `scheme://`: this refuses percent-encoded,
    // Unicode and shorthand hosts, and anything before the host.
    let written = client_id.get(url.scheme().len()..)?.strip_prefix("://")?;
    let after = written.get(host.len()..)?;
    if !written.get(..host.len())?.eq_ignore_ascii_case(host)
        || !(after.is_empty() || after.starts_with([':', '/', '?', '#']))
    {
        return None;
    }
    let host = url.host()?.to_owned();
    if has_empty_label(&host) {
        return None;
    }
    Some(WebOrigin {
        host,
        port: url.port_or_known_default()?,
    })
}

fn has_empty_label(host: &Host<String>) -> bool {
    matches!(host, Host::Domain(d) if d.split('.').any(str::is_empty))
}

/// A parsed `domain` rule.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct DomainPattern {
    /// `*.` given: subdomains match too.
    wildcard: bool,
    host: Host<String>,
    port: Option<u16>,
}

impl DomainPattern {
    /// Parses `globex.example`, `*.globex.example`, `globex.example:8443`,
    /// `127.0.0.1`, `[::1]:8080`, `bücher.example`.
    pub(super) fn parse(domain: &str) -> Result<Self, String> {
        let (wildcard, rest) = match domain.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, domain),
        };
        let forbidden = |c: char| {
            matches!(c, '/' | '\\' | '@' | '?' | '#' | '%' | '*')
                || c.is_whitespace()
                || c.is_control()
        };
        if rest.is_empty() || rest.chars().any(forbidden) {
            return Err(format!(
                "`{domain}` is not a host name (a `*.` prefix at most)"
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
                let port = port
                    .parse::<u16>()
                    .map_err(|_| format!("bad port in `{domain}`"))?;
                (host, Some(port))
            }
            _ => (rest, None),
        };
        let host = Host::parse(host).map_err(|e| format!("`{domain}`: {e}"))?;
        if has_empty_label(&host) {
            return Err(format!("`{domain}` has an empty label (or a trailing dot)"));
        }
        if wildcard && !matches!(host, Host::Domain(_)) {
            return Err(format!("`{domain}`: a wildcard needs a domain name"));
        }
        Ok(Self {
            wildcard,
            host,
            port,
        })
    }

    pub(super) fn matches(&self, origin: &WebOrigin) -> bool {
        if self.port.is_some_and(|port| port != origin.port) {
            return false;
        }
        match (&self.host, &origin.host) {
            (Host::Domain(rule), Host::Domain(host)) => {
                host == rule || (self.wildcard && is_subdomain(host, rule))
            }
            (rule, host) => !self.wildcard && rule == host,
        }
    }
}

/// Whether `host` is a subdomain of `parent`, label by label.
fn is_subdomain(host: &str, parent: &str) -> bool {
    host.strip_suffix(parent)
        .and_then(|labels| labels.strip_suffix('.'))
        .is_some_and(|labels| !labels.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(host: &str, port: u16) -> Option<WebOrigin> {
        Some(WebOrigin {
            host: Host::parse(host).unwrap(),
            port,
        })
    }

    #[test]
    fn web_origins_of_client_ids() {
        assert_eq!(
            web_origin("https://API.Globex.example:8443/x?y#z"),
            origin("api.globex.example", 8443)
        );
        assert_eq!(
            web_origin("HTTPS://globex.example"),
            origin("globex.example", 443)
        );
        assert_eq!(
            web_origin("https://globex.example:443"),
            origin("globex.example", 443)
        );
        assert_eq!(
            web_origin("http://127.0.0.1:7400"),
            origin("127.0.0.1", 7400)
        );
        assert_eq!(web_origin("http://[::1]:7400/"), origin("[::1]", 7400));
        assert_eq!(web_origin("http://localhost"), origin("localhost", 80));
        assert_eq!(
            web_origin("https://xn--bcher-kva.example"),
            origin("xn--bcher-kva.example", 443)
        );
        for refused in [
            "did:web:globex.example",
            "did:key:z6MkX",
            "globex.example",
            "https:globex.example",
            "https:/globex.example",
            "http://globex.example",
            "http://10.0.0.1",
            "wss://globex.example",
            "https://user@globex.example",
            "https://:pw@globex.example",
            "https://globex.example\\@evil.example",
            "https://globex%2Eexample",
            "https://bücher.example",
            "https://0x7f.1",
            "https://globex.example.",
            "https://api..globex.example",
            "https://glo\tbex.example",
            " https://globex.example",
            "https://",
        ] {
            assert_eq!(web_origin(refused), None, "{refused}");
        }
    }

    #[test]
    fn domain_patterns_parse_like_hosts() {
        let p = DomainPattern::parse("*.Bücher.Example:8443").unwrap();
        assert_eq!(
            p,
            DomainPattern {
                wildcard: true,
                host: Host::parse("xn--bcher-kva.example").unwrap(),
                port: Some(8443),
            }
        );
        assert_eq!(DomainPattern::parse("[::1]").unwrap().port, None);
        assert_eq!(DomainPattern::parse("[::1]:80").unwrap().port, Some(80));
        for bad in [
            "",
            "*.",
            "*",
            "*.*.globex.example",
            "evil*.globex.example",
            "globex.example.",
            "a..globex.example",
            "globex.example/x",
            "evil.example@globex.example",
            "globex%2Eexample",
            "globex.example:",
            "globex.example:99999",
            "*.127.0.0.1",
            "https://globex.example",
            "glo bex.example",
        ] {
            assert!(DomainPattern::parse(bad).is_err(), "{bad}");
        }
    }
}
