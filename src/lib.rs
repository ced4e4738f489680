//! voter-lookup: finds, from a name as it was heard or typed, the polling
//! station a voter is registered in — over HTTP/JSON and gRPC, fast, on
//! election morning.
//!
//! The request path: a door ([`http`] or [`grpc`]) makes the request's
//! [`context`] once, passes it through [`admission`], decodes the request and
//! calls [`service::LookupService`], which takes one snapshot of the live
//! [`index`] and runs the one [`search`] on a [`search_pool`] thread; [`error`] maps its failures to
//! each door's codes. [`state`] is what the doors share; [`server`] runs both doors and stops them cleanly;
//! [`app`] holds the commands `main.rs` dispatches to; [`status`] keeps the
//! day's history for `GET /v1/status` and the `weather` report.

pub mod admission;
pub mod app;
pub mod client_ip;
pub mod config;
pub mod context;
pub mod deadline;
pub mod demo;
pub mod error;
pub mod eval;
pub mod grpc;
pub mod http;
pub mod index;
pub mod metrics;
pub mod privacy;
pub mod search;
pub mod search_pool;
pub mod server;
pub mod service;
pub mod state;
pub mod status;
pub mod transport;
