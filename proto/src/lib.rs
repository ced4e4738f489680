//! The gRPC contract of voter-lookup, package `voterlookup.v1`, compiled from
//! `proto/voterlookup/v1/voter_lookup.proto` at build time (no `protoc`
//! needed). The server and the load tester both use it.

/// Messages, client and server of `voterlookup.v1`.
pub mod v1 {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("voterlookup.v1");
}

/// The encoded `FileDescriptorSet` of the contract, for gRPC server
/// reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/voterlookup_descriptor.bin"));
