#![forbid(unsafe_code)]
//! Credence's shared model: the vocabulary (JSON-LD context), the agent
//! profile carried by an `AgentCredential`, delegation links, presentation
//! requests, access token claims, eddsa-rdfc-2022 signing through ssi, the clock, the audit record
//! every role writes to an [`AuditSink`], and the [`VerifierState`] trait
//! its mutable verification state lives behind (backends: `credence-store`).
//!
//! Every role crate (issuer, wallet, verifier) builds on these types; they
//! meet through them and through the wire, never by importing one another.
//! This crate is pure: no I/O, no cryptography of its own, no policy decisions.

pub mod access;
pub mod audit;
pub mod clock;
pub mod context;
pub mod delegation;
pub mod dpop;
pub mod integrity;
pub mod openid4vp;
pub mod profile;
pub mod request;
pub mod state;
pub mod token;

pub use access::{
    authenticate_access_token, check_token_times, decode_access_token, key_for_token, token_kid,
    validate_access_token, verify_dpop, verify_token_request_dpop, TokenError, DPOP_WINDOW_SECS,
    MAX_CLOCK_SKEW_SECS,
};
pub use audit::{AuditError, AuditRecord, AuditSink};
pub use clock::{Clock, FixedClock, SystemClock};
pub use context::{
    context_loader, context_loader_with, expand_credential_type, CREDENCE_CONTEXT,
    CREDENCE_CONTEXT_URL, CREDENCE_VOCAB, VC_V2_CONTEXT_URL,
};
pub use delegation::{
    delegation_document, link_digest, DelegationGrant, DelegationLink, ParentRef,
    DELEGATION_CREDENTIAL_TYPE, MAX_CHAIN_LENGTH,
};
pub use dpop::{dpop_proof, DpopClaims, DPOP_TYP};
pub use integrity::{
    sign_ecdsa_rdfc, sign_eddsa_rdfc, verify_ecdsa_rdfc, verify_eddsa_rdfc, EddsaSigning,
};
pub use openid4vp::{
    did_client_id, AuthorizationRequest, ClientId, DID_CLIENT_PREFIX, DIRECT_POST,
    OAUTH_METADATA_PATH, OPENID4VP_SCHEME, REDIRECT_URI_CLIENT_PREFIX, REQUEST_OBJECT_MEDIA_TYPE,
    REQUEST_OBJECT_TYP, RESPONSE_CODE_TOKEN_TYPE, SELF_ISSUED_AUDIENCE, TOKEN_EXCHANGE_GRANT,
    VP_TOKEN_RESPONSE,
};
pub use profile::{
    agent_credential_query, agent_sd_jwt_query, built_in_vct, AgentProfile, AGENT_CREDENTIAL_TYPE,
    AGENT_CREDENTIAL_VCT, MANDATORY_POINTERS, PROFILE_CLAIMS,
};
pub use request::{
    fresh_nonce, ClaimPath, ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlError, DcqlQuery,
    ExpectedValue, LdpMeta, PresentationRequest, Unimplemented, DC_SD_JWT, LDP_VC,
    MAX_CREDENTIAL_QUERIES, MAX_DCQL_ITEMS, MAX_QUERY_ID_LEN,
};
pub use state::{MemoryState, StateError, StateKey, VerifierState};
pub use token::{
    correlation_id, step_digest, AccessTokenClaims, Actor, Confirmation, ACCESS_TOKEN_TYP,
    MAX_TOKEN_TTL_SECS,
};
