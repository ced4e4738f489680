//! A client from another toolchain: `tests/python/client.py` generates its
//! stubs from `proto/` with Python's grpcio-tools, lists the services by
//! reflection, checks health, calls every RPC of a server started here and
//! compares each answer with the HTTP API's, field by field.
//!
//! The Python packages are pinned in `tests/python/requirements.txt`, which
//! `.ci/run` installs. Without them this test fails and says how to install
//! them: it never passes by skipping.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{TEST_VOTERS, TestServer};
use tokio::process::Command;

const CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/client.py");
const INSTALL: &str = "python3 -m pip install -r tests/python/requirements.txt";
/// Stub generation and a few dozen calls take a few seconds.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `python3 args…` from the repository, within [`CLIENT_TIMEOUT`].
async fn python(args: &[&str]) -> std::process::Output {
    let child = Command::new("python3")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs (CI machines have it)");
    tokio::time::timeout(CLIENT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("python3 {args:?} took more than {CLIENT_TIMEOUT:?}"))
        .expect("python3 output")
}

#[tokio::test]
async fn a_python_grpc_client_agrees_with_the_http_api() {
    let check = python(&["-c", "import grpc_tools, grpc_reflection, grpc_health"]).await;
    assert!(
        check.status.success(),
        "the Python gRPC packages are missing: run `{INSTALL}`\n{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let server = TestServer::start_generated(TEST_VOTERS, 5).await;
    let grpc = server.grpc.to_string();
    let http = server.http.to_string();
    let output = python(&[CLIENT, "--grpc", &grpc, "--http", &http]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tests/python/client.py failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("python client:") && summary.contains("agree"),
        "{stdout}\n{stderr}"
    );
    println!("{summary}");
    server.shutdown().await;
}
