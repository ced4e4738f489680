//! The gRPC door (tonic), package `voterlookup.v1`, for the municipal
//! applications: decoding, a call to [`crate::service`], encoding. Errors
//! take their codes from [`crate::error`].

mod convert;

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};
use voter_lookup_proto::v1::voter_lookup_server::{VoterLookup, VoterLookupServer};
use voter_lookup_proto::v1::{
    GetVoterRequest, GetVoterResponse, ListStationsRequest, ListStationsResponse, SearchRequest,
    SearchResponse,
};

use crate::error::LookupError;
use crate::search::{LookupQuery, SearchMode};
use crate::server::AppState;

/// The `VoterLookup` service.
pub struct GrpcDoor {
    state: Arc<AppState>,
}

/// Serves gRPC on `listener` until `shutdown` resolves, letting in-flight
/// calls finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    tonic::transport::Server::builder()
        .add_service(VoterLookupServer::new(GrpcDoor { state }))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
}

/// The status of `error`, with the code of its kind.
pub fn status(error: &LookupError) -> Status {
    Status::new(error.kind().grpc_code(), error.to_string())
}

#[tonic::async_trait]
impl VoterLookup for GrpcDoor {
    async fn search(
        &self,
        request: Request<SearchRequest>,
    ) -> Result<Response<SearchResponse>, Status> {
        let request = request.into_inner();
        let query = LookupQuery {
            text: request.q,
            birth_date: Some(request.birth_date).filter(|date| !date.is_empty()),
            limit: Some(request.limit).filter(|&limit| limit != 0),
        };
        let response = self
            .state
            .service
            .lookup(&query, SearchMode::Full)
            .map_err(|error| status(&error))?;
        Ok(Response::new(convert::search_response(&response)))
    }

    async fn get_voter(
        &self,
        request: Request<GetVoterRequest>,
    ) -> Result<Response<GetVoterResponse>, Status> {
        let request = request.into_inner();
        let (hits, version) = self
            .state
            .service
            .voters_at(&request.station, request.order)
            .map_err(|error| status(&error))?;
        Ok(Response::new(GetVoterResponse {
            voters: hits.iter().map(convert::search_result).collect(),
            index_version: version.to_string(),
        }))
    }

    async fn list_stations(
        &self,
        _request: Request<ListStationsRequest>,
    ) -> Result<Response<ListStationsResponse>, Status> {
        let index = self
            .state
            .service
            .snapshot()
            .map_err(|error| status(&error))?;
        Ok(Response::new(ListStationsResponse {
            stations: index
                .stations()
                .iter()
                .map(convert::station_summary)
                .collect(),
            index_version: index.version().to_string(),
        }))
    }
}
