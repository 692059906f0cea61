//! Two organizations on loopback for the service tests: Acme's issuer
//! (did:web, status lists, admin API), an Acme agent's wallet, Globex's
//! token service and Globex's DPoP-protected invoices tool — all real
//! HTTP servers on 127.0.0.1, real sled stores, real cryptography.
#![allow(dead_code)]

pub mod oid4vp;
pub mod replica;

use axum::Router;
use credence_core::{AgentProfile, PresentationRequest, PROFILE_CLAIMS};
use credence_did::{LocalResolver, ResolveDid, ResolveFuture};
use credence_issuer::Authority;
use credence_resource::ResourceGuard;
use credence_server::verifier_api::{TOKEN_EXCHANGE_GRANT, VP_TOKEN_TYPE};
use credence_server::{ApiToken, Introspection, ToolService, VerifierService};
use credence_verify::{TokenIssuer, TrustPolicy, Verifier};
use credence_wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const OTHER_AUDIENCE: &str = "https://reports.globex.example";

/// Binds 127.0.0.1 on a free port.
pub async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    (listener, origin)
}

/// Serves `router` until the returned sender is dropped or fired.
pub fn serve(listener: TcpListener, router: Router) -> oneshot::Sender<()> {
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    tx
}

/// A resolver for the agent's wallet that knows some documents already
/// (so wallet imports do not depend on the servers a test breaks), and
/// resolves others locally or over loopback HTTP.
pub struct KnownFirst(pub HashMap<String, Value>);

impl ResolveDid for KnownFirst {
    fn resolve_did<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            match self.0.get(did) {
                Some(doc) => Ok(doc.clone()),
                None if LocalResolver::supports(did) => LocalResolver.resolve_did(did).await,
                // A verifier's did:web (OpenID4VP request objects), over HTTP.
                None => credence_did::DidResolver::default().resolve_did(did).await,
            }
        })
    }
}

/// The Globex trust policy for `issuer`: the invoices tool grants
/// `invoices:read` for the `invoices.read` capability; a second audience
/// grants `reports:read`.
pub fn policy_text(issuer: &str, tool: &str) -> String {
    format!(
        r#"[[issuer]]
did = "{issuer}"
name = "Acme Corp"
credential_types = ["AgentCredential"]

[[constraint]]
credential_type = "AgentCredential"
claim = "organization"
prefix = "Acme"

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{tool}"
ttl_secs = 120

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
one_of = ["invoices.read", "reports.read"]
scope = "reports:read"
audience = "{OTHER_AUDIENCE}"
"#
    )
}

pub struct World {
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub issuer_origin: String,
    pub issuer_did: String,
    pub admin: String,
    pub wallet: Arc<Wallet>,
    pub status_index: usize,
    pub credential: Value,
    pub verifier: Arc<Verifier>,
    pub tokens: Arc<TokenIssuer>,
    pub verifier_url: String,
    pub introspection: String,
    pub tool_url: String,
    pub policy_path: std::path::PathBuf,
    pub issuer_stop: Option<oneshot::Sender<()>>,
    stops: Vec<oneshot::Sender<()>>,
}

/// Starts everything and issues the agent a credential over the admin API.
pub async fn world() -> World {
    world_with(|v| v).await
}

/// As [`world`], letting the test adjust the verifier before it serves.
pub async fn world_with(adjust: impl FnOnce(Verifier) -> Verifier) -> World {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();

    // Acme's issuer.
    let (listener, issuer_origin) = bind().await;
    let idir = dir.path().join("acme-issuer");
    let authority = Authority::create(
        &idir,
        &Unlock::passphrase("issuer pw"),
        KdfParams::minimal(),
        &issuer_origin,
    )
    .unwrap();
    let issuer_did = authority.issuer().did().to_owned();
    let issuer_doc = authority.issuer().did_document().unwrap();
    let admin = ApiToken::create(&idir).unwrap();
    let admin_secret = admin.secret().to_owned();
    let issuer_stop = serve(listener, credence_server::issuer_router(authority, admin));

    // The agent's wallet.
    let wallet = Wallet::create(
        dir.path().join("agent"),
        &Unlock::passphrase("agent pw"),
        KdfParams::minimal(),
    )
    .unwrap()
    .with_resolver(Arc::new(KnownFirst(HashMap::from([(
        issuer_did.clone(),
        issuer_doc,
    )]))));
    wallet
        .set_holder_policy(&HolderPolicy::default().allow_domain("127.0.0.1", PROFILE_CLAIMS))
        .unwrap();
    let issued: Value = client
        .post(format!("{issuer_origin}/admin/credentials"))
        .bearer_auth(&admin_secret)
        .json(&json!({"subject": wallet.did(), "profile": AgentProfile::sample()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let credential = issued["credential"].clone();
    wallet.import(&credential).await.unwrap();
    let status_index = issued["status_index"].as_u64().unwrap() as usize;

    // Globex's token service and tool.
    let (vlistener, verifier_url) = bind().await;
    let (tlistener, tool_url) = bind().await;
    let policy_path = dir.path().join("globex-policy.toml");
    std::fs::write(&policy_path, policy_text(&issuer_did, &tool_url)).unwrap();
    let (key, introspection) =
        credence_server::verifier_dir::load_or_create(&dir.path().join("globex")).unwrap();
    let introspection_secret = introspection.secret().to_owned();
    let request_key =
        credence_server::verifier_dir::load_or_create_request_key(&dir.path().join("globex"))
            .unwrap();
    let state: Arc<dyn credence_core::VerifierState> =
        Arc::new(credence_store::SledState::open(dir.path().join("globex").join("state")).unwrap());
    let mut openid4vp =
        credence_server::Openid4vpService::for_origin(&verifier_url, request_key, state.clone())
            .unwrap();
    let verifier = Arc::new(adjust(
        Verifier::new(&verifier_url, TrustPolicy::load(&policy_path).unwrap())
            .with_client_id(&openid4vp.signer.client_id())
            .with_state(state),
    ));
    // The state `adjust` chose (e.g. a shared Redis) keeps the codes too.
    openid4vp.codes = credence_verify::ResponseCodes::new(verifier.state().clone());
    let tokens = Arc::new(TokenIssuer::new(&verifier, key.clone()));
    let vstop = serve(
        vlistener,
        credence_server::verifier_router(VerifierService {
            verifier: verifier.clone(),
            tokens: tokens.clone(),
            default_claims: vec!["organization".into(), "capabilities".into()],
            introspection,
            openid4vp,
        }),
    );
    let tstop = serve(
        tlistener,
        credence_server::tool_router(ToolService {
            guard: ResourceGuard::new(&verifier_url, &tool_url, key.to_public()),
            public_url: tool_url.clone(),
            introspection: Some(Introspection {
                url: format!("{verifier_url}/introspect"),
                secret: introspection_secret.clone(),
            }),
            client: reqwest::Client::new(),
        }),
    );
    World {
        dir,
        client,
        issuer_origin,
        issuer_did,
        admin: admin_secret,
        wallet: Arc::new(wallet),
        status_index,
        credential,
        verifier,
        tokens,
        verifier_url,
        introspection: introspection_secret,
        tool_url,
        policy_path,
        issuer_stop: Some(issuer_stop),
        stops: vec![vstop, tstop],
    }
}

impl World {
    /// Globex's token-signing public key, as resource servers take it from
    /// its JWKS.
    pub async fn verifier_key(&self) -> ssi::JWK {
        let jwks: Value = self
            .client
            .get(format!("{}/.well-known/jwks.json", self.verifier_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        serde_json::from_value(jwks["keys"][0].clone()).unwrap()
    }

    /// A fresh presentation request from Globex.
    pub async fn request(&self) -> PresentationRequest {
        let r = self
            .client
            .post(format!("{}/presentation-requests", self.verifier_url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    /// A presentation answering a fresh request.
    pub async fn presentation(&self) -> Value {
        let request = self.request().await;
        self.wallet.present(&request).await.unwrap()
    }

    /// `POST /token` with `vp`, optionally naming audience and scope.
    pub async fn exchange(
        &self,
        vp: &Value,
        audience: Option<&str>,
        scope: Option<&str>,
    ) -> (StatusCode, Value) {
        let subject = vp.to_string();
        let mut form = vec![
            ("grant_type", TOKEN_EXCHANGE_GRANT),
            ("subject_token", subject.as_str()),
            ("subject_token_type", VP_TOKEN_TYPE),
        ];
        if let Some(a) = audience {
            form.push(("audience", a));
        }
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let r = self
            .client
            .post(format!("{}/token", self.verifier_url))
            .form(&form)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }

    /// A token for the tool, through the whole flow.
    pub async fn token(&self) -> String {
        let vp = self.presentation().await;
        let (status, body) = self.exchange(&vp, Some(&self.tool_url), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// The agent's DPoP proof for `method` on the tool's `/invoices`.
    pub fn dpop(&self, method: &str, token: &str) -> String {
        self.wallet
            .dpop_proof(method, &format!("{}/invoices", self.tool_url), token)
            .unwrap()
    }

    /// Calls the tool with an `Authorization` value and optional DPoP header.
    pub async fn call(
        &self,
        method: reqwest::Method,
        authorization: &str,
        dpop: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}/invoices", self.tool_url))
            .header("authorization", authorization);
        if let Some(p) = dpop {
            req = req.header("dpop", p);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Sets or clears a status bit over the issuer's admin API.
    pub async fn set_status(&self, purpose: &str, set: bool) {
        let r = self
            .client
            .post(format!("{}/admin/status", self.issuer_origin))
            .bearer_auth(&self.admin)
            .json(&json!({"index": self.status_index, "purpose": purpose, "set": set}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

/// Asserts an OAuth error with this code and Credence reason.
pub fn assert_oauth(status: StatusCode, body: &Value, code: &str, reason: &str) {
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(body["error"], code, "{body}");
    assert_eq!(body["credence_reason"], reason, "{body}");
}
