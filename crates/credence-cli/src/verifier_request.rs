//! `credence verifier request`: ask a running token service for a new
//! OpenID4VP transaction and print the `openid4vp://` URL a wallet opens.

use crate::common::{err, CliError};
use serde_json::{json, Value};

/// Largest answer read from the service, in bytes.
const MAX_ANSWER: usize = 64 * 1024;

/// POSTs `{server}/openid4vp/requests` for `claims` in `format` and
/// prints the authorization request URL (with `json`, the whole answer).
pub(crate) async fn request(
    server: &str,
    claims: &[String],
    format: Option<&str>,
    json_out: bool,
) -> Result<(), CliError> {
    let url = format!("{}/openid4vp/requests", server.trim_end_matches('/'));
    credence_did::Fetcher::check_url(&url).map_err(|e| err(2, e))?;
    let mut body = json!({});
    if !claims.is_empty() {
        body["claims"] = json!(claims);
    }
    if let Some(format) = format {
        body["format"] = json!(format);
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| err(4, e))?;
    let mut request = client.post(&url);
    if body.as_object().is_some_and(|b| !b.is_empty()) {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| err(4, format!("{url}: {e}")))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| err(4, format!("{url}: {e}")))?;
    if bytes.len() > MAX_ANSWER {
        return Err(err(
            4,
            format!("{url}: answer larger than {MAX_ANSWER} bytes"),
        ));
    }
    let answer: Value =
        serde_json::from_slice(&bytes).map_err(|e| err(4, format!("{url}: not JSON ({e})")))?;
    if status.as_u16() != 201 {
        return Err(err(1, format!("{url}: HTTP {status}: {answer}")));
    }
    let link = answer["authorization_request"]
        .as_str()
        .ok_or_else(|| err(4, format!("{url}: no authorization_request in {answer}")))?;
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&answer).unwrap_or_default()
        );
    } else {
        eprintln!(
            "Transaction {} for {} (expires at {}); give the wallet:",
            answer["state"].as_str().unwrap_or("?"),
            answer["client_id"].as_str().unwrap_or("?"),
            answer["expires_at"]
        );
        println!("{link}");
    }
    Ok(())
}
