//! The wallet API over real HTTP on loopback: authentication, every route,
//! refusals, and the OpenAPI document matching the routes.

use chrono::{Duration, Utc};
use credence_core::AgentProfile;
use credence_issuer::Issuer;
use credence_server::{ApiToken, ROUTES};
use credence_verify::{TokenIssuer, TrustPolicy, Verifier};
use credence_wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const VERIFIER: &str = "https://verifier.globex.example";

struct Api {
    base: String,
    secret: String,
    client: reqwest::Client,
    did: String,
    issuer: Issuer,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(&self.secret)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }
    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.secret)
            .json(body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }
}

fn profile() -> AgentProfile {
    AgentProfile::sample()
}

async fn start() -> Api {
    let dir = tempfile::tempdir().unwrap();
    let wdir = dir.path().join("wallet");
    let wallet = Wallet::create(&wdir, &Unlock::passphrase("pw"), KdfParams::minimal()).unwrap();
    wallet
        .set_holder_policy(
            &HolderPolicy::default()
                .allow_domain("*.globex.example", &["organization", "capabilities"]),
        )
        .unwrap();
    let token = ApiToken::create(&wdir).unwrap();
    let secret = token.secret().to_owned();
    let did = wallet.did().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(credence_server::serve(listener, wallet, token, async {
        let _ = rx.await;
    }));
    Api {
        base,
        secret,
        client: reqwest::Client::new(),
        did,
        issuer: Issuer::generate().unwrap(),
        _dir: dir,
        _shutdown: tx,
    }
}

async fn credential_for(api: &Api, subject: &str) -> Value {
    api.issuer
        .issue_agent_credential(
            subject,
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(1),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn requests_without_or_with_a_wrong_secret_are_refused() {
    let api = start().await;
    for (method, path) in ROUTES.iter().filter(|(_, p)| *p != "/v1/health") {
        let path = path.replace("{id}", "x");
        let req = |b: reqwest::RequestBuilder| b.json(&json!({}));
        let none = match *method {
            "get" => api.client.get(api.url(&path)),
            _ => req(api.client.post(api.url(&path))),
        };
        let r = none.send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a secret"
        );
        assert!(r
            .headers()
            .get("www-authenticate")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized");
        for wrong in [
            format!("{}x", api.secret),
            api.secret[1..].to_string(),
            String::new(),
        ] {
            let b = match *method {
                "get" => api.client.get(api.url(&path)),
                _ => req(api.client.post(api.url(&path))),
            };
            let r = b.bearer_auth(&wrong).send().await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} with a wrong secret"
            );
        }
    }
    // Basic auth with the right secret is not a bearer token either.
    let r = api
        .client
        .get(api.url("/v1/identity"))
        .basic_auth("agent", Some(&api.secret))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Health needs no secret.
    let r = api.client.get(api.url("/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn identity_receive_list_show_present_and_refusals() {
    let api = start().await;
    let (s, id) = api.get("/v1/identity").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(id["did"], api.did.as_str());
    assert_eq!(id["did_document"]["id"], api.did.as_str());

    // Receive: stored, then idempotent; other subject, forged, malformed refused.
    let credential = credential_for(&api, &api.did).await;
    let (s, imported) = api.post("/v1/credentials", &credential).await;
    assert_eq!(s, StatusCode::CREATED, "{imported}");
    let cid = imported["summary"]["id"].as_str().unwrap().to_owned();
    let (s, again) = api.post("/v1/credentials", &credential).await;
    assert_eq!((s, again["new"].as_bool()), (StatusCode::OK, Some(false)));
    let (s, e) = api
        .post(
            "/v1/credentials",
            &credential_for(
                &api,
                "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            )
            .await,
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_subject"))
    );
    let mut forged = credential.clone();
    forged["credentialSubject"]["organization"] = "Evil Corp".into();
    let (s, e) = api.post("/v1/credentials", &forged).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("forged"))
    );
    let r = api
        .client
        .post(api.url("/v1/credentials"))
        .bearer_auth(&api.secret)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // List, filter, show.
    let (s, list) = api.get("/v1/credentials").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["credentials"].as_array().unwrap().len(), 1);
    let (_, typed) = api.get("/v1/credentials?type=AgentCredential").await;
    assert_eq!(typed["credentials"][0]["id"], cid.as_str());
    let (_, none) = api.get("/v1/credentials?issuer=did:key:nobody").await;
    assert!(none["credentials"].as_array().unwrap().is_empty());
    let (s, _) = api.get("/v1/credentials?expiring_before=yesterday").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, shown) = api.get(&format!("/v1/credentials/{cid}")).await;
    assert_eq!((s, &shown), (StatusCode::OK, &credential));
    let (s, e) = api.get("/v1/credentials/0000").await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    // Presentations: a real verifier accepts the result; over-asking is refused.
    let policy = TrustPolicy::from_toml(&format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"Acme\"\ncredential_types = [\"AgentCredential\"]\nrequire_status = false\n\n[[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\nscope = \"invoices:read\"\naudience = \"https://api.globex.example\"\n",
        api.issuer.did()
    ))
    .unwrap();
    let verifier = Verifier::new(VERIFIER, policy);
    let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519().unwrap());
    let request = verifier
        .create_request_for(credence_core::agent_credential_query(&[
            "organization",
            "capabilities",
        ]))
        .await
        .expect("a valid query");
    let (s, plan) = api.post("/v1/presentations/plan", &json!(request)).await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    assert_eq!(plan["verifier"], VERIFIER);
    assert_eq!(
        plan["credentials"][0]["disclosed"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let (s, vp) = api.post("/v1/presentations", &json!(request)).await;
    assert_eq!(s, StatusCode::OK, "{vp}");
    let token = tokens
        .exchange(&verifier, &vp, "https://api.globex.example")
        .await
        .unwrap();
    assert_eq!(token.claims.sub, api.did);

    let mut stale = verifier
        .create_request_for(credence_core::agent_credential_query(&["organization"]))
        .await
        .expect("a valid query");
    stale.expires_at = 0;
    let (s, e) = api.post("/v1/presentations", &json!(stale)).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("request_expired"))
    );
    let mut untyped = verifier
        .create_request_for(credence_core::agent_credential_query(&["organization"]))
        .await
        .expect("a valid query");
    untyped.dcql_query.credentials[0].meta.type_values = vec![vec!["urn:example:Other".into()]];
    let (s, e) = api.post("/v1/presentations", &json!(untyped)).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_matching_credential"))
    );

    let greedy = verifier
        .create_request_for(credence_core::agent_credential_query(&[
            "organization",
            "owner",
        ]))
        .await
        .expect("a valid query");
    for path in ["/v1/presentations", "/v1/presentations/plan"] {
        let (s, e) = api.post(path, &json!(greedy)).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("policy_denied")),
            "{path}"
        );
        assert!(e["message"]
            .as_str()
            .unwrap()
            .contains("credentialSubject.owner"));
    }
    let (s, e) = api.post("/v1/presentations", &json!({"nonce": "x"})).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
}

fn openapi() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/api/wallet-openapi.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("docs/api/wallet-openapi.json"))
        .unwrap()
}

#[tokio::test]
async fn openapi_document_matches_the_served_routes() {
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let declared: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        documented, declared,
        "docs/api/wallet-openapi.json and ROUTES differ"
    );

    // Every documented route is really served (never 404/405), and a route
    // that is not documented is not.
    let api = start().await;
    for (method, path) in &documented {
        let url = api.url(&path.replace("{id}", "0000"));
        let b = match method.as_str() {
            "get" => api.client.get(url),
            _ => api.client.post(url).json(&json!({})),
        };
        let r = b.bearer_auth(&api.secret).send().await.unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or_default();
        // A 404 for an unknown credential id is fine; "no such route" is not.
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED && body["message"] != "no such route",
            "{method} {path} is documented but answered {status} {body}"
        );
    }
    let r = api
        .client
        .get(api.url("/v1/keys"))
        .bearer_auth(&api.secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["message"], "no such route");
    let r = api
        .client
        .delete(api.url("/v1/credentials/0000"))
        .bearer_auth(&api.secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
}
