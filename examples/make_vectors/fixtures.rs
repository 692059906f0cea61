//! Fixed keys, the credentials they issue, and presentation building.

use chrono::{DateTime, TimeZone, Utc};
use credence::bbs2023::BbsKeyPair;
use credence::did::resolve_local;
use credence::issuer::{Issuer, Principal, StatusAssignment, StatusRegistry};
use credence::model::{
    context_loader_with, delegation_document, link_digest, sign_eddsa_rdfc, AgentProfile,
    ClaimPath, DelegationGrant, EddsaSigning, ParentRef, PresentationRequest,
    AGENT_CREDENTIAL_TYPE, VC_V2_CONTEXT_URL,
};
use rand::SeedableRng;
use serde_json::{json, Value};
use ssi::json_ld::ContextLoader;
use ssi::verification_methods::ProofPurpose;
use ssi::JWK;

type Error = Box<dyn std::error::Error>;

/// The verifier these vectors are written for.
pub const VERIFIER: &str = "https://verifier.globex.example";
/// The audience the policy maps `invoices.read` to.
pub const API: &str = "https://api.globex.example";

/// The verifier clock of every case.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// An Ed25519 key from a fixed seed.
pub fn ed25519(seed: u64) -> Result<JWK, Error> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    Ok(JWK::generate_ed25519_from(&mut rng)?)
}

/// An agent: a did:key Ed25519 key.
pub struct Agent {
    pub key: JWK,
    pub did: String,
    pub method: String,
}

impl Agent {
    pub fn new(seed: u64) -> Result<Self, Error> {
        let key = ed25519(seed)?;
        let did = ssi::dids::DIDKey::generate(&key)?.to_string();
        let method = ssi::dids::DIDKey::generate_url(&key)?.to_string();
        Ok(Self { key, did, method })
    }

    /// Signs `doc` with this agent's key (eddsa-rdfc-2022), created at the
    /// fixed clock.
    pub async fn sign(
        &self,
        doc: Value,
        purpose: ProofPurpose,
        binding: Option<(&str, &str)>,
        loader: &ContextLoader,
    ) -> Result<Value, Error> {
        self.sign_at(doc, purpose, binding, (now(), None), loader)
            .await
    }

    /// As [`Agent::sign`], with the proof's `created` and `expires`.
    pub async fn sign_at(
        &self,
        doc: Value,
        purpose: ProofPurpose,
        binding: Option<(&str, &str)>,
        (created, expires): (DateTime<Utc>, Option<DateTime<Utc>>),
        loader: &ContextLoader,
    ) -> Result<Value, Error> {
        let controller = resolve_local(&self.did).await?;
        let signing = EddsaSigning {
            key: &self.key,
            method: &self.method,
            controller,
            purpose,
            binding,
            created: Some(created),
            expires,
        };
        Ok(sign_eddsa_rdfc(doc, signing, loader).await?)
    }

    /// A VP whose proof is created at `created` and expires at `expires`.
    pub async fn present_at(
        &self,
        credentials: Vec<Value>,
        nonce: &str,
        times: (DateTime<Utc>, Option<DateTime<Utc>>),
        loader: &ContextLoader,
    ) -> Result<Value, Error> {
        let vp = json!({
            "@context": [VC_V2_CONTEXT_URL],
            "type": ["VerifiablePresentation"],
            "holder": self.did,
            "verifiableCredential": credentials,
        });
        self.sign_at(
            vp,
            ProofPurpose::Authentication,
            Some((nonce, VERIFIER)),
            times,
            loader,
        )
        .await
    }

    /// Signs a root delegation link in this agent's name for `grant`
    /// (whatever principal the grant names: for refusal cases).
    pub async fn root(
        &self,
        grant: &DelegationGrant,
        id: &str,
        loader: &ContextLoader,
    ) -> Result<Value, Error> {
        let doc = delegation_document(id, &self.did, grant, None);
        self.sign(doc, ProofPurpose::Assertion, None, loader).await
    }

    /// A VP of `credentials` held by this agent, answering `nonce` for
    /// `domain`.
    pub async fn present(
        &self,
        credentials: Vec<Value>,
        nonce: &str,
        domain: &str,
        loader: &ContextLoader,
    ) -> Result<Value, Error> {
        let vp = json!({
            "@context": [VC_V2_CONTEXT_URL],
            "type": ["VerifiablePresentation"],
            "holder": self.did,
            "verifiableCredential": credentials,
        });
        self.sign(
            vp,
            ProofPurpose::Authentication,
            Some((nonce, domain)),
            loader,
        )
        .await
    }

    /// Signs a non-root delegation link under `parent`.
    pub async fn delegate(
        &self,
        grant: &DelegationGrant,
        parent: &Value,
        id: &str,
        loader: &ContextLoader,
    ) -> Result<Value, Error> {
        let parent_ref = ParentRef {
            id: parent["id"].as_str().unwrap_or_default().to_owned(),
            digest: link_digest(parent).unwrap_or_default(),
        };
        let doc = delegation_document(id, &self.did, grant, Some(&parent_ref));
        self.sign(doc, ProofPurpose::Assertion, None, loader).await
    }
}

/// Everything the cases are built from.
pub struct Fixtures {
    pub loader: ContextLoader,
    pub issuer: Issuer,
    pub rogue_issuer: Issuer,
    pub holder: Agent,
    pub stranger: Agent,
    pub orchestrator: Agent,
    pub alice: Principal,
    pub mallory: Principal,
    /// The holder's AgentCredential (valid 2026-01-01 .. 2027-01-01).
    pub credential: Value,
    /// Acme as a did:web issuer that publishes status lists.
    pub web_issuer: Issuer,
}

/// The origin of the did:web issuer (`did:web:acme.example`).
pub const WEB_ORIGIN: &str = "https://acme.example";

impl Fixtures {
    pub async fn new() -> Result<Self, Error> {
        let bbs = |tag: u8| BbsKeyPair::from_secret_bytes(&[tag; 32]);
        let clock = || -> std::sync::Arc<dyn credence::model::Clock> {
            std::sync::Arc::new(credence::model::FixedClock(
                now() - chrono::Duration::days(1),
            ))
        };
        let issuer = Issuer::from_keys(bbs(0x11)?).with_clock(clock());
        let rogue_issuer = Issuer::from_keys(bbs(0x22)?).with_clock(clock());
        let holder = Agent::new(1)?;
        let credential = issuer
            .issue_agent_credential(
                &holder.did,
                &AgentProfile::sample(),
                at(2026, 1, 1),
                at(2027, 1, 1),
            )
            .await?;
        Ok(Self {
            loader: context_loader_with(Default::default()),
            issuer,
            rogue_issuer,
            stranger: Agent::new(2)?,
            orchestrator: Agent::new(3)?,
            alice: Principal::from_key(ed25519(4)?)?.with_clock(clock()),
            mallory: Principal::from_key(ed25519(5)?)?.with_clock(clock()),
            holder,
            credential,
            web_issuer: Issuer::web(WEB_ORIGIN, bbs(0x33)?, ed25519(6)?)?.with_clock(clock()),
        })
    }

    /// An AgentCredential for the holder by `issuer`, valid `from`..`until`.
    pub async fn credential_by(
        &self,
        issuer: &Issuer,
        from: (i32, u32, u32),
        until: (i32, u32, u32),
    ) -> Result<Value, Error> {
        Ok(issuer
            .issue_agent_credential(
                &self.holder.did,
                &AgentProfile::sample(),
                at(from.0, from.1, from.2),
                at(until.0, until.1, until.2),
            )
            .await?)
    }

    /// The holder's AgentCredential from the did:web issuer with status
    /// entries, and the documents a verifier needs offline: the issuer's
    /// DID document and both status lists, with `set` bits
    /// (`(purpose, true)`) applied.
    pub async fn with_status(&self, set: &[&str]) -> Result<(Value, Value), Error> {
        let mut registry = StatusRegistry::default();
        let index = registry.assign()?;
        for purpose in set {
            registry.set(index, purpose, true)?;
        }
        let assignment = StatusAssignment {
            origin: WEB_ORIGIN.into(),
            index,
        };
        let credential = self
            .web_issuer
            .issue_agent_credential_with_status(
                &self.holder.did,
                &AgentProfile::sample(),
                at(2026, 1, 1),
                at(2027, 1, 1),
                Some(&assignment),
            )
            .await?;
        let mut lists = serde_json::Map::new();
        for purpose in ["revocation", "suspension"] {
            let list = registry
                .credential_at(
                    &self.web_issuer,
                    purpose,
                    now() - chrono::Duration::hours(1),
                    chrono::Duration::hours(24),
                    300_000,
                )
                .await?;
            lists.insert(assignment.list_url(purpose), list);
        }
        let documents = json!({
            "dids": {self.web_issuer.did(): self.web_issuer.did_document()},
            "status_lists": lists,
        });
        Ok((credential, documents))
    }

    /// A request for an AgentCredential disclosing `claims`, with a nonce
    /// named after the case (nonces are single use per verifier).
    pub fn request(&self, case: &str, claims: &[&str]) -> PresentationRequest {
        let mut request = PresentationRequest::new(
            VERIFIER,
            vec![
                "https://www.w3.org/2018/credentials#VerifiableCredential".into(),
                format!("https://ns.credence.dev/v1#{AGENT_CREDENTIAL_TYPE}"),
            ],
            claims.iter().map(|c| ClaimPath::subject(c)).collect(),
            now().timestamp() + 300,
        );
        request.nonce = format!("credence-vector-{case}");
        request
    }

    /// `credential` derived to disclose `claims`, bound to `nonce`.
    pub async fn derive(
        &self,
        credential: &Value,
        claims: &[&str],
        nonce: &str,
    ) -> Result<Value, Error> {
        let pointers: Vec<String> = claims
            .iter()
            .map(|c| ClaimPath::subject(c).to_pointer())
            .collect();
        Ok(
            credence::bbs2023::derive(credential, &pointers, nonce.as_bytes(), &self.loader)
                .await?,
        )
    }

    /// The holder's VP for `request`, disclosing `claims` of `credential`,
    /// followed by `chain`.
    pub async fn present(
        &self,
        request: &PresentationRequest,
        credential: &Value,
        claims: &[&str],
        chain: &[Value],
    ) -> Result<Value, Error> {
        let mut credentials = vec![self.derive(credential, claims, &request.nonce).await?];
        credentials.extend(chain.iter().cloned());
        self.holder
            .present(
                credentials,
                &request.nonce,
                &request.client_id,
                &self.loader,
            )
            .await
    }

    /// A delegation grant in the fixed clock's frame.
    pub fn grant(
        &self,
        principal: &str,
        to: &str,
        caps: &[&str],
        auds: &[&str],
        depth: u32,
    ) -> DelegationGrant {
        DelegationGrant {
            delegate: to.to_owned(),
            principal: principal.to_owned(),
            capabilities: caps.iter().map(|c| c.to_string()).collect(),
            audiences: auds.iter().map(|a| a.to_string()).collect(),
            max_depth: depth,
            purpose: "reconcile March invoices".into(),
            valid_from: at(2026, 5, 1),
            valid_until: at(2026, 7, 1),
            status: None,
        }
    }

    /// `root` → orchestrator, then orchestrator → holder with `leaf`,
    /// signed by `leaf_signer`.
    pub async fn chain(
        &self,
        root_by: &Principal,
        root_depth: u32,
        leaf: DelegationGrant,
        leaf_signer: &Agent,
    ) -> Result<Vec<Value>, Error> {
        let root_grant = self.grant(
            root_by.did(),
            &self.orchestrator.did,
            &["invoices.read", "reports.read"],
            &[API],
            root_depth,
        );
        let root = root_by.delegate(&root_grant).await?;
        let link = leaf_signer
            .delegate(
                &leaf,
                &root,
                "urn:uuid:00000000-0000-4000-8000-00000000000b",
                &self.loader,
            )
            .await?;
        Ok(vec![root, link])
    }

    /// The public identities, for `vectors/keys.json`.
    pub fn public_summary(&self) -> Value {
        json!({
            "verifier": VERIFIER,
            "audience": API,
            "now": now().to_rfc3339(),
            "issuer": self.issuer.did(),
            "web_issuer": self.web_issuer.did(),
            "rogue_issuer": self.rogue_issuer.did(),
            "holder": self.holder.did,
            "stranger": self.stranger.did,
            "orchestrator": self.orchestrator.did,
            "alice": self.alice.did(),
            "mallory": self.mallory.did(),
        })
    }
}
