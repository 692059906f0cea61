//! Bounded HTTP fetching for DID documents and status lists: connect and
//! total timeouts, a response size limit, no redirects, and plain http
//! only for loopback hosts.

use std::time::Duration;

/// Limits for every fetch the verifier makes.
#[derive(Debug, Clone)]
pub struct FetchLimits {
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole request, body included.
    pub timeout: Duration,
    /// Largest accepted response body, in bytes.
    pub max_bytes: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(5),
            max_bytes: 256 * 1024,
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is unusable (bad syntax, or plain http to a non-loopback host).
    #[error("refused URL {0}")]
    BadUrl(String),
    /// Connecting, sending or reading failed.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The server took longer than the timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The body is larger than the limit.
    #[error("response larger than {0} bytes")]
    TooLarge(usize),
    /// A status other than 200.
    #[error("HTTP status {0}")]
    Status(u16),
    /// The body is not JSON.
    #[error("not JSON: {0}")]
    NotJson(String),
}

use crate::is_loopback_host;

/// An HTTP client with the verifier's limits.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: std::sync::OnceLock<reqwest::Client>,
    limits: FetchLimits,
}

impl Fetcher {
    /// A client applying `limits`. Redirects are not followed. The HTTP
    /// client is built on first use.
    pub fn new(limits: FetchLimits) -> Self {
        Self {
            client: std::sync::OnceLock::new(),
            limits,
        }
    }

    fn client(&self) -> Result<&reqwest::Client, FetchError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(self.limits.connect_timeout)
            .timeout(self.limits.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("credence-did/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Unreachable(e.to_string()))?;
        Ok(self.client.get_or_init(|| client))
    }

    /// The limits in force.
    pub fn limits(&self) -> &FetchLimits {
        &self.limits
    }

    /// Checks that `url` is https, or http to a loopback host.
    pub fn check_url(url: &str) -> Result<reqwest::Url, FetchError> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| FetchError::BadUrl(format!("{url}: {e}")))?;
        let host = parsed.host_str().unwrap_or("");
        match parsed.scheme() {
            "https" => Ok(parsed),
            "http" if is_loopback_host(host) => Ok(parsed),
            _ => Err(FetchError::BadUrl(format!(
                "{url}: only https, or http to a loopback host"
            ))),
        }
    }

    /// GETs `url` and parses the body as JSON, within the limits.
    pub async fn get_json(&self, url: &str) -> Result<serde_json::Value, FetchError> {
        let body = self.get_bytes(url, "application/json").await?;
        serde_json::from_slice(&body).map_err(|e| FetchError::NotJson(e.to_string()))
    }

    /// GETs `url` (asking for `accept`) and returns the body as text,
    /// within the limits.
    pub async fn get_text(&self, url: &str, accept: &str) -> Result<String, FetchError> {
        let body = self.get_bytes(url, accept).await?;
        String::from_utf8(body).map_err(|e| FetchError::NotJson(format!("not UTF-8: {e}")))
    }

    /// POSTs `form` (`application/x-www-form-urlencoded`) to `url` and
    /// returns the status and the body as text, within the limits; any
    /// status is returned (callers read error bodies).
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        accept: &str,
    ) -> Result<(u16, String), FetchError> {
        self.post_form_with(url, form, accept, &[]).await
    }

    /// As [`Fetcher::post_form`], with extra request `headers` (a `DPoP`
    /// proof, say).
    pub async fn post_form_with(
        &self,
        url: &str,
        form: &[(&str, &str)],
        accept: &str,
        headers: &[(&str, &str)],
    ) -> Result<(u16, String), FetchError> {
        let parsed = Self::check_url(url)?;
        let mut request = self
            .client()?
            .post(parsed)
            .header(reqwest::header::ACCEPT, accept)
            .form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (status, body) = self.send(request).await?;
        let text =
            String::from_utf8(body).map_err(|e| FetchError::NotJson(format!("not UTF-8: {e}")))?;
        Ok((status, text))
    }

    async fn get_bytes(&self, url: &str, accept: &str) -> Result<Vec<u8>, FetchError> {
        let parsed = Self::check_url(url)?;
        let request = self
            .client()?
            .get(parsed)
            .header(reqwest::header::ACCEPT, accept);
        match self.send(request).await? {
            (200, body) => Ok(body),
            (status, _) => Err(FetchError::Status(status)),
        }
    }

    /// Sends `request` and reads the body within the size limit.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), FetchError> {
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                FetchError::Timeout(self.limits.timeout)
            } else {
                FetchError::Unreachable(e.to_string())
            }
        };
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let max = self.limits.max_bytes;
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(FetchError::TooLarge(max));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback() {
        assert!(Fetcher::check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(Fetcher::check_url("http://[::1]:8080/x").is_ok());
        assert!(Fetcher::check_url("http://localhost/x").is_ok());
        assert!(Fetcher::check_url("https://acme.example/x").is_ok());
        for bad in [
            "http://acme.example/x",
            "http://10.0.0.1/x",
            "ftp://127.0.0.1/",
            "nope",
        ] {
            assert!(
                matches!(Fetcher::check_url(bad), Err(FetchError::BadUrl(_))),
                "{bad}"
            );
        }
    }
}
