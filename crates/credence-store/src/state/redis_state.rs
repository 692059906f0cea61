//! The verifier state on a Redis server, shared by replicas. Every key
//! carries a TTL (`SET … EX`), so Redis memory stays bounded by what is
//! live; store-once is `SET NX`, take-once is `GETDEL` (Redis ≥ 6.2).
//! Commands time out; an unreachable server is
//! [`StateError::Unavailable`], and the connection manager reconnects in
//! the background.

use credence_core::state::{ttl_secs, StateFuture};
use credence_core::{StateError, StateKey, VerifierState};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

use crate::StoreError;

/// How the Redis connection behaves.
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// Prefix of every key (several verifiers may share one database).
    pub prefix: String,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait for a command's answer.
    pub response_timeout: Duration,
    /// Reconnection attempts per failure, in the background.
    pub retries: usize,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            prefix: "credence:".into(),
            connect_timeout: Duration::from_millis(500),
            response_timeout: Duration::from_millis(500),
            retries: 3,
        }
    }
}

/// [`VerifierState`] on a Redis server.
#[derive(Clone)]
pub struct RedisState {
    conn: ConnectionManager,
    prefix: String,
    shown: String,
}

impl std::fmt::Debug for RedisState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisState")
            .field("at", &self.shown)
            .finish_non_exhaustive()
    }
}

fn unavailable(e: redis::RedisError) -> StateError {
    StateError::Unavailable(format!("redis: {e}"))
}

/// `url` without its password, for logs.
fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "redis://(unparsable)".into(),
    }
}

impl RedisState {
    /// A state on the server at `url` (`redis://HOST:PORT/DB`). The
    /// connection is made on first use: a server that is down now makes
    /// requests fail closed until it answers.
    pub fn connect(url: &str, options: RedisOptions) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::State(format!("{}: {e}", shown(url))))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.connect_timeout))
            .set_response_timeout(Some(options.response_timeout))
            .set_number_of_retries(options.retries)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(1000));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| StoreError::State(format!("{}: {e}", shown(url))))?;
        Ok(Self {
            conn,
            prefix: options.prefix,
            shown: shown(url),
        })
    }

    fn key(&self, key: &StateKey) -> String {
        format!("{}{}", self.prefix, key.as_str())
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StateError> {
        let mut conn = self.conn.clone();
        cmd.query_async(&mut conn).await.map_err(unavailable)
    }
}

impl VerifierState for RedisState {
    fn insert_new<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, bool> {
        Box::pin(async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(self.key(key))
                .arg(value)
                .arg("NX")
                .arg("EX")
                .arg(ttl_secs(expires_at, now));
            let set: Option<String> = self.query(&cmd).await?;
            Ok(set.is_some())
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, ()> {
        Box::pin(async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(self.key(key))
                .arg(value)
                .arg("EX")
                .arg(ttl_secs(expires_at, now));
            let _: Option<String> = self.query(&cmd).await?;
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a StateKey, _now: i64) -> StateFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.query(redis::cmd("GET").arg(self.key(key))).await })
    }

    fn take<'a>(&'a self, key: &'a StateKey, _now: i64) -> StateFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.query(redis::cmd("GETDEL").arg(self.key(key))).await })
    }

    fn ping(&self) -> StateFuture<'_, ()> {
        Box::pin(async move {
            let _: String = self.query(&redis::cmd("PING")).await?;
            Ok(())
        })
    }

    fn describe(&self) -> String {
        self.shown.clone()
    }
}
