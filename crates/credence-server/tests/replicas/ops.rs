//! Operating the replicas: metrics, request ids in responses and audit
//! entries, load shedding at the concurrency limit, slow clients.

use super::*;

#[tokio::test]
async fn metrics_count_decisions_by_reason_and_requests_carry_an_id() {
    let Some(r) = replicas().await else { return };
    let vp = presentation_from(&r.w, &r.urls[0]).await;
    body_token(&exchange_at(&r.w, &r.urls[1], &vp).await);
    exchange_at(&r.w, &r.urls[1], &vp).await;
    let response =
        r.w.client
            .get(format!("{}/metrics", r.urls[1]))
            .header("x-request-id", "scrape-1")
            .send()
            .await
            .unwrap();
    assert_eq!(response.headers()["x-request-id"], "scrape-1");
    let text = response.text().await.unwrap();
    for line in [
        r#"credence_decisions_total{route="/token",outcome="allow"} 1"#,
        r#"credence_decisions_total{route="/token",outcome="replay"} 1"#,
        r#"credence_http_requests_total{route="/token",status="200"} 1"#,
        r#"credence_http_requests_total{route="/token",status="400"} 1"#,
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert!(
        text.contains("credence_request_duration_seconds_bucket"),
        "{text}"
    );
    // A malformed caller id is replaced by a fresh one.
    let response =
        r.w.client
            .get(format!("{}/healthz", r.urls[2]))
            .header("x-request-id", "bad id with spaces")
            .send()
            .await
            .unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn beyond_the_concurrency_limit_requests_are_shed_with_retry_after() {
    let options = ServeOptions {
        max_concurrency: 1,
        ..ServeOptions::default()
    };
    let Some(r) = replicas_with(options).await else {
        return;
    };
    let vp = Arc::new(presentation_from(&r.w, &r.urls[0]).await);
    let w = Arc::new(r.w);
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let (w, vp, base) = (w.clone(), vp.clone(), r.urls[1].clone());
            tokio::spawn(async move {
                let response = post_token(&w, &base, &vp, None).await;
                let retry = response.headers().get("retry-after").cloned();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                (status, retry, body)
            })
        })
        .collect();
    let mut shed = 0;
    let mut minted = 0;
    for t in tasks {
        let (status, retry, body) = t.await.unwrap();
        match status {
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(body["credence_reason"], "overloaded", "{body}");
                assert_eq!(retry.unwrap(), "1");
                shed += 1;
            }
            StatusCode::OK => minted += 1,
            _ => assert_oauth(status, &body, "invalid_grant", "replay"),
        }
    }
    assert!(shed > 0, "nothing was shed at a limit of 1");
    assert!(minted <= 1);
    let metrics = w
        .client
        .get(format!("{}/metrics", r.urls[1]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!("credence_shed_requests_total {shed}")),
        "{metrics}"
    );
}

#[tokio::test]
async fn audit_entries_carry_the_request_id_of_the_request_that_decided() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(credence_store::AuditLog::open(dir.path().join("audit"), None).unwrap());
    let sink = Arc::new(credence_server::ops::RequestIdSink(log.clone()));
    let w = world_with(move |v| v.with_audit(sink)).await;
    let vp = w.presentation().await;
    let r = post_token(&w, &w.verifier_url, &vp, Some("exchange-42")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-request-id"], "exchange-42");
    let entries = log.entries().unwrap();
    let stamped: Vec<_> = entries
        .iter()
        .filter(|e| e.record.request_id.as_deref() == Some("exchange-42"))
        .map(|e| e.record.action.as_str())
        .collect();
    assert_eq!(
        stamped,
        ["verify_presentation", "mint_token"],
        "{entries:?}"
    );
}

/// Clients that open a request and trickle its body held a place under
/// the concurrency limit until they gave up (found by review): bodies are
/// now read, within a timeout, before a request takes its place.
#[tokio::test]
async fn clients_trickling_bodies_do_not_hold_the_concurrency_limit() {
    use tokio::io::AsyncWriteExt;
    let options = ServeOptions {
        max_concurrency: 1,
        body_timeout: Duration::from_millis(500),
        ..ServeOptions::default()
    };
    let Some(r) = replicas_with(options).await else {
        return;
    };
    let addr = r.urls[1].trim_start_matches("http://").to_owned();
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(
            b"POST /token HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\ng",
        )
        .await
        .unwrap();
        slow.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let vp = presentation_from(&r.w, &r.urls[0]).await;
    body_token(&exchange_at(&r.w, &r.urls[1], &vp).await);
    // The trickling ones get 408 once their time is up.
    let mut answer = vec![0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), async {
        use tokio::io::AsyncReadExt;
        slow[0].read(&mut answer).await.unwrap()
    })
    .await
    .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
}
