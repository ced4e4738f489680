//! `index-builder keygen`: makes the Ed25519 key pair that signs artifacts
//! ([`voter_core::signing`]) and says where each half goes.

use anyhow::bail;
use voter_core::signing::ArtifactSigner;

use crate::cli::KeygenArgs;

/// Writes a new private key and its public key, then prints the public key.
pub fn run(args: &KeygenArgs) -> anyhow::Result<()> {
    let public_out = args.public_out.clone().unwrap_or_else(|| {
        let mut name = args.out.clone().into_os_string();
        name.push(".pub");
        name.into()
    });
    if public_out == args.out {
        bail!(
            "{}: the public key cannot go where the private key does",
            public_out.display()
        );
    }
    // Both are new files: checked before either is written.
    for path in [&args.out, &public_out] {
        if path.exists() {
            bail!(
                "{}: already exists; choose another file or remove it first",
                path.display()
            );
        }
    }
    let signer = ArtifactSigner::generate()?;
    signer.write_pem_file(&args.out)?;
    let public = signer.verify_key();
    public.write_pem_file(&public_out)?;
    println!(
        "wrote private key {} (mode 0600: keep it on the build machine) and public key {}, key id {}",
        args.out.display(),
        public_out.display(),
        public.key_id()
    );
    println!(
        "sign with `index-builder build --signing-key {}`; serve with `voter-lookup serve --verify-key {}`",
        args.out.display(),
        public_out.display()
    );
    print!("{}", public.to_pem());
    Ok(())
}
