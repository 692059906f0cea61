//! Cases for the open world: credentials other organizations issue —
//! eddsa-rdfc-2022 proofs, their own vocabulary declared in the policy as
//! a digest-pinned context file, several credentials per presentation
//! answering a DCQL query — and the refusals that go with them.

use crate::cases::{policy, reject, Builder, CLAIMS};
use crate::fixtures::{at, now, Agent, Fixtures, API, VERIFIER};
use credence::model::{
    context_loader_with, AgentProfile, ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlQuery,
    PresentationRequest, AGENT_CREDENTIAL_TYPE, CREDENCE_CONTEXT_URL, VC_V2_CONTEXT_URL,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use ssi::json_ld::ContextLoader;
use ssi::verification_methods::ProofPurpose;

type Error = Box<dyn std::error::Error>;

/// The auditor's own vocabulary.
const COMPLIANCE_URL: &str = "https://vocab.auditor.example/compliance/v1";
const COMPLIANCE_FILE: &str = "compliance-v1.jsonld";
const COMPLIANCE: &str = r#"{
  "@context": {
    "@version": 1.1,
    "@protected": true,
    "ComplianceCredential": "https://vocab.auditor.example/compliance#ComplianceCredential",
    "auditLevel": "https://vocab.auditor.example/compliance#auditLevel"
  }
}
"#;

const VC: &str = "https://www.w3.org/2018/credentials#VerifiableCredential";

fn agent_type() -> String {
    format!("https://ns.credence.dev/v1#{AGENT_CREDENTIAL_TYPE}")
}

fn compliance_loader() -> ContextLoader {
    context_loader_with([(COMPLIANCE_URL.to_owned(), COMPLIANCE.to_owned())].into())
}

/// The `[[context]]` entry declaring the auditor's vocabulary.
fn compliance_context() -> String {
    let digest = hex::encode(Sha256::digest(COMPLIANCE.as_bytes()));
    format!("[[context]]\nurl = \"{COMPLIANCE_URL}\"\nfile = \"{COMPLIANCE_FILE}\"\nsha256 = \"{digest}\"\n\n")
}

/// The unsigned credential `types`/`subject` under `contexts` by
/// `issuer`, valid 2026-01-01 .. 2027-01-01.
fn unsigned(issuer: &str, contexts: &[&str], types: &[&str], subject: Value) -> Value {
    let day = |y, m, d| at(y, m, d).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "@context": contexts,
        "type": types,
        "issuer": issuer,
        "validFrom": day(2026, 1, 1),
        "validUntil": day(2027, 1, 1),
        "credentialSubject": subject,
    })
}

/// A credential `types`/`subject` under `contexts`, issued by `issuer`
/// with an eddsa-rdfc-2022 proof, valid 2026-01-01 .. 2027-01-01.
async fn eddsa_credential(
    issuer: &Agent,
    contexts: &[&str],
    types: &[&str],
    subject: Value,
    loader: &ContextLoader,
) -> Result<Value, Error> {
    let doc = unsigned(&issuer.did, contexts, types, subject);
    issuer
        .sign(doc, ProofPurpose::Assertion, None, loader)
        .await
}

/// A did:key P-256 issuer signing with ecdsa-rdfc-2019.
struct P256Issuer {
    key: ssi::JWK,
    did: String,
    method: String,
}

impl P256Issuer {
    fn new(seed: u64) -> Result<Self, Error> {
        use rand::SeedableRng;
        let key = ssi::JWK::generate_p256_from(&mut rand::rngs::StdRng::seed_from_u64(seed));
        let did = ssi::dids::DIDKey::generate(&key)?.to_string();
        let method = ssi::dids::DIDKey::generate_url(&key)?.to_string();
        Ok(Self { key, did, method })
    }

    async fn credential(
        &self,
        contexts: &[&str],
        types: &[&str],
        subject: Value,
        loader: &ContextLoader,
    ) -> Result<Value, Error> {
        let doc = unsigned(&self.did, contexts, types, subject);
        let signing = credence::model::EddsaSigning {
            key: &self.key,
            method: &self.method,
            controller: credence::did::resolve_local(&self.did).await?,
            purpose: ProofPurpose::Assertion,
            binding: None,
            created: Some(now()),
            expires: None,
        };
        Ok(credence::model::sign_ecdsa_rdfc(doc, signing, loader).await?)
    }
}

/// A request for `dcql`, with a nonce named after the case.
fn request(case: &str, dcql: DcqlQuery) -> PresentationRequest {
    let mut r = PresentationRequest::for_query(VERIFIER, dcql, now().timestamp() + 300);
    r.nonce = format!("credence-vector-{case}");
    r
}

fn agent_query(claims: Vec<ClaimsQuery>) -> CredentialQuery {
    CredentialQuery::ldp_vc("agent", vec![VC.into(), agent_type()], claims)
}

fn compliance_query() -> CredentialQuery {
    CredentialQuery::ldp_vc(
        "compliance",
        vec![
            VC.into(),
            "https://vocab.auditor.example/compliance#ComplianceCredential".into(),
        ],
        vec![ClaimsQuery::subject("auditLevel")],
    )
}

fn token(fx: &Fixtures, scope: &str) -> Value {
    json!({"outcome": "accept", "token": {"sub": fx.holder.did, "client_id": fx.holder.did,
        "scope": scope, "aud": API}})
}

pub async fn add(b: &mut Builder, fx: &Fixtures) -> Result<(), Error> {
    let acme_eddsa = Agent::new(20)?;
    let auditor = Agent::new(21)?;
    let subject = AgentProfile::sample().to_subject(&fx.holder.did);
    let agent_ctx = [VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL];
    let agent_types = ["VerifiableCredential", AGENT_CREDENTIAL_TYPE];
    let eddsa_agent =
        eddsa_credential(&acme_eddsa, &agent_ctx, &agent_types, subject, &fx.loader).await?;

    // An AgentCredential secured with eddsa-rdfc-2022 (no selective disclosure).
    let eddsa_policy = policy(&acme_eddsa.did, "");
    let r = request(
        "accept-eddsa-credential",
        DcqlQuery {
            credentials: vec![agent_query(vec![ClaimsQuery::subject("capabilities")])],
            credential_sets: None,
        },
    );
    let vp = fx
        .holder
        .present(vec![eddsa_agent.clone()], &r.nonce, VERIFIER, &fx.loader)
        .await?;
    b.add(
        "accept-eddsa-credential",
        "an AgentCredential secured with eddsa-rdfc-2022 (the whole credential is disclosed)",
        r,
        vp,
        eddsa_policy.clone(),
        token(fx, "invoices:read"),
    );

    // The same, secured with ecdsa-rdfc-2019 by a P-256 did:key issuer.
    let p256 = P256Issuer::new(22)?;
    let subject = AgentProfile::sample().to_subject(&fx.holder.did);
    let ecdsa_agent = p256
        .credential(&agent_ctx, &agent_types, subject, &fx.loader)
        .await?;
    let r = request(
        "accept-ecdsa-credential",
        DcqlQuery {
            credentials: vec![agent_query(vec![ClaimsQuery::subject("capabilities")])],
            credential_sets: None,
        },
    );
    let vp = fx
        .holder
        .present(vec![ecdsa_agent], &r.nonce, VERIFIER, &fx.loader)
        .await?;
    b.add(
        "accept-ecdsa-credential",
        "an AgentCredential secured with ecdsa-rdfc-2019 (P-256)",
        r,
        vp,
        policy(&p256.did, ""),
        token(fx, "invoices:read"),
    );

    let r = request(
        "format-not-allowed",
        DcqlQuery {
            credentials: vec![agent_query(vec![])],
            credential_sets: None,
        },
    );
    let vp = fx
        .holder
        .present(vec![eddsa_agent.clone()], &r.nonce, VERIFIER, &fx.loader)
        .await?;
    let bbs_only = eddsa_policy.replacen(
        "require_status = false",
        "require_status = false\nformats = [\"bbs-2023\"]",
        1,
    );
    b.add(
        "format-not-allowed",
        "the issuer's entry allows bbs-2023 only; the credential is secured with eddsa-rdfc-2022",
        r,
        vp,
        bbs_only,
        reject("format_not_allowed"),
    );

    // Two credentials from two issuers, the auditor's in its own vocabulary.
    let loader = compliance_loader();
    let compliance = eddsa_credential(
        &auditor,
        &[VC_V2_CONTEXT_URL, COMPLIANCE_URL],
        &["VerifiableCredential", "ComplianceCredential"],
        json!({"id": fx.holder.did, "auditLevel": "soc2"}),
        &loader,
    )
    .await?;
    let auditor_entry = format!(
        "\n[[issuer]]\ndid = \"{}\"\nname = \"Auditor\"\ncredential_types = [\"ComplianceCredential\"]\nrequire_status = false\nformats = [\"eddsa-rdfc-2022\"]\n\n[[rule]]\ncredential_type = \"ComplianceCredential\"\nclaim = \"auditLevel\"\nequals = \"soc2\"\nscope = \"audit:read\"\naudience = \"{API}\"\n",
        auditor.did
    );
    let two_policy = compliance_context() + &policy(fx.issuer.did(), &auditor_entry);
    let two = |case: &str| {
        request(
            case,
            DcqlQuery {
                credentials: vec![
                    agent_query(vec![ClaimsQuery::subject("capabilities")]),
                    compliance_query(),
                ],
                credential_sets: None,
            },
        )
    };
    let r = two("accept-two-credentials");
    let derived = fx
        .derive(&fx.credential, &["capabilities"], &r.nonce)
        .await?;
    let vp = fx
        .holder
        .present(
            vec![derived, compliance.clone()],
            &r.nonce,
            VERIFIER,
            &loader,
        )
        .await?;
    b.add("accept-two-credentials", "a bbs-2023 AgentCredential from Acme and an eddsa-rdfc-2022 ComplianceCredential from an auditor (its vocabulary a [[context]] file of the policy): each feeds its own rule, the scopes combine", r, vp.clone(), two_policy.clone(), token(fx, "audit:read invoices:read"))
        .files = vec![(COMPLIANCE_FILE.into(), COMPLIANCE.into())];

    let r = two("unsupported-context-undeclared");
    let derived = fx
        .derive(&fx.credential, &["capabilities"], &r.nonce)
        .await?;
    let vp = fx
        .holder
        .present(
            vec![derived, compliance.clone()],
            &r.nonce,
            VERIFIER,
            &loader,
        )
        .await?;
    let undeclared = policy(fx.issuer.did(), &auditor_entry);
    b.add(
        "unsupported-context-undeclared",
        "the auditor's context is not declared in the policy",
        r,
        vp,
        undeclared,
        reject("unsupported_context"),
    );

    // The request's credential sets: the compliance credential required.
    let r = two("request-not-satisfied");
    let vp = fx
        .present(&r, &fx.credential, &["capabilities"], &[])
        .await?;
    b.add(
        "request-not-satisfied",
        "two credential queries, both required; only the AgentCredential is presented",
        r,
        vp,
        two_policy.clone(),
        reject("request_not_satisfied"),
    )
    .files = vec![(COMPLIANCE_FILE.into(), COMPLIANCE.into())];

    let mut r = two("accept-optional-set-unanswered");
    r.dcql_query.credential_sets = Some(vec![
        CredentialSetQuery {
            options: vec![vec!["agent".into()]],
            required: true,
        },
        CredentialSetQuery {
            options: vec![vec!["compliance".into()]],
            required: false,
        },
    ]);
    let vp = fx
        .present(&r, &fx.credential, &["capabilities"], &[])
        .await?;
    b.add("accept-optional-set-unanswered", "the compliance credential is an optional credential set; the AgentCredential alone answers the request", r, vp, two_policy, token(fx, "invoices:read"))
        .files = vec![(COMPLIANCE_FILE.into(), COMPLIANCE.into())];

    // Values: a capability the credential does not hold.
    let r = request(
        "claim-value-mismatch",
        DcqlQuery {
            credentials: vec![agent_query(vec![ClaimsQuery::subject_with_values(
                "capabilities",
                &["payments.send"],
            )])],
            credential_sets: None,
        },
    );
    let vp = fx.present(&r, &fx.credential, CLAIMS, &[]).await?;
    b.add(
        "claim-value-mismatch",
        "the request asks for capabilities containing payments.send; the credential's are others",
        r,
        vp,
        policy(fx.issuer.did(), ""),
        reject("claim_value_mismatch"),
    );

    // A derived proof with an empty presentation header: accepted by
    // default (the holder's signature binds the nonce), refused when the
    // issuer's entry requires the header.
    for (name, keys, expected) in [
        (
            "accept-empty-presentation-header",
            "",
            token(fx, "invoices:read"),
        ),
        (
            "presentation-header-required",
            "\nrequire_presentation_header = true\nformats = [\"bbs-2023\"]",
            reject("nonce_mismatch"),
        ),
    ] {
        let r = fx.request(name, CLAIMS);
        let pointers: Vec<String> = CLAIMS
            .iter()
            .map(|c| format!("/credentialSubject/{c}"))
            .collect();
        let derived = credence::bbs2023::derive(&fx.credential, &pointers, b"", &fx.loader).await?;
        let vp = fx
            .holder
            .present(vec![derived], &r.nonce, VERIFIER, &fx.loader)
            .await?;
        let p = crate::cases::policy_with(
            fx.issuer.did(),
            &format!("\nrequire_status = false{keys}"),
            "",
        );
        b.add(
            name,
            "a bbs-2023 derived proof with an empty presentation header",
            r,
            vp,
            p,
            expected,
        );
    }
    Ok(())
}
