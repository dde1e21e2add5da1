//! A JSON answer written while it is sent: serialised on a blocking thread into chunks of
//! 64 kB that go out as they are made, rather than into one buffer the size of the answer
//! held beside the value. For the long answers (a county's review is megabytes of findings),
//! so that the server's memory does not grow by the size of the text.

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::mpsc;

const CHUNK: usize = 64 * 1024;

/// A value answered as JSON, written as it is sent.
#[derive(Debug)]
pub struct StreamedJson<T>(pub T);

impl<T: Serialize + Send + 'static> IntoResponse for StreamedJson<T> {
    fn into_response(self) -> Response {
        // Two chunks in flight at most: the writer waits for the connection.
        let (tx, rx) = mpsc::channel(2);
        tokio::task::spawn_blocking(move || {
            let mut writer = Chunks {
                tx,
                buf: Vec::with_capacity(CHUNK),
            };
            let written = serde_json::to_writer(&mut writer, &self.0)
                .map_err(std::io::Error::other)
                .and_then(|()| writer.flush());
            match written {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    tracing::debug!("the client left before the answer was written");
                }
                Err(e) => {
                    // Too late for a status: the answer ends short, and the client sees it did.
                    tracing::error!(error = %e, "a streamed JSON answer stopped");
                    let _ = writer.tx.blocking_send(Err(e));
                }
            }
        });
        (
            [(header::CONTENT_TYPE, "application/json")],
            Body::from_stream(Received(rx)),
        )
            .into_response()
    }
}

/// The serialiser's writer: full chunks go to the answer's body.
struct Chunks {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))
    }
}

/// The chunks, as the body's stream.
struct Received(mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Received {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_of_many_chunks_arrives_whole_and_as_json() {
        let value: Vec<(u32, String)> = (0..50_000).map(|n| (n, format!("finding {n}"))).collect();
        let response = StreamedJson(value.clone()).into_response();
        assert_eq!(
            response
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body is read");
        assert!(body.len() > 10 * CHUNK, "{} bytes", body.len());
        let back: Vec<(u32, String)> = serde_json::from_slice(&body).expect("it is JSON");
        assert_eq!(back, value);
    }
}
