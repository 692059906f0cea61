//! Presentation requests, shaped after OpenID for Verifiable Presentations
//! 1.0 with a DCQL query.

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// A path to a claim inside a credential, e.g. `["credentialSubject", "organization"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClaimPath(pub Vec<String>);

impl ClaimPath {
    /// A claim of the credential subject.
    pub fn subject(name: &str) -> Self {
        Self(vec!["credentialSubject".into(), name.into()])
    }

    /// The RFC 6901 JSON pointer for this path (`/credentialSubject/organization`).
    pub fn to_pointer(&self) -> String {
        self.0
            .iter()
            .map(|seg| format!("/{}", seg.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl std::fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// A value a claims query accepts (DCQL `values`: strings, integers,
/// booleans). A verified literal matches when its lexical form is the
/// value's (`2`, `true`, `invoices.read`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExpectedValue {
    /// A string.
    Text(String),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Bool(bool),
}

impl ExpectedValue {
    /// The lexical form a matching verified literal has.
    pub fn lexical(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Integer(i) => i.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

/// One requested claim (DCQL `claims` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsQuery {
    /// Identifier of this claims query (DCQL `id`), optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the claim sits in the credential.
    pub path: ClaimPath,
    /// When present, the claim must have one of these values; for a list,
    /// the holder discloses only the elements that are among them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<ExpectedValue>>,
}

impl ClaimsQuery {
    /// A claim of the credential subject, any value.
    pub fn subject(name: &str) -> Self {
        Self {
            id: None,
            path: ClaimPath::subject(name),
            values: None,
        }
    }

    /// A claim of the credential subject that must have one of `values`.
    pub fn subject_with_values(name: &str, values: &[&str]) -> Self {
        Self {
            values: Some(
                values
                    .iter()
                    .map(|v| ExpectedValue::Text((*v).to_owned()))
                    .collect(),
            ),
            ..Self::subject(name)
        }
    }

    /// Whether a value with lexical form `lexical` is acceptable.
    pub fn accepts(&self, lexical: &str) -> bool {
        self.values
            .as_ref()
            .is_none_or(|vs| vs.iter().any(|v| v.lexical() == lexical))
    }
}

/// The DCQL format of W3C VCs secured with Data Integrity.
pub const LDP_VC: &str = "ldp_vc";
/// The DCQL format of SD-JWT VCs.
pub const DC_SD_JWT: &str = "dc+sd-jwt";

/// DCQL `meta`: `type_values` for W3C VCs secured with Data Integrity
/// (`ldp_vc`), `vct_values` for SD-JWT VCs (`dc+sd-jwt`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdpMeta {
    /// Accepted type sets, as fully expanded IRIs; a credential matches when
    /// it has every type of one set (`ldp_vc`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub type_values: Vec<Vec<String>>,
    /// Accepted `vct` values (`dc+sd-jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct_values: Option<Vec<String>>,
}

/// One requested credential (DCQL `credentials` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialQuery {
    /// Identifier of this query inside the request.
    pub id: String,
    /// Credential format: [`LDP_VC`] or [`DC_SD_JWT`].
    pub format: String,
    /// Accepted credential types.
    pub meta: LdpMeta,
    /// The claims the verifier needs disclosed.
    #[serde(default)]
    pub claims: Vec<ClaimsQuery>,
    /// DCQL members Credence does not implement (OpenID4VP §6.1:
    /// `claim_sets`, `trusted_authorities`, `multiple: true`), kept so that
    /// [`DcqlQuery::validate`] refuses them rather than a wallet answering
    /// as if they were absent (with every claim instead of one claim set).
    #[serde(flatten, default, skip_serializing_if = "Unimplemented::is_empty")]
    pub unimplemented: Unimplemented,
}

/// The DCQL credential-query members Credence refuses (see
/// [`CredentialQuery::unimplemented`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unimplemented {
    /// Alternative claim combinations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_sets: Option<serde_json::Value>,
    /// Issuers the verifier accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_authorities: Option<serde_json::Value>,
    /// Whether several credentials may answer the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple: Option<bool>,
}

impl Unimplemented {
    fn is_empty(&self) -> bool {
        self.first().is_none()
    }

    /// The first member present that Credence cannot honour.
    fn first(&self) -> Option<&'static str> {
        if self.claim_sets.is_some() {
            Some("claim_sets")
        } else if self.trusted_authorities.is_some() {
            Some("trusted_authorities")
        } else if self.multiple == Some(true) {
            Some("multiple")
        } else {
            None
        }
    }
}

impl CredentialQuery {
    fn check_bounds(&self) -> Result<(), DcqlError> {
        if self.id.len() > MAX_QUERY_ID_LEN {
            return Err(DcqlError::TooLarge(format!(
                "a query id longer than {MAX_QUERY_ID_LEN}"
            )));
        }
        let no_types = match self.format.as_str() {
            DC_SD_JWT => {
                !self.meta.type_values.is_empty()
                    || self.meta.vct_values.as_ref().is_none_or(|v| v.is_empty())
            }
            _ => {
                self.meta.vct_values.is_some()
                    || self.meta.type_values.is_empty()
                    || self.meta.type_values.iter().any(Vec::is_empty)
            }
        };
        if no_types {
            return Err(DcqlError::NoTypes(self.id.clone()));
        }
        let values = |c: &ClaimsQuery| c.values.as_ref().map_or(0, Vec::len);
        if self.meta.type_values.len() > MAX_DCQL_ITEMS
            || self.meta.vct_values.as_ref().map_or(0, Vec::len) > MAX_DCQL_ITEMS
            || self.claims.len() > MAX_DCQL_ITEMS
            || self.claims.iter().any(|c| values(c) > MAX_DCQL_ITEMS)
        {
            return Err(DcqlError::TooLarge(format!(
                "query `{}`: at most {MAX_DCQL_ITEMS} type sets, claims and values per claim",
                self.id
            )));
        }
        Ok(())
    }

    /// An `ldp_vc` query `id` for a credential with every type of
    /// `type_iris` (expanded IRIs), disclosing `claims`.
    pub fn ldp_vc(id: &str, type_iris: Vec<String>, claims: Vec<ClaimsQuery>) -> Self {
        Self {
            id: id.to_owned(),
            format: LDP_VC.into(),
            meta: LdpMeta {
                type_values: vec![type_iris],
                vct_values: None,
            },
            claims,
            unimplemented: Unimplemented::default(),
        }
    }

    /// A `dc+sd-jwt` query `id` for an SD-JWT VC of one of `vcts`,
    /// disclosing `claims` (paths from the top of the SD-JWT's claims).
    pub fn sd_jwt(id: &str, vcts: Vec<String>, claims: Vec<ClaimsQuery>) -> Self {
        Self {
            id: id.to_owned(),
            format: DC_SD_JWT.into(),
            meta: LdpMeta {
                type_values: Vec::new(),
                vct_values: Some(vcts),
            },
            claims,
            unimplemented: Unimplemented::default(),
        }
    }
}

fn required_by_default() -> bool {
    true
}

/// DCQL `credential_sets` entry: the presentation must answer every query
/// of one of the `options` (when `required`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSetQuery {
    /// Alternative sets of credential query ids.
    pub options: Vec<Vec<String>>,
    /// Whether one option must be answered (default `true`).
    #[serde(default = "required_by_default")]
    pub required: bool,
}

/// The most credential queries one request may hold.
pub const MAX_CREDENTIAL_QUERIES: usize = 8;

/// The most credential sets, options per set, ids per option, claims per
/// query and values per claim a query may hold: matching credentials to
/// queries is a search over them, and a request is untrusted input.
pub const MAX_DCQL_ITEMS: usize = 16;

/// The longest query id.
pub const MAX_QUERY_ID_LEN: usize = 64;

/// Why a DCQL query is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DcqlError {
    /// No credential query, or more than [`MAX_CREDENTIAL_QUERIES`].
    #[error("a DCQL query needs 1 to {MAX_CREDENTIAL_QUERIES} credential queries, not {0}")]
    QueryCount(usize),
    /// Two credential queries share an id, or an id is empty.
    #[error("credential query id `{0}` is empty or not unique")]
    DuplicateId(String),
    /// A format other than `ldp_vc` and `dc+sd-jwt`.
    #[error("credential query `{0}`: format `{1}` is not supported (ldp_vc, dc+sd-jwt)")]
    Format(String, String),
    /// A credential set names a query that does not exist, or has no option.
    #[error("credential set {0}: {1}")]
    BadSet(usize, String),
    /// A query accepts no type set, or an empty one (which would match any
    /// credential): `type_values` for `ldp_vc`, `vct_values` for
    /// `dc+sd-jwt`, and not the other.
    #[error("credential query `{0}`: ldp_vc needs non-empty type_values sets, dc+sd-jwt non-empty vct_values")]
    NoTypes(String),
    /// More sets, options, claims or values than [`MAX_DCQL_ITEMS`], or an id
    /// longer than [`MAX_QUERY_ID_LEN`].
    #[error("DCQL query too large: {0}")]
    TooLarge(String),
    /// A member Credence does not implement (`claim_sets`,
    /// `trusted_authorities`, `multiple: true`).
    #[error("credential query `{0}`: `{1}` is not supported")]
    Unsupported(String, &'static str),
}

/// A DCQL query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcqlQuery {
    /// The requested credentials.
    pub credentials: Vec<CredentialQuery>,
    /// Which combinations of credentials answer the request; absent, every
    /// credential query must be answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_sets: Option<Vec<CredentialSetQuery>>,
}

impl DcqlQuery {
    /// Checks the query is well formed: 1–8 `ldp_vc` or `dc+sd-jwt` credential queries with
    /// unique ids, every credential set naming existing queries.
    pub fn validate(&self) -> Result<(), DcqlError> {
        let n = self.credentials.len();
        if n == 0 || n > MAX_CREDENTIAL_QUERIES {
            return Err(DcqlError::QueryCount(n));
        }
        let mut seen = std::collections::BTreeSet::new();
        for q in &self.credentials {
            if q.id.is_empty() || !seen.insert(q.id.as_str()) {
                return Err(DcqlError::DuplicateId(q.id.clone()));
            }
            if q.format != LDP_VC && q.format != DC_SD_JWT {
                return Err(DcqlError::Format(q.id.clone(), q.format.clone()));
            }
            if let Some(member) = q.unimplemented.first() {
                return Err(DcqlError::Unsupported(q.id.clone(), member));
            }
            q.check_bounds()?;
        }
        let sets = self.credential_sets.as_deref().unwrap_or_default();
        let too_many = sets.len() > MAX_DCQL_ITEMS
            || sets.iter().any(|s| {
                s.options.len() > MAX_DCQL_ITEMS
                    || s.options.iter().any(|o| o.len() > MAX_DCQL_ITEMS)
            });
        if too_many {
            return Err(DcqlError::TooLarge(format!(
                "at most {MAX_DCQL_ITEMS} credential sets, options per set and ids per option"
            )));
        }
        for (i, set) in sets.iter().enumerate() {
            if set.options.is_empty() || set.options.iter().any(Vec::is_empty) {
                return Err(DcqlError::BadSet(i, "an empty option".into()));
            }
            if let Some(id) = set
                .options
                .iter()
                .flatten()
                .find(|id| !seen.contains(id.as_str()))
            {
                return Err(DcqlError::BadSet(i, format!("no credential query `{id}`")));
            }
        }
        Ok(())
    }

    /// The credential query with this id.
    pub fn query(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|q| q.id == id)
    }

    /// Whether answering exactly the queries in `answered` satisfies the
    /// request: without credential sets, every query; with them, one option
    /// of every required set, and no answered query outside every option.
    pub fn satisfied_by(&self, answered: &std::collections::BTreeSet<&str>) -> bool {
        let Some(sets) = &self.credential_sets else {
            return self
                .credentials
                .iter()
                .all(|q| answered.contains(q.id.as_str()));
        };
        let covers = |option: &Vec<String>| option.iter().all(|id| answered.contains(id.as_str()));
        let required = sets
            .iter()
            .filter(|s| s.required)
            .all(|s| s.options.iter().any(covers));
        let named = |id: &&str| {
            sets.iter()
                .flat_map(|s| s.options.iter().flatten())
                .any(|o| o == id)
        };
        required && answered.iter().all(named)
    }
}

/// A verifier's request for a presentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationRequest {
    /// Always `vp_token`.
    pub response_type: String,
    /// The verifier's identifier; the presentation's `domain` (audience).
    pub client_id: String,
    /// A fresh random value; the presentation's `challenge` and the BBS
    /// presentation header.
    pub nonce: String,
    /// What must be presented.
    pub dcql_query: DcqlQuery,
    /// Unix time after which the verifier refuses answers to this request.
    pub expires_at: i64,
    /// OpenID4VP: the transaction the answer names (echoed as `state`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// OpenID4VP `direct_post`: where the answer goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_uri: Option<String>,
}

impl PresentationRequest {
    /// A request with a fresh 256-bit nonce, for one credential type and a
    /// list of claims, expiring at `expires_at` (Unix seconds).
    pub fn new(
        client_id: &str,
        credential_type_iris: Vec<String>,
        claims: Vec<ClaimPath>,
        expires_at: i64,
    ) -> Self {
        Self {
            response_type: "vp_token".into(),
            client_id: client_id.into(),
            nonce: fresh_nonce(),
            dcql_query: DcqlQuery {
                credentials: vec![CredentialQuery::ldp_vc(
                    "agent",
                    credential_type_iris,
                    claims
                        .into_iter()
                        .map(|path| ClaimsQuery {
                            id: None,
                            path,
                            values: None,
                        })
                        .collect(),
                )],
                credential_sets: None,
            },
            expires_at,
            state: None,
            response_uri: None,
        }
    }

    /// A request with a fresh nonce for a whole DCQL query.
    pub fn for_query(client_id: &str, dcql_query: DcqlQuery, expires_at: i64) -> Self {
        Self {
            response_type: "vp_token".into(),
            client_id: client_id.into(),
            nonce: fresh_nonce(),
            dcql_query,
            expires_at,
            state: None,
            response_uri: None,
        }
    }

    /// Every claim path requested, across credential queries.
    pub fn requested_claims(&self) -> Vec<ClaimPath> {
        self.dcql_query
            .credentials
            .iter()
            .flat_map(|c| c.claims.iter().map(|q| q.path.clone()))
            .collect()
    }
}

/// 32 random bytes, base64url without padding.
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn unimplemented_dcql_members_are_refused_not_ignored() {
        let plain = crate::agent_credential_query(&["organization"]);
        let text = serde_json::to_string(&plain).unwrap();
        assert!(
            !text.contains("claim_sets") && !text.contains("multiple"),
            "{text}"
        );
        for (member, value) in [
            ("claim_sets", serde_json::json!([["a"], ["b"]])),
            (
                "trusted_authorities",
                serde_json::json!([{"type": "aki", "values": ["x"]}]),
            ),
            ("multiple", serde_json::json!(true)),
        ] {
            let mut q = serde_json::to_value(&plain).unwrap();
            q["credentials"][0][member] = value;
            let q: DcqlQuery = serde_json::from_value(q).unwrap();
            assert_eq!(
                q.validate(),
                Err(DcqlError::Unsupported("agent".into(), member)),
                "{member}"
            );
        }
        let mut single = serde_json::to_value(&plain).unwrap();
        single["credentials"][0]["multiple"] = false.into();
        let single: DcqlQuery = serde_json::from_value(single).unwrap();
        assert_eq!(single.validate(), Ok(()));
    }

    use super::*;

    #[test]
    fn pointers_escape() {
        assert_eq!(
            ClaimPath::subject("organization").to_pointer(),
            "/credentialSubject/organization"
        );
        assert_eq!(
            ClaimPath(vec!["a/b".into(), "c~d".into()]).to_pointer(),
            "/a~1b/c~0d"
        );
    }

    #[test]
    fn nonces_are_fresh() {
        let a = PresentationRequest::new("x", vec![], vec![], 0);
        let b = PresentationRequest::new("x", vec![], vec![], 0);
        assert_ne!(a.nonce, b.nonce);
        assert_eq!(a.nonce.len(), 43);
    }

    fn two_queries(sets: Option<Vec<CredentialSetQuery>>) -> DcqlQuery {
        DcqlQuery {
            credentials: vec![
                CredentialQuery::ldp_vc("agent", vec!["urn:t:A".into()], vec![]),
                CredentialQuery::ldp_vc("audit", vec!["urn:t:B".into()], vec![]),
            ],
            credential_sets: sets,
        }
    }

    fn answered<'a>(ids: &[&'a str]) -> std::collections::BTreeSet<&'a str> {
        ids.iter().copied().collect()
    }

    #[test]
    fn without_sets_every_query_is_required() {
        let q = two_queries(None);
        assert!(q.satisfied_by(&answered(&["agent", "audit"])));
        assert!(!q.satisfied_by(&answered(&["agent"])));
    }

    #[test]
    fn optional_sets_may_stay_unanswered_and_nothing_outside_the_sets_is_answered() {
        let q = two_queries(Some(vec![
            CredentialSetQuery {
                options: vec![vec!["agent".into()]],
                required: true,
            },
            CredentialSetQuery {
                options: vec![vec!["audit".into()]],
                required: false,
            },
        ]));
        assert!(q.satisfied_by(&answered(&["agent"])));
        assert!(q.satisfied_by(&answered(&["agent", "audit"])));
        assert!(!q.satisfied_by(&answered(&["audit"])));
        assert!(!q.satisfied_by(&answered(&["agent", "other"])));
    }

    #[test]
    fn malformed_queries_are_refused() {
        let mut q = two_queries(None);
        q.credentials[1].id = "agent".into();
        assert_eq!(q.validate(), Err(DcqlError::DuplicateId("agent".into())));
        let q = two_queries(Some(vec![CredentialSetQuery {
            options: vec![vec!["nope".into()]],
            required: true,
        }]));
        assert!(matches!(q.validate(), Err(DcqlError::BadSet(0, _))));
        let mut q = two_queries(None);
        q.credentials[0].format = "jwt_vc_json".into();
        assert!(matches!(q.validate(), Err(DcqlError::Format(..))));
        let q = DcqlQuery {
            credentials: vec![],
            credential_sets: None,
        };
        assert_eq!(q.validate(), Err(DcqlError::QueryCount(0)));
        let mut q = two_queries(None);
        q.credentials[0].meta.type_values = vec![vec![]];
        assert_eq!(q.validate(), Err(DcqlError::NoTypes("agent".into())));
        let q = two_queries(Some(vec![CredentialSetQuery {
            options: vec![vec!["agent".into()]; MAX_DCQL_ITEMS + 1],
            required: true,
        }]));
        assert!(matches!(q.validate(), Err(DcqlError::TooLarge(_))));
        let mut q = two_queries(None);
        q.credentials[0].claims = vec![ClaimsQuery::subject("x"); MAX_DCQL_ITEMS + 1];
        assert!(matches!(q.validate(), Err(DcqlError::TooLarge(_))));
        assert_eq!(two_queries(None).validate(), Ok(()));
    }

    #[test]
    fn values_match_lexical_forms() {
        let c = ClaimsQuery::subject_with_values("capabilities", &["invoices.read"]);
        assert!(c.accepts("invoices.read"));
        assert!(!c.accepts("orders.create"));
        assert!(ClaimsQuery::subject("x").accepts("anything"));
        let parsed: ClaimsQuery = serde_json::from_value(
            serde_json::json!({"path": ["credentialSubject", "clearance"], "values": [2, true]}),
        )
        .unwrap();
        assert!(parsed.accepts("2") && parsed.accepts("true") && !parsed.accepts("3"));
    }
}
