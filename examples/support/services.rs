//! What the HTTP demos share: the services they start and stop together,
//! loopback binding, and step headings.

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What a demo step can fail with.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The running services, stopped together.
#[derive(Default)]
pub struct Services(Vec<(&'static str, oneshot::Sender<()>, JoinHandle<()>)>);

impl Services {
    /// Serves `router` on `listener` until [`Services::stop`].
    pub fn start(&mut self, name: &'static str, listener: TcpListener, router: axum::Router) {
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        self.0.push((name, tx, handle));
    }

    /// Stops every service, in start order, saying so.
    pub async fn stop(self) {
        for (name, tx, handle) in self.0 {
            let _ = tx.send(());
            let _ = handle.await;
            println!("   stopped {name}");
        }
    }
}

/// Binds 127.0.0.1 on a free port.
pub async fn bind() -> Result<(TcpListener, String), Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    Ok((listener, origin))
}

/// Prints step `n`'s heading.
pub fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}
