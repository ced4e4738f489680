//! The `voterlookup.v1.Admin` service: reload and rollback over gRPC, with
//! the metadata `authorization: Bearer <admin token>`.

use std::sync::Arc;

use tonic::service::{Interceptor, interceptor::InterceptedService};
use tonic::{Request, Response, Status};
use voter_lookup_proto::v1::admin_server::{Admin, AdminServer};
use voter_lookup_proto::v1::{ReloadReply, ReloadRequest, RollbackRequest};

use super::status;
use crate::error::LookupError;
use crate::index::reload::{Outcome, ReloadReport, Trigger};
use crate::state::AppState;
use crate::transport::ADMIN_MAX_MESSAGE_BYTES;

/// The admin service.
pub struct AdminDoor {
    pub(super) state: Arc<AppState>,
}

/// The admin service as served: its token is checked by an interceptor,
/// which runs on the call's metadata before any of its body is decoded,
/// and its messages (a flag) are decoded only up to
/// [`ADMIN_MAX_MESSAGE_BYTES`].
pub fn service(
    state: Arc<AppState>,
) -> InterceptedService<AdminServer<AdminDoor>, impl Interceptor + Clone> {
    let server = AdminServer::new(AdminDoor {
        state: state.clone(),
    })
    .max_decoding_message_size(ADMIN_MAX_MESSAGE_BYTES);
    InterceptedService::new(server, move |request: Request<()>| {
        let authorization = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok());
        if let Err(error) = state.authorize_admin(authorization) {
            // A refused attempt is audited with its caller; which call it
            // was is not known before the body is read.
            let context = super::context(&request);
            state
                .privacy()
                .admin_call(&context, "admin", error.kind().code());
            return Err(status(&error));
        }
        Ok(request)
    })
}

impl AdminDoor {
    fn authorize<T>(&self, request: &Request<T>) -> Result<(), Status> {
        let authorization = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok());
        self.state
            .authorize_admin(authorization)
            .map_err(|error| status(&error))
    }

    fn audit(
        &self,
        context: &crate::context::RequestContext,
        action: &str,
        result: &Result<Response<ReloadReply>, Status>,
    ) {
        let outcome = match result {
            Ok(reply) => reply.get_ref().outcome.clone(),
            Err(status) => format!("{:?}", status.code()).to_lowercase(),
        };
        self.state.privacy().admin_call(context, action, &outcome);
    }

    fn reply(&self, report: ReloadReport) -> Result<Response<ReloadReply>, Status> {
        let previous_version = match &report.outcome {
            Outcome::Refused { reason, .. } => {
                return Err(status(&LookupError::ReloadRefused(reason.to_string())));
            }
            Outcome::Swapped { from, .. } => from.clone().unwrap_or_default(),
            Outcome::Unchanged { .. } => String::new(),
        };
        let index_version = self
            .state
            .service
            .index()
            .snapshot()
            .map(|index| index.version().to_string())
            .unwrap_or_default();
        Ok(Response::new(ReloadReply {
            outcome: report.outcome_name().to_string(),
            index_version,
            previous_version,
            message: report.message(),
        }))
    }
}

#[tonic::async_trait]
impl Admin for AdminDoor {
    async fn reload(
        &self,
        request: Request<ReloadRequest>,
    ) -> Result<Response<ReloadReply>, Status> {
        self.authorize(&request)?;
        let context = super::context(&request);
        let force = request.get_ref().force;
        let result = match self.state.reload(Trigger::Admin, force).await {
            Ok(report) => self.reply(report),
            Err(error) => Err(status(&error)),
        };
        self.audit(&context, "reload", &result);
        result
    }

    async fn rollback(
        &self,
        request: Request<RollbackRequest>,
    ) -> Result<Response<ReloadReply>, Status> {
        self.authorize(&request)?;
        let context = super::context(&request);
        let force = request.get_ref().force;
        let result = match self.state.rollback(force).await {
            Ok(report) => self.reply(report),
            Err(error) => Err(status(&error)),
        };
        self.audit(&context, "rollback", &result);
        result
    }
}
