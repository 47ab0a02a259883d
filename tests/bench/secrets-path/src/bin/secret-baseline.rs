//! The baseline: what every function carries, and no Secrets Manager client at all.

#[tokio::main]
async fn main() {
    secrets_path_bench::baseline_request().await;
    secrets_path_bench::report("");
}
