//! The gRPC ceiling of bench/compare.sh: tonic answering the seed's `Router/GetRoute` with the
//! answer of an empty table (a Route with nh "0.0.0.0"), nothing else. It is what `rpc serve`'s
//! gRPC would be with no dynamic messages, no routing table and no log: the most a tonic server
//! does on this machine.
//!
//!     tonic-ceiling PORT    (0: the OS picks; prints `listening on HOST:PORT`)
//!
//! Hand-written where tonic-build would generate code, so the build needs no protoc.

use std::convert::Infallible;
use std::task::{Context, Poll};
use tonic::body::Body;
use tonic::codegen::BoxFuture;
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};

#[derive(Clone, PartialEq, prost::Message)]
struct Destination {
    #[prost(string, tag = "1")]
    network: String,
    #[prost(string, tag = "2")]
    mask: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Route {
    #[prost(string, tag = "1")]
    dest: String,
    #[prost(string, tag = "2")]
    mask: String,
    #[prost(string, tag = "3")]
    nh: String,
    #[prost(int32, tag = "4")]
    metric: i32,
    #[prost(string, tag = "5")]
    interface: String,
}

struct GetRoute;

impl UnaryService<Destination> for GetRoute {
    type Response = Route;
    type Future = std::future::Ready<Result<Response<Route>, Status>>;

    fn call(&mut self, _: Request<Destination>) -> Self::Future {
        std::future::ready(Ok(Response::new(Route {
            nh: "0.0.0.0".into(),
            ..Route::default()
        })))
    }
}

/// The `Router` service: GetRoute, and UNIMPLEMENTED for any other path.
#[derive(Clone)]
struct Router;

impl NamedService for Router {
    const NAME: &'static str = "Router";
}

impl tower_service::Service<http::Request<Body>> for Router {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if request.uri().path() != "/Router/GetRoute" {
            return Box::pin(async { Ok(Status::unimplemented("no such method").into_http()) });
        }
        Box::pin(async move {
            let mut grpc = Grpc::new(tonic_prost::ProstCodec::default());
            Ok(grpc.unary(GetRoute, request).await)
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "0".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on {}", listener.local_addr()?);
    tonic::transport::Server::builder()
        .add_service(Router)
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)))
        .await?;
    Ok(())
}
