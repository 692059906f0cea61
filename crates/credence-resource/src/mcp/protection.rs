//! The configuration of one protected MCP endpoint.

use crate::ResourceGuard;
use credence_core::{AuditSink, Clock, SystemClock};
use ssi::JWK;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How one MCP endpoint is protected: its canonical URI (the tokens'
/// `aud` and the DPoP proofs' `htu`), the authorization server that mints
/// its tokens, the scope each tool needs, and where decisions are audited.
/// Clones share one replay set and audit log.
#[derive(Clone)]
pub struct McpProtection {
    pub(crate) resource: String,
    pub(crate) authorization_server: String,
    pub(crate) resource_name: Option<String>,
    pub(crate) base_scope: Option<String>,
    pub(crate) tool_scopes: BTreeMap<String, String>,
    pub(crate) method_scopes: BTreeMap<String, String>,
    pub(crate) max_body: usize,
    pub(crate) clock: Arc<dyn Clock>,
    token_key: JWK,
    pub(crate) guard: Arc<ResourceGuard>,
    pub(crate) sessions: Arc<super::sessions::SessionOwners>,
}

impl std::fmt::Debug for McpProtection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpProtection")
            .field("resource", &self.resource)
            .field("authorization_server", &self.authorization_server)
            .field("base_scope", &self.base_scope)
            .field("tool_scopes", &self.tool_scopes)
            .finish_non_exhaustive()
    }
}

impl McpProtection {
    /// Protects the MCP endpoint at `resource` (its canonical URI, e.g.
    /// `https://mcp.example.com/mcp`) with tokens minted by the Credence
    /// token service `authorization_server` (its issuer identifier) and
    /// signed with `token_key` (from its JWKS). No tool is callable until
    /// [`tool_scope`](Self::tool_scope) names the scope it needs.
    pub fn new(resource: &str, authorization_server: &str, token_key: JWK) -> Self {
        let resource = resource.trim_end_matches('/').to_owned();
        let authorization_server = authorization_server.trim_end_matches('/').to_owned();
        Self {
            guard: Arc::new(ResourceGuard::new(
                &authorization_server,
                &resource,
                token_key.clone(),
            )),
            resource,
            authorization_server,
            resource_name: None,
            base_scope: None,
            tool_scopes: BTreeMap::new(),
            method_scopes: BTreeMap::new(),
            max_body: 1 << 20,
            clock: Arc::new(SystemClock),
            sessions: Arc::default(),
            token_key,
        }
    }

    /// Tool `tool` needs `scope`. A tool with no scope is refused to
    /// everyone (`403 insufficient_scope`): nothing is open by default.
    pub fn tool_scope(mut self, tool: &str, scope: &str) -> Self {
        self.tool_scopes.insert(tool.to_owned(), scope.to_owned());
        self
    }

    /// The MCP method `method` (`resources/read`, `prompts/get`,
    /// `tasks/get`, …) needs `scope`. Only the session methods
    /// ([`OPEN_METHODS`](super::OPEN_METHODS): `initialize`, `ping`,
    /// `tools/list`, notifications, responses) and `tools/call` (per tool)
    /// are served without this: any other method is refused to everyone
    /// until it is given a scope here.
    pub fn method_scope(mut self, method: &str, scope: &str) -> Self {
        self.method_scopes
            .insert(method.to_owned(), scope.to_owned());
        self
    }

    /// The scope `method` needs, if it is served at all.
    pub fn scope_for_method(&self, method: &str) -> Option<&str> {
        self.method_scopes.get(method).map(String::as_str)
    }

    /// Every request (initialize, tools/list, …) needs `scope`, beside the
    /// tool's own for a tool call. Without it any valid token for this
    /// resource may list the tools.
    pub fn base_scope(mut self, scope: &str) -> Self {
        self.base_scope = Some(scope.to_owned());
        self
    }

    /// The human-readable `resource_name` of the RFC 9728 metadata.
    pub fn resource_name(mut self, name: &str) -> Self {
        self.resource_name = Some(name.to_owned());
        self
    }

    /// Records every decision in `log` as `actor` (the server's
    /// identifier). Call before cloning: the guard is rebuilt.
    pub fn audit(mut self, log: Arc<dyn AuditSink>, actor: &str) -> Self {
        self.guard = Arc::new(
            ResourceGuard::new(
                &self.authorization_server,
                &self.resource,
                self.token_key.clone(),
            )
            .with_audit(log, actor),
        );
        self
    }

    /// The clock tokens and proofs are checked against (default: the
    /// system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The largest POST body accepted (default 1 MiB); larger → 413.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The canonical URI of the protected endpoint.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The scope `tool` needs, if it is callable at all.
    pub fn scope_for_tool(&self, tool: &str) -> Option<&str> {
        self.tool_scopes.get(tool).map(String::as_str)
    }

    /// Every scope this resource can ask for (base and tool scopes).
    pub fn scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self.base_scope.iter().cloned().collect();
        for scope in self.tool_scopes.values().chain(self.method_scopes.values()) {
            if !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        scopes
    }
}
