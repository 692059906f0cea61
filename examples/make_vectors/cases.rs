//! The cases: two accepted presentations and one per rejection reason the
//! offline verifier can reach.

use crate::fixtures::{now, Fixtures, API, VERIFIER};
use credence::model::PresentationRequest;
use serde_json::{json, Value};
use std::path::Path;

type Error = Box<dyn std::error::Error>;

/// One conformance case.
pub struct Case {
    pub name: String,
    description: String,
    request: PresentationRequest,
    presentation: Value,
    policy: String,
    audience: String,
    scope: Option<Vec<String>>,
    submissions: u32,
    expected: Value,
    /// DID documents and status lists the verifier is given (offline).
    pub(crate) documents: Option<Value>,
    /// Further files of the case (a policy's `[[context]]` files): name → text.
    pub(crate) files: Vec<(String, String)>,
}

impl Case {
    /// Writes `dir/<name>/{case.json, request.json, presentation.json, policy.toml}`.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let d = dir.join(&self.name);
        std::fs::create_dir_all(&d)?;
        let mut case = json!({
            "description": self.description,
            "now": now().to_rfc3339(),
            "audience": self.audience,
            "submissions": self.submissions,
            "expected": self.expected,
        });
        if let Some(scope) = &self.scope {
            case["scope"] = json!(scope);
        }
        std::fs::write(
            d.join("case.json"),
            serde_json::to_string_pretty(&case)? + "\n",
        )?;
        std::fs::write(
            d.join("request.json"),
            serde_json::to_string_pretty(&self.request)? + "\n",
        )?;
        std::fs::write(
            d.join("presentation.json"),
            serde_json::to_string_pretty(&self.presentation)? + "\n",
        )?;
        std::fs::write(d.join("policy.toml"), &self.policy)?;
        for (name, text) in &self.files {
            std::fs::write(d.join(name), text)?;
        }
        if let Some(documents) = &self.documents {
            std::fs::write(
                d.join("documents.json"),
                serde_json::to_string_pretty(documents)? + "\n",
            )?;
        }
        Ok(())
    }
}

/// The policy for a did:key issuer that publishes no status lists.
pub(crate) fn policy(issuer: &str, extra: &str) -> String {
    policy_with(issuer, "\nrequire_status = false", extra)
}

/// Globex's policy: `issuer_keys` are further keys of the `[[issuer]]`
/// entry.
pub(crate) fn policy_with(issuer: &str, issuer_keys: &str, extra: &str) -> String {
    format!(
        r#"# Globex trusts Acme's AgentCredentials; invoices.read -> invoices:read.
[[issuer]]
did = "{issuer}"
name = "Acme Corp"
credential_types = ["AgentCredential"]{issuer_keys}

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{API}"
ttl_secs = 300
{extra}"#
    )
}

pub(crate) fn reject(reason: &str) -> Value {
    json!({"outcome": "reject", "reason": reason})
}

pub(crate) struct Builder {
    out: Vec<Case>,
    n: usize,
}

impl Builder {
    pub(crate) fn add(
        &mut self,
        name: &str,
        description: &str,
        request: PresentationRequest,
        presentation: Value,
        policy: String,
        expected: Value,
    ) -> &mut Case {
        self.n += 1;
        self.out.push(Case {
            name: format!("{:02}-{name}", self.n),
            description: description.into(),
            request,
            presentation,
            policy,
            audience: API.into(),
            scope: None,
            submissions: 1,
            expected,
            documents: None,
            files: Vec::new(),
        });
        self.out.last_mut().expect("just pushed")
    }
}

pub(crate) const CLAIMS: &[&str] = &["organization", "capabilities"];

/// Builds every case.
pub async fn build(fx: &Fixtures) -> Result<Vec<Case>, Error> {
    let mut b = Builder { out: vec![], n: 0 };
    let issuer = fx.issuer.did().to_owned();
    let base = policy(&issuer, "");
    let with_alice = policy(
        &issuer,
        &format!(
            "\n[[principal]]\ndid = \"{}\"\nname = \"Alice (Acme finance)\"\n\n[delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n",
            fx.alice.did()
        ),
    );

    // Accepted.
    let r = fx.request("accept", CLAIMS);
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    b.add("accept-basic", "organization and capabilities disclosed; invoices.read maps to invoices:read", r, vp, base.clone(),
        json!({"outcome": "accept", "token": {"sub": fx.holder.did, "client_id": fx.holder.did, "scope": "invoices:read", "aud": API}}));

    let r = fx.request("accept-delegated", CLAIMS);
    let leaf = fx.grant(
        fx.alice.did(),
        &fx.holder.did,
        &["invoices.read"],
        &[API],
        0,
    );
    let chain = fx.chain(&fx.alice, 1, leaf, &fx.orchestrator).await?;
    let vp = fx.present(&r, &fx.credential, CLAIMS, &chain).await?;
    b.add("accept-delegated", "Alice -> orchestrator -> holder; the token speaks for Alice, act nests the agents", r, vp, with_alice.clone(),
        json!({"outcome": "accept", "token": {"sub": fx.alice.did(), "client_id": fx.holder.did, "scope": "invoices:read", "aud": API,
               "act": [fx.holder.did, fx.orchestrator.did]}}));

    // Malformed input and contexts.
    let r = fx.request("malformed", CLAIMS);
    b.add("malformed", "a presentation without credential or proof", r, json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiablePresentation"}), base.clone(), reject("malformed"));

    let r = fx.request("unsupported-context", CLAIMS);
    let mut cred = fx.derive(&fx.credential, CLAIMS, &r.nonce).await?;
    cred["@context"] = json!(["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1", {"scopeHint": "https://example.org/x"}]);
    let vp = fx
        .holder
        .present(vec![cred], &r.nonce, VERIFIER, &fx.loader)
        .await?;
    b.add(
        "unsupported-context",
        "the credential carries an inline context",
        r,
        vp,
        base.clone(),
        reject("unsupported_context"),
    );

    // Keys and proofs.
    let r = fx.request("resolution-failed", CLAIMS);
    let mut cred = fx.derive(&fx.credential, CLAIMS, &r.nonce).await?;
    cred["issuer"] = json!("did:web:acme.invalid");
    cred["proof"]["verificationMethod"] = json!("did:web:acme.invalid#key-1");
    let vp = fx
        .holder
        .present(vec![cred], &r.nonce, VERIFIER, &fx.loader)
        .await?;
    b.add(
        "resolution-failed",
        "a trusted issuer whose DID cannot be resolved (offline, did:web)",
        r,
        vp,
        policy("did:web:acme.invalid", ""),
        reject("resolution_failed"),
    );

    let r = fx.request("key-not-authorized", CLAIMS);
    let mut vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    vp["proof"]["proofPurpose"] = json!("assertionMethod");
    b.add(
        "key-not-authorized",
        "the presentation proof claims assertionMethod instead of authentication",
        r,
        vp,
        base.clone(),
        reject("key_not_authorized"),
    );

    let r = fx.request("bad-proof", CLAIMS);
    let mut cred = fx.derive(&fx.credential, CLAIMS, &r.nonce).await?;
    cred["credentialSubject"]["organization"] = json!("Globex Corp");
    let vp = fx
        .holder
        .present(vec![cred], &r.nonce, VERIFIER, &fx.loader)
        .await?;
    b.add(
        "bad-proof",
        "a disclosed claim changed after derivation (the holder re-signed the VP)",
        r,
        vp,
        base.clone(),
        reject("bad_proof"),
    );

    // Binding.
    let r = fx.request("nonce-mismatch", CLAIMS);
    let other = fx.request("some-other-request", CLAIMS);
    let vp = fx.present(&other, &fx.credential, CLAIMS, &[]).await?;
    b.add(
        "nonce-mismatch",
        "the presentation answers a nonce this request did not issue",
        r,
        vp,
        base.clone(),
        reject("nonce_mismatch"),
    );

    let mut r = fx.request("nonce-expired", CLAIMS);
    r.expires_at = now().timestamp() - 60;
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    b.add(
        "nonce-expired",
        "the request expired a minute before the verifier clock",
        r,
        vp,
        base.clone(),
        reject("nonce_expired"),
    );

    let r = fx.request("replay", CLAIMS);
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    b.add(
        "replay",
        "the same presentation submitted twice: the second is refused",
        r,
        vp,
        base.clone(),
        reject("replay"),
    )
    .submissions = 2;

    let r = fx.request("audience-mismatch", CLAIMS);
    let cred = fx.derive(&fx.credential, CLAIMS, &r.nonce).await?;
    let vp = fx
        .holder
        .present(vec![cred], &r.nonce, "https://evil.example", &fx.loader)
        .await?;
    b.add(
        "audience-mismatch",
        "the presentation is bound to another verifier (domain)",
        r,
        vp,
        base.clone(),
        reject("audience_mismatch"),
    );

    let r = fx.request("holder-mismatch", CLAIMS);
    let cred = fx.derive(&fx.credential, CLAIMS, &r.nonce).await?;
    let vp = fx
        .stranger
        .present(vec![cred], &r.nonce, VERIFIER, &fx.loader)
        .await?;
    b.add(
        "holder-mismatch",
        "another agent presents the holder's credential",
        r,
        vp,
        base.clone(),
        reject("holder_mismatch"),
    );

    // Validity.
    let r = fx.request("expired", CLAIMS);
    let cred = fx
        .credential_by(&fx.issuer, (2025, 1, 1), (2026, 1, 1))
        .await?;
    let vp = fx.present(&r, &cred, CLAIMS, &[]).await?;
    b.add(
        "expired",
        "the credential expired before the verifier clock",
        r,
        vp,
        base.clone(),
        reject("expired"),
    );

    let r = fx.request("not-yet-valid", CLAIMS);
    let cred = fx
        .credential_by(&fx.issuer, (2026, 9, 1), (2027, 9, 1))
        .await?;
    let vp = fx.present(&r, &cred, CLAIMS, &[]).await?;
    b.add(
        "not-yet-valid",
        "the credential becomes valid after the verifier clock",
        r,
        vp,
        base.clone(),
        reject("not_yet_valid"),
    );

    // Trust and policy.
    let r = fx.request("untrusted-issuer", CLAIMS);
    let cred = fx
        .credential_by(&fx.rogue_issuer, (2026, 1, 1), (2027, 1, 1))
        .await?;
    let vp = fx.present(&r, &cred, CLAIMS, &[]).await?;
    b.add(
        "untrusted-issuer",
        "a well-formed credential from an issuer the policy does not list",
        r,
        vp,
        base.clone(),
        reject("untrusted_issuer"),
    );

    let r = fx.request("wrong-credential-type", &["capabilities"]);
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
        "type": ["VerifiableCredential"],
        "issuer": fx.issuer.did(),
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-12-01T00:00:00Z",
        "credentialSubject": {"id": fx.holder.did, "capabilities": ["invoices.read"]},
    });
    let cred = fx
        .issuer
        .issue_document(
            &doc,
            &[
                "/issuer",
                "/validFrom",
                "/validUntil",
                "/credentialSubject/id",
            ]
            .map(String::from),
        )
        .await?;
    let vp = fx.present(&r, &cred, &["capabilities"], &[]).await?;
    b.add(
        "wrong-credential-type",
        "an issuer trusted for any credential presents one that is not the AgentCredential requested",
        r,
        vp,
        policy(&issuer, "").replace(
            "credential_types = [\"AgentCredential\"]",
            "credential_types = [\"AgentCredential\", \"VerifiableCredential\"]",
        ),
        reject("wrong_credential_type"),
    );

    let r = fx.request("missing-claim", CLAIMS);
    let vp = fx
        .present(&r, &fx.credential, &["capabilities"], &[])
        .await?;
    b.add(
        "missing-claim",
        "the request asks for organization, the presentation does not disclose it",
        r,
        vp,
        base.clone(),
        reject("missing_claim"),
    );

    let r = fx.request("constraint-failed", CLAIMS);
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    let strict = policy(&issuer, "\n[[constraint]]\ncredential_type = \"AgentCredential\"\nclaim = \"organization\"\nequals = \"Globex Corp\"\n");
    b.add(
        "constraint-failed",
        "the policy only accepts agents of Globex Corp",
        r,
        vp,
        strict,
        reject("constraint_failed"),
    );

    let r = fx.request("no-scope-mapped", CLAIMS);
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    b.add(
        "no-scope-mapped",
        "a token is asked for an audience no rule maps to",
        r,
        vp,
        base.clone(),
        reject("no_scope_mapped"),
    )
    .audience = "https://payroll.globex.example".into();

    let r = fx.request("scope-not-granted", CLAIMS);
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    b.add(
        "scope-not-granted",
        "the exchange asks for invoices:write, which the policy does not grant",
        r,
        vp,
        base.clone(),
        reject("scope_not_granted"),
    )
    .scope = Some(vec!["invoices:write".into()]);

    // Delegation.
    let leaf = || {
        fx.grant(
            fx.alice.did(),
            &fx.holder.did,
            &["invoices.read"],
            &[API],
            0,
        )
    };
    let r = fx.request("untrusted-principal", CLAIMS);
    let mut g = leaf();
    g.principal = fx.mallory.did().to_owned();
    let chain = fx.chain(&fx.mallory, 1, g, &fx.orchestrator).await?;
    let vp = fx.present(&r, &fx.credential, CLAIMS, &chain).await?;
    b.add(
        "untrusted-principal",
        "the chain is rooted at a principal the policy does not list",
        r,
        vp,
        with_alice.clone(),
        reject("untrusted_principal"),
    );

    let r = fx.request("delegation-broken", CLAIMS);
    let chain = fx.chain(&fx.alice, 1, leaf(), &fx.stranger).await?;
    let vp = fx.present(&r, &fx.credential, CLAIMS, &chain).await?;
    b.add(
        "delegation-broken",
        "the second link is signed by an agent the root did not delegate to",
        r,
        vp,
        with_alice.clone(),
        reject("delegation_broken"),
    );

    let r = fx.request("delegation-exceeds-parent", CLAIMS);
    let mut g = leaf();
    g.capabilities.push("invoices.write".into());
    let chain = fx.chain(&fx.alice, 1, g, &fx.orchestrator).await?;
    let vp = fx.present(&r, &fx.credential, CLAIMS, &chain).await?;
    b.add(
        "delegation-exceeds-parent",
        "the orchestrator grants a capability it was not given",
        r,
        vp,
        with_alice.clone(),
        reject("delegation_exceeds_parent"),
    );

    let r = fx.request("delegation-depth-exceeded", CLAIMS);
    let chain = fx.chain(&fx.alice, 0, leaf(), &fx.orchestrator).await?;
    let vp = fx.present(&r, &fx.credential, CLAIMS, &chain).await?;
    b.add(
        "delegation-depth-exceeded",
        "Alice allowed no further delegation, the orchestrator delegated anyway",
        r,
        vp,
        with_alice.clone(),
        reject("delegation_depth_exceeded"),
    );

    let r = fx.request("audience-not-delegated", CLAIMS);
    let g = fx.grant(
        fx.alice.did(),
        &fx.holder.did,
        &["invoices.read"],
        &[API],
        0,
    );
    let chain = fx.chain(&fx.alice, 1, g, &fx.orchestrator).await?;
    let vp = fx.present(&r, &fx.credential, CLAIMS, &chain).await?;
    let also_reports = format!("{with_alice}\n[[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\nscope = \"invoices:read\"\naudience = \"https://reports.globex.example\"\nttl_secs = 300\n");
    b.add("audience-not-delegated", "the policy maps the claim to the reports API too, but the chain only allows the invoices API", r, vp, also_reports, reject("audience_not_delegated")).audience = "https://reports.globex.example".into();

    // Revocation status, with the issuer's did:web document and its status
    // lists supplied to the verifier (nothing is fetched).
    let web_policy = policy_with(fx.web_issuer.did(), "", "");
    let status_cases: [(&str, &str, &[&str], Value); 4] = [
        (
            "accept-with-status",
            "a did:web issuer's credential, neither revoked nor suspended",
            &[],
            json!({"outcome": "accept", "token": {"sub": fx.holder.did, "client_id": fx.holder.did, "scope": "invoices:read", "aud": API}}),
        ),
        (
            "revoked",
            "the credential's bit is set in the issuer's revocation list",
            &["revocation"],
            reject("revoked"),
        ),
        (
            "suspended",
            "the credential's bit is set in the issuer's suspension list",
            &["suspension"],
            reject("suspended"),
        ),
        (
            "status-unavailable",
            "the verifier has no copy of the suspension list",
            &[],
            reject("status_unavailable"),
        ),
    ];
    for (name, description, set, expected) in status_cases {
        let r = fx.request(name, CLAIMS);
        let (cred, mut documents) = fx.with_status(set).await?;
        if name == "status-unavailable" {
            if let Some(lists) = documents["status_lists"].as_object_mut() {
                lists.retain(|url, _| !url.ends_with("/suspension"));
            }
        }
        let vp = fx.present(&r, &cred, CLAIMS, &[]).await?;
        b.add(name, description, r, vp, web_policy.clone(), expected)
            .documents = Some(documents);
    }
    let r = fx.request("status-list-invalid", CLAIMS);
    let (cred, mut documents) = fx.with_status(&[]).await?;
    if let Some(lists) = documents["status_lists"].as_object_mut() {
        for (url, list) in lists.iter_mut() {
            if url.ends_with("/revocation") {
                // Extended after signing: the issuer's signature fails.
                list["validUntil"] = json!("2030-01-01T00:00:00Z");
            }
        }
    }
    let vp = fx.present(&r, &cred, CLAIMS, &[]).await?;
    b.add(
        "status-list-invalid",
        "the revocation list was altered after the issuer signed it",
        r,
        vp,
        web_policy,
        reject("status_list_invalid"),
    )
    .documents = Some(documents);

    crate::signed_cases::add(&mut b, fx).await?;
    crate::open_cases::add(&mut b, fx).await?;
    Ok(b.out)
}
